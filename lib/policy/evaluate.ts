// The decision: evidence + policy + vouch.lock + now → one Report. Pure: no I/O, no clock, no
// randomness; the same input gives the same report, in the same order, whatever the fetch order was.
import type { Lock, LockRegistry } from '../lock/types.js';
import { packageKey } from '../tree/index.js';
import type { BinLink, NonRegistryRef } from '../tree/types.js';
import type { VersionChange } from '../tree/version-change.js';
import type { PackageEvidence, RegistryKeysSeen } from '../verify/index.js';
import { statusOf } from './evidence.js';
import { attestationFindings, integrityFindings, resolvedFindings, signatureFindings, unverifiableFindings } from './evidence-findings.js';
import { binFindings } from './bins.js';
import { changeAlertFindings } from './change-alerts.js';
import { installedFileFindings, type InstalledFolder } from './installed-files.js';
import { applyExceptions } from './exceptions.js';
import { finding, label } from './findings.js';
import { buildPins, identityChangedFindings, ruleIdentityFindings, type Pin } from './identity.js';
import { formatPath, compareStrings, compareVersions } from '../files/index.js';
import { resolveSettings } from './match.js';
import { DEFAULT_POLICY_NOTICE, normalizeRegistryUrl, type Policy } from './policy.js';
import { buildHistory, provenanceFindings, type History } from './provenance.js';
import { publisherKeyFindings } from './publisher-keys.js';
import { releaseAgeFindings } from './release-age.js';
import type { Decision, Finding, PackageVerdict, Report, SourceVerdict, Verdict } from './report.js';
import { judgeRegistry, type RegistryJudgement } from './registry-trust.js';
import { signatureDowngradeFindings, signatureTrustFindings } from './signature-trust.js';
import { sourceFindings } from './sources.js';
import { tierNotices } from './tier-lint.js';
import { buildTierHistory, tierFindings, type TierHistory } from './tiers.js';
import { withUnsignedRegistryFindings } from './unsigned-registries.js';

export interface EvaluateInput {
  evidence: readonly PackageEvidence[];
  nonRegistry: readonly NonRegistryRef[];
  /** Each registry's keys as the evidence stage saw them (judged against vouch.lock and the policy here). */
  registries: readonly RegistryKeysSeen[];
  policy: Policy;
  /** vouch.lock as read (an empty lock when there is none). */
  lock: Lock;
  now: Date;
  /** `vouch ci` / `verify --locked`: a version vouch.lock does not record is denied (LOCK_MISSING_ENTRY). */
  locked?: boolean;
  /** The commands the install plan links into .bin folders (BIN_COLLISION, BIN_TOOLCHAIN). */
  bins?: readonly BinLink[];
  /** Updates: versions with the versions they replace (the change alerts). */
  changes?: readonly VersionChange[];
  /** verify --installed: each package folder's files against its verified tarball's. */
  installed?: readonly InstalledFolder[];
}

interface Context {
  policy: Policy;
  lock: Lock;
  now: Date;
  locked: boolean;
  history: History;
  tierHistory: TierHistory;
  pins: ReadonlyMap<string, Pin>;
  registries: ReadonlyMap<string, RegistryJudgement>;
  /** Bin findings by package folder. */
  bins: ReadonlyMap<string, Finding[]>;
  /** Updates by name@version. */
  changes: ReadonlyMap<string, VersionChange[]>;
  /** Installed folders' checks by location. */
  installed: ReadonlyMap<string, InstalledFolder>;
}

export function evaluate(input: EvaluateInput): Report {
  const ctx: Context = {
    policy: input.policy,
    lock: input.lock,
    now: input.now,
    locked: input.locked ?? false,
    history: buildHistory(input.evidence, input.lock),
    tierHistory: buildTierHistory(input.evidence, input.lock),
    pins: buildPins(input.evidence, input.lock),
    registries: judgeRegistries(input),
    bins: binFindings(input.bins ?? [], input.policy),
    changes: byVersion(input.changes ?? []),
    installed: new Map((input.installed ?? []).map((f) => [f.location, f])),
  };
  const verdicts: Verdict[] = [...input.evidence.map((e) => packageVerdict(e, ctx)), ...input.nonRegistry.map((ref) => sourceVerdict(ref, ctx))].sort(
    compareVerdicts,
  );
  return {
    verdicts,
    registries: withUnsignedRegistryFindings(
      [...ctx.registries.values()].map((j) => j.summary),
      verdicts,
      ctx.policy,
    ).sort((a, b) => compareStrings(a.url, b.url)),
    registryPins: pinsOf(ctx.registries, 'pin'),
    registryServed: pinsOf(ctx.registries, 'served'),
    notices: notices(input),
    summary: summarize(verdicts),
  };
}

/** The report's counts of its verdicts. */
export function summarize(verdicts: readonly Verdict[]): Report['summary'] {
  return {
    total: verdicts.length,
    allowed: verdicts.filter((v) => v.decision === 'allow').length,
    warned: verdicts.filter((v) => v.decision === 'warn').length,
    denied: verdicts.filter((v) => v.decision === 'deny').length,
    unverifiable: verdicts.filter((v) => v.kind === 'package' && v.status === 'unverifiable').length,
  };
}

function packageVerdict(e: PackageEvidence, ctx: Context): PackageVerdict {
  const status = statusOf(e);
  const broken = unverifiableFindings(e);
  if (broken.length > 0) return { kind: 'package', ref: e.ref, status, decision: 'deny', findings: broken, evidence: e };
  const { name, version } = e.ref;
  const settings = resolveSettings(ctx.policy, name, version);
  const raw: Finding[] = [
    ...integrityFindings(e),
    ...resolvedFindings(e),
    ...signatureFindings(e, settings, ctx.policy),
    ...attestationFindings(e),
    ...provenanceFindings(e, settings, ctx.history),
    ...ruleIdentityFindings(e, settings),
    ...publisherKeyFindings(e, settings),
    ...identityChangedFindings(e, ctx.pins, ctx.lock, settings),
    ...releaseAgeFindings(e, settings, ctx.now),
    ...lockFindings(e, ctx),
    ...signatureDowngradeFindings(e, ctx.lock),
    ...atLocations(e.ref.locations, ctx.bins),
    ...installedFileFindings(e, ctx.installed, ctx.policy),
    ...changeAlertFindings(e, ctx.changes.get(packageKey(name, version)) ?? [], ctx.policy),
  ];
  raw.push(...tierFindings(e, settings, ctx.tierHistory, raw));
  const keys = signatureTrustFindings({ e, trust: ctx.registries.get(e.ref.registry)?.trust, lock: ctx.lock, policy: ctx.policy, now: ctx.now });
  const excepted = applyExceptions(name, version, [...raw, ...keys.findings], ctx.policy, ctx.now);
  const findings = excepted.findings;
  const waived = [...keys.waived, ...excepted.waived];
  return { kind: 'package', ref: e.ref, status, decision: decide(findings), findings, ...(waived.length > 0 ? { waived } : {}), evidence: e };
}

function sourceVerdict(ref: NonRegistryRef, ctx: Context): SourceVerdict {
  const raw = [...sourceFindings(ref, ctx.policy).findings, ...atLocations(ref.locations, ctx.bins)];
  const { findings, waived } = applyExceptions(ref.name, null, raw, ctx.policy, ctx.now);
  return { kind: 'source', ref, status: 'unverifiable', decision: decide(findings), findings, ...(waived.length > 0 ? { waived } : {}) };
}

function byVersion(changes: readonly VersionChange[]): Map<string, VersionChange[]> {
  const out = new Map<string, VersionChange[]>();
  for (const c of changes) out.set(packageKey(c.name, c.version), [...(out.get(packageKey(c.name, c.version)) ?? []), c]);
  return out;
}

/** Findings about the package folders `locations` (one package can be installed in several). */
function atLocations(locations: readonly string[], byLocation: ReadonlyMap<string, Finding[]>): Finding[] {
  return locations.flatMap((l) => byLocation.get(l) ?? []);
}

// vouch.lock recorded different bytes for this very version (a republish, or a registry serving
// other bytes than before), or, when locked, does not record the version at all.
function lockFindings(e: PackageEvidence, ctx: Context): Finding[] {
  const { name, version } = e.ref;
  const recorded = ctx.lock.packages[name]?.versions[version];
  const rule = `vouch.lock:${formatPath(['packages', name, 'versions', version])}`;
  if (!recorded) {
    if (!ctx.locked) return [];
    return [
      finding(
        'LOCK_MISSING_ENTRY',
        'deny',
        `${label(name, version)} is in package-lock.json but vouch.lock does not record it`,
        rule,
        'run `vouch install` and commit the updated vouch.lock',
      ),
    ];
  }
  const integrity = e.integrity?.kind === 'ok' ? e.integrity.integrity : undefined;
  if (recorded.integrity === undefined || integrity === undefined || recorded.integrity === integrity) return [];
  return [
    finding(
      'INTEGRITY_MISMATCH',
      'deny',
      `${label(name, version)} has integrity ${integrity}, but vouch.lock recorded ${recorded.integrity} when it was verified`,
      rule,
      `if the registry really republished this version, accept the new bytes: vouch approve ${label(name, version)} --reason "…"`,
    ),
  ];
}

export function decide(findings: readonly Finding[]): Decision {
  if (findings.some((f) => f.severity === 'deny')) return 'deny';
  return findings.length > 0 ? 'warn' : 'allow';
}

function compareVerdicts(a: Verdict, b: Verdict): number {
  const byName = compareStrings(a.ref.name, b.ref.name);
  if (byName !== 0) return byName;
  if (a.kind === 'package' && b.kind === 'package') return compareVersions(a.ref.version, b.ref.version);
  if (a.kind !== b.kind) return a.kind === 'package' ? -1 : 1;
  return compareStrings(a.kind === 'source' ? a.ref.spec : '', b.kind === 'source' ? b.ref.spec : '');
}

/** Each registry's keys judged against vouch.lock's pins and the policy (registry-trust.ts). */
function judgeRegistries(input: EvaluateInput): Map<string, RegistryJudgement> {
  const judged = new Map<string, RegistryJudgement>();
  for (const seen of input.registries) {
    judged.set(
      seen.url,
      judgeRegistry({ seen, pinned: input.lock.registries?.[seen.url], policy: input.policy.registries.get(normalizeRegistryUrl(seen.url)) }),
    );
  }
  return judged;
}

function pinsOf(judged: ReadonlyMap<string, RegistryJudgement>, which: 'pin' | 'served'): Record<string, LockRegistry> {
  const out: Record<string, LockRegistry> = {};
  for (const [url, j] of judged) {
    const entry = j[which];
    if (entry) out[url] = entry;
  }
  return out;
}

function notices(input: EvaluateInput): string[] {
  const out: string[] = [];
  if (input.policy.source === 'default') out.push(DEFAULT_POLICY_NOTICE);
  out.push(...tierNotices(input.policy, input.now));
  for (const r of [...input.registries].sort((a, b) => compareStrings(a.url, b.url))) {
    const marked = input.policy.registries.get(normalizeRegistryUrl(r.url));
    if (marked?.keys === 'none' && (r.state === 'served' || r.state === 'pinned')) {
      out.push(`${marked.path} says keys "none", but ${r.url} publishes keys: its signatures are verified anyway`);
    }
  }
  return out;
}
