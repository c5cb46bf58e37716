// After a successful run: record every allowed version and, on first sight, its package's identity.
// A pinned identity is never overwritten here (only `vouch approve` re-pins); it may only gain
// fields it lacked, when the new evidence contradicts none of its fields.
import { withoutCredentials } from '../config/index.js';
import { approvalIdentities, attestedOf, evidenceDigest, extendIdentity, identityChanges, identityDigest, identityOf } from '../policy/index.js';
import { compareStrings, compareVersions } from '../files/index.js';
import type { PackageVerdict, Report } from '../policy/index.js';
import type { PackageEvidence } from '../verify/index.js';
import { serializeLock } from './serialize.js';
import type { Lock, LockIdentity, LockPackage, LockRegistryLog, LockVersion } from './types.js';

/** The lock with this report's allowed (and warned) registry packages recorded. Pure. */
export function recordVerified(lock: Lock, report: Report): Lock {
  const next: Lock = structuredClone(lock);
  // Registry keys: the trusted set (first seen, endorsed or approved) and every revocation, per registry.
  // Keyed by the registry's identity: a password in its URL is never written to a committed file.
  for (const [url, pin] of Object.entries(report.registryPins)) (next.registries ??= {})[withoutCredentials(url)] = structuredClone(pin);
  // A signing log's newest checkpoint moves with every publish: recorded only when the lock changes anyway.
  const logs = keepRecordedCheckpoints(next, lock);
  const recordable = report.verdicts
    .filter((v): v is PackageVerdict => v.kind === 'package' && v.decision !== 'deny' && v.status !== 'unverifiable')
    .sort((a, b) => compareStrings(a.ref.name, b.ref.name) || compareVersions(a.ref.version, b.ref.version));
  for (const v of recordable) {
    const pkg: LockPackage = (next.packages[v.ref.name] ??= { versions: {} });
    const earlier = pkg.versions[v.ref.version];
    const entry = versionEntry(v.evidence);
    pkg.versions[v.ref.version] = entry;
    const identity = identityOf(v.evidence);
    if (!identity) continue;
    if (!pkg.identity || Object.keys(pkg.identity).length === 0) pkg.identity = identity;
    else if (identityChanges(pkg.identity, identity).length === 0) extendPin(pkg, identity);
    entry.identity = acceptedUnder(pkg, identity, earlier?.identity);
  }
  if (serializeLock(next) !== serializeLock(lock)) for (const [url, log] of logs) next.registries![url]!.log = log;
  return next;
}

/**
 * Puts back the checkpoint `lock` recorded for each registry whose log key is unchanged; returns the newer
 * checkpoints it held back, to record when the lock is written anyway.
 */
function keepRecordedCheckpoints(next: Lock, lock: Lock): Map<string, LockRegistryLog> {
  const held = new Map<string, LockRegistryLog>();
  for (const [url, registry] of Object.entries(next.registries ?? {})) {
    const recorded = lock.registries?.[url]?.log;
    if (!registry.log || !recorded || recorded.key !== registry.log.key || recorded.size > registry.log.size) continue;
    held.set(url, registry.log);
    registry.log = { ...recorded };
  }
  return held;
}

/**
 * The pin gains the fields `identity` adds (it contradicts none); the lines accepted under the pin
 * move with it, so each still names the identity it was accepted under.
 */
function extendPin(pkg: LockPackage, identity: LockIdentity): void {
  const before = pkg.identity as LockIdentity;
  const after = extendIdentity(before, identity);
  const [from, to] = [identityDigest(before), identityDigest(after)];
  if (from === to) return;
  pkg.identity = after;
  for (const line of Object.values(pkg.versions)) if (line.identity === from) line.identity = to;
}

/**
 * Which identity an allowed version was accepted under: the pin when it agrees with it; otherwise the
 * approval identity its line already named (the policy allowed it against that one); otherwise the pin,
 * which the policy allowed it against (a publisher key the policy rotated to, an exception).
 */
function acceptedUnder(pkg: LockPackage, identity: LockIdentity, recorded: string | undefined): string {
  const pin = pkg.identity as LockIdentity;
  if (identityChanges(pin, identity).length === 0 || recorded === undefined) return identityDigest(pin);
  return approvalIdentities(pkg).some((id) => identityDigest(id) === recorded) ? recorded : identityDigest(pin);
}

/** What vouch.lock keeps of one verified version. */
export function versionEntry(e: PackageEvidence): LockVersion {
  const entry: LockVersion = { evidence: evidenceDigest(e) };
  if (e.integrity?.kind === 'ok') entry.integrity = e.integrity.integrity;
  if (e.signature?.kind === 'verified' && e.signature.keyids.length > 0) entry.registryKey = [...e.signature.keyids].sort(compareStrings).join(',');
  const attested = attestedOf(e);
  if (attested) entry.attested = attested;
  return entry;
}
