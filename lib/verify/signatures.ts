// Registry signatures for one package version, with npm's exact semantics. Decides only: keys and dist
// data arrive as arguments (lib/registry fetches them); prints nothing.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { RegistryKey, SignatureCode, SignatureResult } from './types.js';

export interface SignatureInput {
  /** The locked name (alias-resolved) and version, never the manifest's. */
  name: string;
  version: string;
  /** The registry's dist.integrity exactly as served (never a merged or lockfile string). */
  integrity: string;
  signatures: readonly { keyid: string; sig: string }[];
  /** packument time[version]; npm falls back to 2015-01-01 when it is missing. */
  publishedAt: Date | null;
  /** Empty when the registry publishes no keys. */
  keys: readonly RegistryKey[];
}

/**
 * At most this many registry signatures per version (documented in docs/verify.md). npm's registry serves
 * one; a key rotation could briefly need two. More is refused without verifying any, so a hostile
 * registry cannot buy one ECDSA verification per array entry (350,000 entries: ~16 s of CPU).
 */
export const SIGNATURES_MAX_PER_VERSION = 16;

// npm/pacote's MISSING_TIME_CUTOFF: a version without a publish time is judged as if published then.
const MISSING_TIME_CUTOFF = new Date('2015-01-01T00:00:00.000Z');

/** The exact string the registry signs. */
export const signedMessage = (name: string, version: string, integrity: string): string => `${name}@${version}:${integrity}`;

export function checkSignatures(input: SignatureInput): SignatureResult {
  if (input.keys.length === 0) {
    // pacote: a signature with no keys to check it is EMISSINGSIGNATUREKEY, never a silent pass.
    if (input.signatures.length > SIGNATURES_MAX_PER_VERSION) return tooMany();
    return input.signatures.length === 0
      ? { kind: 'no-keys' }
      : failed(
          'KEY_UNKNOWN',
          `has a registry signature with keyid ${input.signatures[0]?.keyid} but the registry publishes no keys`,
          input.signatures[0]?.keyid,
        );
  }
  if (input.signatures.length === 0) return failed('SIGNATURE_MISSING', 'has no registry signature but the registry publishes signing keys');
  if (input.signatures.length > SIGNATURES_MAX_PER_VERSION) return tooMany();
  const message = Buffer.from(signedMessage(input.name, input.version, input.integrity));
  const publishedAt = input.publishedAt ?? MISSING_TIME_CUTOFF;
  for (const { keyid, sig } of input.signatures) {
    // every signature present must verify
    const key = input.keys.find((k) => k.keyid === keyid);
    if (!key) return failed('KEY_UNKNOWN', `has a registry signature with keyid ${keyid} but no corresponding public key can be found`, keyid);
    // A key counts only if it had not expired when this version was published.
    if (key.expires && !(publishedAt < key.expires)) {
      return failed(
        'KEY_EXPIRED',
        `has a registry signature with keyid ${keyid} but the key expired ${key.expires.toISOString()}, before the publish time ${publishedAt.toISOString()}`,
        keyid,
      );
    }
    if (!verifySafely(message, keyObject(key.key), sig)) {
      return failed('SIGNATURE_INVALID', `has an invalid registry signature with keyid ${keyid}`, keyid);
    }
  }
  return { kind: 'verified', keyids: input.signatures.map((s) => s.keyid) };
}

function tooMany(): SignatureResult {
  return failed('SIGNATURES_TOO_MANY', `has more than ${SIGNATURES_MAX_PER_VERSION} registry signatures (npm's registry serves one); none was verified`);
}

function verifySafely(message: Buffer, key: KeyObject | null, sigBase64: string): boolean {
  if (!key) return false;
  try {
    return verify('sha256', message, key, Buffer.from(sigBase64, 'base64'));
  } catch {
    return false; // a malformed DER signature or key is an invalid signature, never an exception
  }
}

const parsedKeys = new Map<string, KeyObject | null>();

/** Parses a base64 SPKI DER key once per process (re-parsing PEM per call is pacote's main crypto cost). */
function keyObject(spkiBase64: string): KeyObject | null {
  let key = parsedKeys.get(spkiBase64);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    parsedKeys.set(spkiBase64, key);
  }
  return key;
}

function failed(code: SignatureCode, message: string, keyid?: string): SignatureResult {
  return { kind: 'failed', code, message, ...(keyid ? { keyid } : {}) };
}
