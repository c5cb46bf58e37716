// The registry's key ring: the active P-256 signer plus retired and revoked keys, and the body of
// GET /-/npm/v1/keys in npm's exact shape, plus two fields npm ignores: `endorsements` (signatures by
// other registry keys over this one, vouch's lib/verify/key-endorsement.ts) and `revoked` (the key was
// compromised). Key ids are OpenSSH SHA256 fingerprints, as npm's are.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VouchError, keyIdOf, keySigner, type KeyEndorsement, type RawSigner } from './vouch-core.js';
import { emptyHistory, revocationOf, type KeyHistory } from './key-history.js';
import type { KeySpec } from './settings.js';

/** A key as the keys endpoint lists it. */
export interface PublishedKey {
  keyid: string;
  /** Base64 SPKI DER. */
  key: string;
  expires: Date | null;
  /** Endorsements of this key by other, unrevoked keys (`vouch registry rotate`). */
  endorsements?: KeyEndorsement[];
  /** When the operator revoked this key (`vouch registry revoke`): nothing signed by it is served. */
  revoked?: Date;
}

export interface KeyRing {
  /** Signs everything published (and lazily signed) from now on. */
  active: RawSigner;
  /** Active first, then the retired keys in configured order, then revoked keys no longer configured. */
  keys: PublishedKey[];
}

/**
 * The `expires` a revoked key is listed with. npm ignores `revoked` and judges a key by `expires`
 * against the version's publish time; every publish time is after the epoch, so npm, too, rejects
 * every signature by a revoked key (the registry itself never serves one).
 */
export const REVOKED_EXPIRES = new Date(0);

/** npm's `/-/npm/v1/keys` entry; npm only supports ecdsa-sha2-nistp256 registry keys. */
export interface KeysEndpointEntry {
  expires: string | null;
  keyid: string;
  keytype: 'ecdsa-sha2-nistp256';
  scheme: 'ecdsa-sha2-nistp256';
  key: string;
  /** vouch's addition, only when there are some. */
  endorsements?: KeyEndorsement[];
  /** vouch's addition, only for a revoked key: ISO time of the revocation. */
  revoked?: string;
}

export function keysEndpointBody(keys: readonly PublishedKey[]): { keys: KeysEndpointEntry[] } {
  return {
    keys: keys.map((k) => ({
      expires: k.expires ? k.expires.toISOString() : null,
      keyid: k.keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: k.key,
      ...(k.endorsements && k.endorsements.length > 0 ? { endorsements: k.endorsements } : {}),
      ...(k.revoked ? { revoked: k.revoked.toISOString() } : {}),
    })),
  };
}

/** Describes a public key (or the public half of a private key) for the keys endpoint. */
export function publishedKey(key: KeyObject, expires: Date | null): PublishedKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { keyid: keyIdOf(publicKey), key: der.toString('base64'), expires };
}

/**
 * Loads the configured key files and applies the storage's key history: revoked keys are marked (and
 * listed even when no longer configured), endorsements by unrevoked keys are attached. Every problem is
 * a KEY_FILE or CONFIG error naming the file (exit 2); a revoked active key is one.
 */
export function loadKeyRing(specs: readonly KeySpec[], history: KeyHistory = emptyHistory()): KeyRing {
  const [activeSpec, ...retired] = specs;
  if (!activeSpec) throw new VouchError('CONFIG', 'no signing keys configured');
  const activeKey = readKeyFile(activeSpec.file, 'private');
  const configured = [publishedKey(activeKey, null), ...retired.map((s) => publishedKey(readKeyFile(s.file, 'any'), s.expires))];
  const seen = new Set<string>();
  for (const [index, k] of configured.entries()) {
    if (seen.has(k.keyid)) {
      throw new VouchError('CONFIG', `signing key ${specs[index]?.file} is listed twice (key id ${k.keyid})`);
    }
    seen.add(k.keyid);
  }
  const activeRevoked = revocationOf(history, configured[0]!.keyid);
  if (activeRevoked) {
    throw new VouchError(
      'CONFIG',
      `the active signing key ${activeSpec.file} (${activeRevoked.keyid}) was revoked ${activeRevoked.revoked}`,
      { file: activeSpec.file },
      'start with a new active key first: vouch registry rotate --from OLD.pem --to NEW.pem, then --key NEW.pem',
    );
  }
  const keys = configured.map((k) => withHistory(k, history));
  for (const r of history.revocations) {
    if (!seen.has(r.keyid)) keys.push({ keyid: r.keyid, key: r.key, expires: REVOKED_EXPIRES, revoked: new Date(r.revoked) });
  }
  return { active: keySigner(activeKey), keys };
}

/** A configured key as the history leaves it: revoked, or with the endorsements of unrevoked keys. */
function withHistory(key: PublishedKey, history: KeyHistory): PublishedKey {
  const revocation = revocationOf(history, key.keyid);
  if (revocation) return { ...key, expires: REVOKED_EXPIRES, revoked: new Date(revocation.revoked) };
  const endorsements = history.endorsements
    .filter((e) => e.keyid === key.keyid && e.key === key.key && !revocationOf(history, e.by.keyid))
    .map((e) => ({ keyid: e.by.keyid, sig: e.sig }))
    .sort((a, b) => (a.keyid < b.keyid ? -1 : a.keyid > b.keyid ? 1 : 0));
  return endorsements.length > 0 ? { ...key, endorsements } : key;
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
    throw new VouchError('KEY_FILE', `signing key file ${file} holds a ${kind} key; registry keys must be ECDSA P-256`, { file }, keyHint);
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
    throw new VouchError('KEY_FILE', `signing key file ${file} holds no private key; the active key must sign`, { file }, keyHint);
  }
  try {
    return isPrivate ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new VouchError('KEY_FILE', `signing key file ${file} is malformed: ${reason}`, { file }, keyHint, { cause: err });
  }
}
