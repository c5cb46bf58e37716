// The diff's report: each change with the evidence the gate gathered for its head version and the
// policy's verdict, the diff's own findings folded into that verdict. The Report it carries holds only
// what changed, so the exit code and SARIF come from the same code as vouch verify's. Pure.
import {
  applyExceptions,
  attestedOf,
  decide,
  identityOf,
  releaseTimeOf,
  summarize,
  type Decision,
  type Finding,
  type PackageVerdict,
  type Report,
  type SourceVerdict,
  type Verdict,
  type WaivedFinding,
} from '../policy/index.js';
import type { Policy } from '../policy/policy.js';
import { compareStrings } from '../files/index.js';
import type { EvidenceStatus } from '../verify/index.js';
import type { PackageChange } from './changes.js';
import type { FindingsByLocation } from './findings.js';
import { isInNodeModules, type Lockfile } from './lockfile.js';

/** What the registry's manifest of a version says, beyond the signed evidence (unsigned, shown for review). */
export interface VersionInfo {
  /** preinstall / install / postinstall, as the registry's manifest lists them. */
  scripts: Record<string, string>;
  /** packument `time[version]`. */
  publishedAt: Date | null;
}

/** A change as the reviewer reads it; `kind: 'unchanged'` is an entry this change left alone that a lockfile finding names. */
export interface DiffEntry extends Omit<PackageChange, 'kind'> {
  kind: PackageChange['kind'] | 'unchanged';
  /**
   * The verdict on the head version; null for a removal (nothing of it is installed). An entry the gate
   * does not verify on its own (a workspace link, a bundled package) is `allow` with a null status.
   */
  decision: Decision | null;
  status: EvidenceStatus | 'unverifiable' | null;
  findings: Finding[];
  waived?: WaivedFinding[];
  /** When it was released: a transparency-log time where there is one, else the packument time. */
  released: { time: Date; source: string } | null;
  /** The verified provenance: repository and workflow from the Fulcio certificate. */
  provenance: { repository: string | null; workflow: string | null; issuer: string | null } | null;
  /** The strongest attestation verified: provenance, a publisher signature, or none. */
  attested: 'provenance' | 'publisher' | null;
  /** The trust tier the verdict carries, when the policy stage assigns one. */
  tier: string | null;
  /** Install scripts by the registry's manifest; null when unknown (not a registry package, or not fetched). */
  scripts: Record<string, string> | null;
}

export interface DiffReport {
  entries: DiffEntry[];
  /** The verdicts of the changed packages, diff findings included: exit code and SARIF. */
  report: Report;
}

export interface AssembleInput {
  changes: readonly PackageChange[];
  head: Lockfile;
  /** The gate over the head versions of the changes (and of the entries lockfile findings name). */
  gate: Report;
  findings: FindingsByLocation;
  info: (name: string, version: string) => VersionInfo | undefined;
  policy: Policy;
  now: Date;
}

export function assembleDiff(input: AssembleInput): DiffReport {
  const all: (Omit<PackageChange, 'kind'> & { kind: DiffEntry['kind'] })[] = [...input.changes];
  const covered = new Set(input.changes.filter((c) => c.kind !== 'removed').flatMap((c) => c.locations));
  for (const location of input.findings.keys()) {
    const entry = input.head.entries.get(location);
    if (covered.has(location) || !entry || !isInNodeModules(location)) continue;
    all.push(unchangedEntry(entry.name, entry.version, location, entry.resolved, entry.integrity, entry.hasInstallScript, entry.link));
  }
  const judged = new Map<Verdict, Verdict>();
  const entries = all.map((c) => entryFor(c, input, judged));
  const verdicts = [...new Set(judged.values())];
  const report = reportOf(input.gate, verdicts);
  return { entries: entries.sort(compareEntries), report };
}

function entryFor(c: Omit<PackageChange, 'kind'> & { kind: DiffEntry['kind'] }, input: AssembleInput, judged: Map<Verdict, Verdict>): DiffEntry {
  const info = c.version ? input.info(c.name, c.version) : undefined;
  const base = { ...c, released: null, provenance: null, attested: null, tier: null, scripts: info?.scripts ?? null };
  if (c.kind === 'removed') return { ...base, decision: null, status: null, findings: [] };
  const found = input.gate.verdicts.find((v) => v.ref.locations.some((l) => c.locations.includes(l)) && (v.kind === 'source' || v.ref.name === c.name));
  // A verdict covers every location of its name@version: the diff findings of all of them are its own.
  const own = (found ? found.ref.locations : c.locations).flatMap((l) => input.findings.get(l) ?? []);
  // Not verified on its own (a link to a workspace, a package bundled in another's tarball) and nothing to say.
  if (!found && own.length === 0) return { ...base, decision: 'allow', status: null, findings: [] };
  const verdict = found ? (judged.get(found) ?? withFindings(found, own, input)) : orphanVerdict(c, own, input);
  if (found) judged.set(found, verdict);
  else judged.set(verdict, verdict);
  const entry: DiffEntry = {
    ...base,
    decision: verdict.decision,
    status: verdict.status,
    findings: verdict.findings,
    ...(verdict.waived ? { waived: verdict.waived } : {}),
  };
  if (verdict.kind !== 'package') return entry;
  const released = releaseTimeOf(verdict.evidence) ?? (info?.publishedAt ? { time: info.publishedAt, source: 'packument time (unsigned)' } : null);
  const identity = identityOf(verdict.evidence);
  return {
    ...entry,
    released,
    provenance: identity?.issuer ? { repository: identity.repository ?? null, workflow: identity.workflow ?? null, issuer: identity.issuer } : null,
    attested: attestedOf(verdict.evidence) ?? null,
    tier: tierOf(verdict),
  };
}

// The verdict with the diff's findings added: exceptions apply to them as to the gate's own.
function withFindings<V extends Verdict>(v: V, extra: readonly Finding[], input: AssembleInput): V {
  if (extra.length === 0) return v;
  const version = v.kind === 'package' ? v.ref.version : null;
  const excepted = applyExceptions(v.ref.name, version, extra, input.policy, input.now);
  const findings = [...v.findings, ...excepted.findings];
  const waived = [...(v.waived ?? []), ...excepted.waived];
  return { ...v, findings, decision: decide(findings), ...(waived.length > 0 ? { waived } : {}) };
}

// An entry the gate has no verdict for (a link, a folder vouch does not verify) that a diff finding names:
// a verdict of its own, so the finding still decides the exit code and annotates the lockfile.
function orphanVerdict(c: Omit<PackageChange, 'kind'>, extra: readonly Finding[], input: AssembleInput): SourceVerdict {
  const location = c.locations[0] ?? '';
  const v: SourceVerdict = {
    kind: 'source',
    ref: { name: c.name, kind: 'directory', spec: c.resolved.after ?? location, locations: [...c.locations] },
    status: 'unverifiable',
    decision: 'allow',
    findings: [],
  };
  return withFindings(v, extra, input);
}

/** The hook for trust tiers: a verdict that carries a `tier` (the policy stage assigns one) shows it. */
function tierOf(v: PackageVerdict): string | null {
  const tier: unknown = (v as PackageVerdict & { tier?: unknown }).tier;
  return typeof tier === 'string' ? tier : null;
}

function unchangedEntry(
  name: string,
  version: string | null,
  location: string,
  resolved: string | null,
  integrity: string | null,
  hasInstallScript: boolean,
  link: boolean,
): Omit<PackageChange, 'kind'> & { kind: 'unchanged' } {
  return {
    kind: 'unchanged',
    name,
    version,
    from: [],
    locations: [location],
    changed: [],
    resolved: { before: resolved, after: resolved },
    integrity: { before: integrity, after: integrity },
    newDependencies: [],
    hasInstallScript,
    hadInstallScript: hasInstallScript,
    link,
  };
}

function reportOf(gate: Report, verdicts: Verdict[]): Report {
  const sorted = verdicts.sort((a, b) => compareStrings(a.ref.name, b.ref.name) || compareStrings(versionOf(a), versionOf(b)));
  return {
    ...gate,
    verdicts: sorted,
    summary: summarize(sorted),
  };
}

const versionOf = (v: Verdict): string => (v.kind === 'package' ? v.ref.version : v.ref.spec);

const ORDER: Record<DiffEntry['kind'], number> = { added: 0, changed: 1, removed: 2, unchanged: 3 };

function compareEntries(a: DiffEntry, b: DiffEntry): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return ORDER[a.kind] - ORDER[b.kind] || ((a.version ?? '') < (b.version ?? '') ? -1 : (a.version ?? '') > (b.version ?? '') ? 1 : 0);
}
