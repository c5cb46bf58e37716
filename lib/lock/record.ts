// After a successful run: record every allowed version and, on first sight, its package's identity.
// A pinned identity is never overwritten here (only `vouch approve` re-pins); it may only gain
// fields it lacked, when the new evidence contradicts none of its fields.
import { withoutCredentials } from '../config/secrets.js';
import { attestedOf, compareStrings, compareVersions, evidenceDigest, extendIdentity, identityChanges, identityOf } from '../policy/index.js';
import type { PackageVerdict, Report } from '../policy/index.js';
import type { PackageEvidence } from '../verify/types.js';
import type { Lock, LockPackage, LockVersion } from './types.js';

/** The lock with this report's allowed (and warned) registry packages recorded. Pure. */
export function recordVerified(lock: Lock, report: Report): Lock {
  const next: Lock = structuredClone(lock);
  // Registry keys: the trusted set (first seen, endorsed or approved) and every revocation, per registry.
  // Keyed by the registry's identity: a password in its URL is never written to a committed file.
  for (const [url, pin] of Object.entries(report.registryPins)) (next.registries ??= {})[withoutCredentials(url)] = structuredClone(pin);
  const recordable = report.verdicts
    .filter((v): v is PackageVerdict => v.kind === 'package' && v.decision !== 'deny' && v.status !== 'unverifiable')
    .sort((a, b) => compareStrings(a.ref.name, b.ref.name) || compareVersions(a.ref.version, b.ref.version));
  for (const v of recordable) {
    const pkg: LockPackage = (next.packages[v.ref.name] ??= { versions: {} });
    pkg.versions[v.ref.version] = versionEntry(v.evidence);
    const identity = identityOf(v.evidence);
    if (!identity) continue;
    if (!pkg.identity || Object.keys(pkg.identity).length === 0) pkg.identity = identity;
    else if (identityChanges(pkg.identity, identity).length === 0) pkg.identity = extendIdentity(pkg.identity, identity);
  }
  return next;
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
