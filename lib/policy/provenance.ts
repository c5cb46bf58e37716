// Provenance requirements: "require" (or a rule identity) needs verified provenance; "no-downgrade"
// denies a version without it when an earlier version BY SEMVER had it. Publish dates are not used:
// a semver@6 patch released after semver@7 is a different line, not a downgrade (pnpm #10202).
import semver from 'semver';
import type { Attested, Lock } from '../lock/types.js';
import type { PackageEvidence } from '../verify/index.js';
import { attestedOf } from './evidence.js';
import { compareStrings } from '../files/index.js';
import { approveHint, finding, label } from './findings.js';
import type { Settings } from './match.js';
import type { Finding } from './report.js';

/** An earlier version's attestation level, and where vouch saw it. */
export interface Baseline {
  version: string;
  attested: Attested;
  from: 'vouch.lock' | 'this run';
}

/** Per package name: the attested versions vouch.lock records and this run verified. */
export type History = ReadonlyMap<string, readonly Baseline[]>;

export function buildHistory(evidence: readonly PackageEvidence[], lock: Lock): History {
  const history = new Map<string, Baseline[]>();
  const add = (name: string, b: Baseline) => history.set(name, [...(history.get(name) ?? []), b]);
  for (const [name, pkg] of Object.entries(lock.packages)) {
    for (const [version, v] of Object.entries(pkg.versions)) if (v.attested) add(name, { version, attested: v.attested, from: 'vouch.lock' });
  }
  for (const e of evidence) {
    const attested = attestedOf(e);
    if (attested) add(e.ref.name, { version: e.ref.version, attested, from: 'this run' });
  }
  return history;
}

export function provenanceFindings(e: PackageEvidence, settings: Settings, history: History): Finding[] {
  const { name, version } = e.ref;
  const id = label(name, version);
  const level = attestedOf(e);
  const mode = settings.provenance;
  if (mode.value === 'require' || settings.identity) {
    if (level === 'provenance') return [];
    const rule = mode.value === 'require' ? mode.rule : (settings.identity?.rule ?? mode.rule);
    return [finding('PROVENANCE_MISSING', 'deny', `${id} has no verified provenance; ${rule} requires it`, rule, approveHint(name, version))];
  }
  if (mode.value === 'off') return [];
  const baseline = downgradeBaseline(name, version, level, history);
  if (baseline) {
    const lost = baseline.attested === 'provenance' ? 'verified provenance' : 'a verified publisher signature or provenance';
    const where = baseline.version === version ? 'vouch.lock recorded it for this very version' : `${label(name, baseline.version)} had it (${baseline.from})`;
    return [
      finding('PROVENANCE_DOWNGRADE', mode.value === 'warn' ? 'warn' : 'deny', `${id} has no ${lost}, but ${where}`, mode.rule, approveHint(name, version)),
    ];
  }
  if (mode.value === 'warn' && level !== 'provenance') {
    return [finding('PROVENANCE_MISSING', 'warn', `${id} has no verified provenance`, mode.rule)];
  }
  return [];
}

/**
 * The highest earlier version (by semver) whose attestation this version lacks. vouch.lock entries of
 * the same version count too (a mirror that strips attestations from a recorded version is a downgrade).
 * Prereleases are baselines only for prereleases.
 */
export function downgradeBaseline(name: string, version: string, level: Attested | undefined, history: History): Baseline | null {
  if (level === 'provenance') return null;
  if (!semver.valid(version)) return null;
  const stable = semver.prerelease(version) === null;
  const candidates = (history.get(name) ?? []).filter((b) => {
    if (!semver.valid(b.version)) return false;
    if (stable && semver.prerelease(b.version) !== null) return false;
    const earlier = b.from === 'vouch.lock' ? semver.lte(b.version, version) : semver.lt(b.version, version);
    if (!earlier) return false;
    return b.attested === 'provenance' || level === undefined;
  });
  candidates.sort((a, b) => semver.rcompare(a.version, b.version) || compareStrings(a.from, b.from));
  return candidates[0] ?? null;
}
