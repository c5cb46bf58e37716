// Registry key endorsements: a registry rotating its key publishes, beside the new key, a signature by
// the old key over it, so a consumer that pinned the old key can trust the new one. Pure checks.
import { verify } from 'node:crypto';
import { keyIdOf, toPublicKey } from '../sign/key-id.js';

/** The exact bytes an endorsement signs: the endorsed key's id and base64 SPKI DER. */
export function endorsementMessage(keyid: string, key: string): string {
  return `vouch:key-endorsement:v1 ${keyid} ${key}`;
}

/** Whether `endorser` signed `endorsed` with `endorsement` (ECDSA P-256 / SHA-256, DER). Never throws. */
export function checkEndorsement(endorsed: { keyid: string; key: string }, endorsement: { keyid: string; sig: string }, endorser: { keyid: string; key: string }): boolean {
  if (endorsement.keyid !== endorser.keyid) return false;
  try {
    return verify('sha256', Buffer.from(endorsementMessage(endorsed.keyid, endorsed.key)), toPublicKey(endorser.key), Buffer.from(endorsement.sig, 'base64'));
  } catch {
    return false;
  }
}

/** Whether a key's id is the fingerprint of its key material (so an id names exactly one key). Never throws. */
export function keyIdMatches(entry: { keyid: string; key: string }): boolean {
  try {
    return keyIdOf(entry.key) === entry.keyid;
  } catch {
    return false;
  }
}
