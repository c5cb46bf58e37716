// Key endorsements: how a registry key vouches for its successor across a rotation. The keys endpoint
// lists, on the new key's entry, `endorsements: [{keyid, sig}]` — signatures by other registry keys over
// `vouch:key-endorsement:v1 <keyid> <key>` (the endorsed entry's own keyid and base64 SPKI DER). A
// consumer that pinned the old key accepts the new one because the old one signed it. Shared by the
// registry plugin (which signs) and the consumer (which checks). Pure: no I/O; checks never throw.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { keyIdOf } from '../keys/index.js';
import type { RawSigner } from '../sign/signer.js';

/** A keys-endpoint entry as far as endorsements care: its key id and base64 SPKI DER. */
export interface EndorsableKey {
  keyid: string;
  /** Base64 SPKI DER. */
  key: string;
}

/** One element of an entry's `endorsements`: the endorsing key's id and its base64 DER ECDSA signature. */
export interface KeyEndorsement {
  keyid: string;
  sig: string;
}

export const ENDORSEMENT_CONTEXT = 'vouch:key-endorsement:v1';

/** Upper bound on the endorsements read from one (untrusted) keys-endpoint entry. */
export const ENDORSEMENTS_MAX_PER_KEY = 16;

/** The exact UTF-8 message an endorsement signs: context, keyid and key, one space between the parts. */
export function endorsementMessage(keyid: string, key: string): string {
  return `${ENDORSEMENT_CONTEXT} ${keyid} ${key}`;
}

/**
 * True when `entry.keyid` is the OpenSSH SHA256 fingerprint of `entry.key` (an ECDSA P-256 SPKI), as
 * npm's key ids are. A registry can list any keyid next to any key; a consumer that matches signatures
 * by keyid must check this before trusting the pairing. Garbage is false, never an exception.
 */
export function keyIdMatches(entry: { keyid: unknown; key: unknown }): boolean {
  if (typeof entry.keyid !== 'string' || typeof entry.key !== 'string') return false;
  const key = p256PublicKey(entry.key);
  if (!key) return false;
  try {
    return keyIdOf(key) === entry.keyid;
  } catch {
    return false;
  }
}

/**
 * True when `endorsement` is a valid signature by `endorser` over `endorsed`: the endorsement names the
 * endorser, both entries' keyids are their keys' fingerprints, the endorser is another P-256 key (a key
 * endorsing itself proves nothing), and the ECDSA P-256 / SHA-256 DER signature verifies.
 * Every input is untrusted: anything malformed is false, never an exception.
 */
export function checkEndorsement(endorsed: EndorsableKey, endorsement: KeyEndorsement, endorser: EndorsableKey): boolean {
  try {
    if (typeof endorsement.keyid !== 'string' || typeof endorsement.sig !== 'string') return false;
    if (endorsement.keyid !== endorser.keyid || endorser.keyid === endorsed.keyid) return false;
    if (!keyIdMatches(endorsed) || !keyIdMatches(endorser)) return false;
    const key = p256PublicKey(endorser.key);
    const sig = strictBase64(endorsement.sig);
    if (!key || !sig) return false;
    return verify('sha256', Buffer.from(endorsementMessage(endorsed.keyid, endorsed.key), 'utf8'), key, sig);
  } catch {
    return false;
  }
}

/**
 * The keyids among `trusted` (e.g. keys pinned in vouch.lock) that validly endorse `entry`, reading at
 * most ENDORSEMENTS_MAX_PER_KEY of its `endorsements` (a raw keys-endpoint entry: any shape).
 */
export function endorsersOf(entry: EndorsableKey & { endorsements?: unknown }, trusted: readonly EndorsableKey[]): string[] {
  const list = Array.isArray(entry.endorsements) ? entry.endorsements.slice(0, ENDORSEMENTS_MAX_PER_KEY) : [];
  const found = new Set<string>();
  for (const raw of list) {
    if (typeof raw !== 'object' || raw === null) continue;
    const endorsement = raw as KeyEndorsement;
    const endorser = trusted.find((t) => t.keyid === endorsement.keyid);
    if (endorser && checkEndorsement(entry, endorsement, endorser)) found.add(endorser.keyid);
  }
  return [...found].sort();
}

/** Signs an endorsement of `endorsed` with `signer` (RFC 6979 for P-256 key signers: stable bytes). */
export async function signEndorsement(endorsed: EndorsableKey, signer: RawSigner): Promise<KeyEndorsement> {
  const sig = await signer.sign(Buffer.from(endorsementMessage(endorsed.keyid, endorsed.key), 'utf8'));
  return { keyid: signer.keyid, sig: sig.toString('base64') };
}

/** A P-256 public key from base64 SPKI DER, or undefined for anything else. */
function p256PublicKey(spkiBase64: string): KeyObject | undefined {
  const der = strictBase64(spkiBase64);
  if (!der) return undefined;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 that round-trips exactly (Buffer.from silently skips invalid characters), or undefined. */
function strictBase64(text: string): Buffer | undefined {
  if (text === '' || text.length > 4096 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
