// What the registry signs and when an earlier signature may still be served. The message is npm's:
// `${name}@${version}:${integrity}`, ECDSA P-256 / SHA-256, DER, base64. Signing is deterministic
// (RFC 6979), so re-signing the same message gives the same bytes.
import { createHash } from 'node:crypto';
import type { KeyRing } from './keys.js';
import type { VersionRecord } from './records.js';

export const signedMessage = (name: string, version: string, integrity: string): string => `${name}@${version}:${integrity}`;

/** pacote's publish time for a version missing from `time` (its MISSING_TIME_CUTOFF). */
export const MISSING_TIME_CUTOFF = new Date('2015-01-01T00:00:00.000Z');

/** sha512 SRI of tarball bytes. */
export function sha512Integrity(bytes: Uint8Array): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** sha512 SRI of a stream of tarball bytes. */
export async function sha512IntegrityOfStream(stream: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/** Signs one version with the active key. */
export async function signVersion(
  ring: Pick<KeyRing, 'active'>,
  name: string,
  version: string,
  integrity: string,
  source: VersionRecord['source'],
): Promise<VersionRecord> {
  const sig = await ring.active.sign(Buffer.from(signedMessage(name, version, integrity)));
  return { integrity, keyid: ring.active.keyid, sig: sig.toString('base64'), source };
}

/**
 * A recorded signature is served only while a client can check it: its key is still listed, not
 * revoked, and had not expired when the version was published (npm compares the key's `expires` with
 * `time[version]`). Otherwise the recorded integrity (computed at publish, so still trusted) is
 * re-signed with the active key.
 */
export function isServable(record: VersionRecord, ring: KeyRing, publishedAt: Date): boolean {
  const key = ring.keys.find((k) => k.keyid === record.keyid);
  if (!key || key.revoked) return false;
  return key.expires === null || publishedAt.getTime() < key.expires.getTime();
}

/**
 * A stored publish attestation is served only while its key is listed, not revoked and not expired
 * now: it carries no signed time, so a client cannot place it before an expiry. Otherwise it is
 * re-issued with the active key (`vouch registry rotate` does that for every version at once).
 */
export function isAttestationKeyServable(keyid: string | undefined, ring: KeyRing, now: Date): boolean {
  const key = ring.keys.find((k) => k.keyid === keyid);
  if (!key || key.revoked) return false;
  return key.expires === null || now.getTime() < key.expires.getTime();
}

/** `time[version]` as a Date, with pacote's fallback for a missing or unreadable value. */
export function publishTime(time: unknown, version: string): Date {
  const raw = typeof time === 'object' && time !== null ? (time as Record<string, unknown>)[version] : undefined;
  const parsed = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isNaN(parsed) ? MISSING_TIME_CUTOFF : new Date(parsed);
}
