// The registry's key ring: the active P-256 signer plus retired keys, and the body of
// GET /-/npm/v1/keys in npm's exact shape. Key ids are OpenSSH SHA256 fingerprints, as npm's are.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VouchError } from '../errors/index.js';
import { keyIdOf, keySigner, type RawSigner } from '../sign/index.js';
import type { KeySpec } from './settings.js';

/** A key as the keys endpoint lists it. */
export interface PublishedKey {
  keyid: string;
  /** Base64 SPKI DER. */
  key: string;
  expires: Date | null;
}

export interface KeyRing {
  /** Signs everything published (and lazily signed) from now on. */
  active: RawSigner;
  /** Active first, then the retired keys in configured order. */
  keys: PublishedKey[];
}

/** npm's `/-/npm/v1/keys` entry; npm only supports ecdsa-sha2-nistp256 registry keys. */
export interface KeysEndpointEntry {
  expires: string | null;
  keyid: string;
  keytype: 'ecdsa-sha2-nistp256';
  scheme: 'ecdsa-sha2-nistp256';
  key: string;
}

export function keysEndpointBody(keys: readonly PublishedKey[]): { keys: KeysEndpointEntry[] } {
  return {
    keys: keys.map((k) => ({
      expires: k.expires ? k.expires.toISOString() : null,
      keyid: k.keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: k.key,
    })),
  };
}

/** Describes a public key (or the public half of a private key) for the keys endpoint. */
export function publishedKey(key: KeyObject, expires: Date | null): PublishedKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { keyid: keyIdOf(publicKey), key: der.toString('base64'), expires };
}

/** Loads the configured key files; every problem is a KEY_FILE error naming the file (exit 2). */
export function loadKeyRing(specs: readonly KeySpec[]): KeyRing {
  const [activeSpec, ...retired] = specs;
  if (!activeSpec) throw new VouchError('CONFIG', 'no signing keys configured');
  const activeKey = readKeyFile(activeSpec.file, 'private');
  const keys = [publishedKey(activeKey, null), ...retired.map((s) => publishedKey(readKeyFile(s.file, 'any'), s.expires))];
  const seen = new Set<string>();
  for (const [index, k] of keys.entries()) {
    if (seen.has(k.keyid)) {
      throw new VouchError('CONFIG', `signing key ${specs[index]?.file} is listed twice (key id ${k.keyid})`);
    }
    seen.add(k.keyid);
  }
  return { active: keySigner(activeKey), keys };
}

/** Reads a PEM key file: the active key must be a private P-256 key; retired ones may be public only. */
export function readKeyFile(file: string, need: 'private' | 'any'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    throw new VouchError('KEY_FILE', `signing key file ${file} ${what}`, { file }, keyHint, { cause: err });
  }
  const key = parsePem(pem, file, need);
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    const kind = key.asymmetricKeyType === 'ec' ? `EC ${details?.namedCurve}` : String(key.asymmetricKeyType);
    throw new VouchError('KEY_FILE', `signing key file ${file} holds a ${kind} key; registry keys must be ECDSA P-256`,
      { file }, keyHint);
  }
  return key;
}

const keyHint = 'create one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signing-key.pem';

function parsePem(pem: string, file: string, need: 'private' | 'any'): KeyObject {
  if (!pem.includes('-----BEGIN')) {
    throw new VouchError('KEY_FILE', `signing key file ${file} is not a PEM file`, { file }, keyHint);
  }
  const isPrivate = /-----BEGIN (?:EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem);
  if (need === 'private' && !isPrivate) {
    throw new VouchError('KEY_FILE', `signing key file ${file} holds no private key; the active key must sign`,
      { file }, keyHint);
  }
  try {
    return isPrivate ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new VouchError('KEY_FILE', `signing key file ${file} is malformed: ${reason}`, { file }, keyHint,
      { cause: err });
  }
}
