// Trust tiers: how strongly a version's publish is vouched for, and "no-downgrade" within a release line.
// A version's own tier comes from verified evidence only. Earlier versions come from two places: verified
// ones (this run, vouch.lock) and the packument's claims, which nobody signs and which therefore only add
// a second, stricter comparison: they can deny a version, never allow one. docs/policy.md, "Trust tiers". Pure.
import semver from 'semver';
import type { LockVersion, Lock } from '../lock/types.js';
import type { PackageEvidence, TierClaims } from '../verify/index.js';
import { attestedOf, releaseTimeOf } from './evidence.js';
import { compareStrings } from '../files/index.js';
import { approveHint, finding, label, policyDate } from './findings.js';
import type { Settings } from './match.js';
import type { TierSetting } from './policy.js';
import type { Finding, FindingCode } from './report.js';

/** Highest first. */
export const TIERS = ['staged', 'trusted-publisher', 'provenance', 'publisher', 'registry', 'none'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * What no-downgrade compares. Trusted publishing and provenance share a rank: both are a build in the
 * project's CI, and moving from one to the other is not a takeover (pnpm #10622 denies it; vouch does not).
 */
const RANK: Record<Tier, number> = { staged: 4, 'trusted-publisher': 3, provenance: 3, publisher: 2, registry: 1, none: 0 };

const WORDS: Record<Tier, string> = {
  staged: 'an approved staged publish',
  'trusted-publisher': 'trusted publishing',
  provenance: 'provenance',
  publisher: 'a publisher signature',
  registry: 'a registry signature only',
  none: 'no signature at all',
};

export const tierWords = (tier: Tier): string => WORDS[tier];

/** A version's tier from what vouch verified itself: provenance, a publisher attestation, a registry signature. */
export function verifiedTierOf(e: PackageEvidence): Tier {
  const attested = attestedOf(e);
  if (attested) return attested;
  return e.signature?.kind === 'verified' ? 'registry' : 'none';
}

/** The tier vouch.lock recorded for a version an earlier run verified. */
export function lockedTierOf(v: LockVersion): Tier {
  if (v.attested) return v.attested;
  return v.registryKey !== undefined ? 'registry' : 'none';
}

/** The tier the packument claims (unsigned). Trusted publishing counts only with provenance advertised (pnpm #11911). */
export function claimedTierOf(c: TierClaims): Tier {
  if (c.approver) return 'staged';
  if (c.provenance) return c.trustedPublisher ? 'trusted-publisher' : 'provenance';
  if (c.publisher) return 'publisher';
  return c.signed ? 'registry' : 'none';
}

/** What reports show: the verified tier, and the registry's claim when it says more (unsigned). */
export interface TierView {
  tier: Tier;
  claimed?: Tier;
}

export function tierViewOf(e: PackageEvidence): TierView {
  const tier = verifiedTierOf(e);
  const own = e.registryClaims?.own;
  if (!own) return { tier };
  const claimed = claimedTierOf(own);
  return claimed !== tier && RANK[claimed] >= RANK[tier] ? { tier, claimed } : { tier };
}

/**
 * One release line, as a caret range draws it: the same major; under 1.0.0 the same minor; under 0.1.0
 * the version alone (^0.0.3 is 0.0.3 only).
 */
export function sameLine(a: string, b: string): boolean {
  const x = semver.parse(a);
  const y = semver.parse(b);
  if (!x || !y || x.major !== y.major) return false;
  if (x.major > 0) return true;
  if (x.minor !== y.minor) return false;
  return x.minor > 0 || x.patch === y.patch;
}

/** An earlier version's tier and where vouch saw it. */
export interface TierBaseline {
  version: string;
  tier: Tier;
  from: 'vouch.lock' | 'this run' | 'registry metadata (unsigned)';
}

/** Per package name: verified tiers of versions vouch.lock records and this run verified. */
export type TierHistory = ReadonlyMap<string, readonly TierBaseline[]>;

export function buildTierHistory(evidence: readonly PackageEvidence[], lock: Lock): TierHistory {
  const history = new Map<string, TierBaseline[]>();
  const add = (name: string, b: TierBaseline) => {
    if (b.tier !== 'none') history.set(name, [...(history.get(name) ?? []), b]);
  };
  for (const [name, pkg] of Object.entries(lock.packages)) {
    for (const [version, v] of Object.entries(pkg.versions)) add(name, { version, tier: lockedTierOf(v), from: 'vouch.lock' });
  }
  for (const e of evidence) if (!e.unverifiable) add(e.ref.name, { version: e.ref.version, tier: verifiedTierOf(e), from: 'this run' });
  return history;
}

// The older codes keep deciding the losses they already judged: provenance, a publisher signature, a
// registry signature. TIER_DOWNGRADE is not added on top of one of them at the same or a higher severity.
const OLDER_CODES: readonly FindingCode[] = ['PROVENANCE_DOWNGRADE', 'SIGNATURE_DOWNGRADE'];

/** TIER_DOWNGRADE: this version's tier is below the highest tier an earlier version of its line had. */
export function tierFindings(e: PackageEvidence, settings: Settings, history: TierHistory, found: readonly Finding[]): Finding[] {
  const { value: setting, rule } = settings.tier;
  if (setting.mode === 'off' || !judged(e, setting)) return [];
  // A signature or attestation that failed to verify is already a deny of its own; the tier it leaves is not news.
  if (e.signature?.kind === 'failed' || e.attestations?.kind === 'failed') return [];
  const { name, version } = e.ref;
  const tier = verifiedTierOf(e);
  const verified = strongest((history.get(name) ?? []).filter((b) => counts(b, version, setting)));
  const claims = e.registryClaims;
  const own = claims ? higher(tier, claimedTierOf(claims.own)) : tier;
  const claimed = strongest(
    (claims?.earlier ?? [])
      .map((c): TierBaseline => ({ version: c.version, tier: claimedTierOf(c.claims), from: 'registry metadata (unsigned)' }))
      .filter((b) => counts(b, version, setting)),
  );
  // The verified comparison first; the claimed one only where it is stricter.
  let lost: { baseline: TierBaseline; tier: Tier } | null = null;
  if (verified && RANK[verified.tier] > RANK[tier]) lost = { baseline: verified, tier };
  if (claimed && RANK[claimed.tier] > RANK[own] && (!lost || RANK[claimed.tier] > RANK[lost.baseline.tier])) lost = { baseline: claimed, tier: own };
  if (!lost) return [];
  const severity = setting.mode === 'warn' ? 'warn' : 'deny';
  const older = found.some((f) => OLDER_CODES.includes(f.code) && (f.severity === 'deny' || severity === 'warn'));
  if (older && RANK[lost.baseline.tier] <= RANK.provenance) return [];
  const { baseline } = lost;
  const where =
    baseline.version === version
      ? `vouch.lock recorded ${tierWords(baseline.tier)} for this very version`
      : `${label(name, baseline.version)} had ${tierWords(baseline.tier)} (${baseline.from})`;
  return [
    finding(
      'TIER_DOWNGRADE',
      severity,
      `${label(name, version)} comes with ${tierWords(lost.tier)}, but ${where}, in the same release line`,
      rule,
      approveHint(name, version),
    ),
  ];
}

/** Whether the setting judges this version at all: a prerelease only when asked, nothing released before enforceSince. */
function judged(e: PackageEvidence, setting: TierSetting): boolean {
  const { version } = e.ref;
  if (!semver.valid(version)) return false;
  if (!setting.includePrereleases && semver.prerelease(version) !== null) return false;
  if (setting.enforceSince === undefined) return true;
  // No release time at all: judged (fail closed).
  const released = releaseTimeOf(e);
  return !released || released.time.getTime() >= policyDate(setting.enforceSince).getTime();
}

/** An earlier version of the same line; vouch.lock's record of this very version counts too (a mirror stripping it). */
function counts(b: TierBaseline, version: string, setting: TierSetting): boolean {
  if (!semver.valid(b.version) || !sameLine(b.version, version)) return false;
  if (!setting.includePrereleases && semver.prerelease(b.version) !== null) return false;
  return b.from === 'vouch.lock' ? semver.lte(b.version, version) : semver.lt(b.version, version);
}

/** The highest tier; among equals the highest version, then the verified source. */
function strongest(list: readonly TierBaseline[]): TierBaseline | null {
  const sorted = [...list].sort((a, b) => RANK[b.tier] - RANK[a.tier] || semver.rcompare(a.version, b.version) || compareStrings(a.from, b.from));
  return sorted[0] ?? null;
}

const higher = (a: Tier, b: Tier): Tier => (RANK[b] > RANK[a] ? b : a);
