// Trust claims a packument makes about each version (staged approval, trusted publishing, advertised
// provenance, registry signatures), and for one version the strongest claims earlier versions made.
// Registry metadata nobody signs: the policy reads it only to tighten (lib/policy/tiers.ts). Pure.
import semver from 'semver';
import { PREDICATE_PUBLISHER, type RegistryClaims, type TierClaims } from '../verify/index.js';

const CLAIMS = ['approver', 'trustedPublisher', 'provenance', 'publisher', 'signed'] as const;

/** What `_npmUser` says, kept per version while the packument is in memory (the rest is dropped). */
export function npmUserClaims(npmUser: unknown): TierClaims {
  const user = (typeof npmUser === 'object' && npmUser !== null ? npmUser : {}) as Record<string, unknown>;
  const out: TierClaims = {};
  // npm writes objects here ({name, email} / {id, oidcConfigId}); anything else present is not a claim.
  if (isObject(user.approver)) out.approver = true;
  if (isObject(user.trustedPublisher)) out.trustedPublisher = true;
  return out;
}

/** A version's claims: its `_npmUser` claims plus what its dist advertises. */
export function versionClaims(stored: unknown): TierClaims {
  const v = (isObject(stored) ? stored : {}) as { dist?: unknown; npmUser?: TierClaims };
  const dist = (isObject(v.dist) ? v.dist : {}) as Record<string, unknown>;
  const out: TierClaims = { ...(v.npmUser ?? {}) };
  const att = dist.attestations;
  const advertised = isObject(att) ? (att as Record<string, unknown>).provenance : undefined;
  // vouch registries advertise a maintainer's publisher attestation in the same place; any other predicate
  // counts as provenance (the stricter reading of an unsigned claim).
  if (isObject(advertised)) {
    if ((advertised as Record<string, unknown>).predicateType === PREDICATE_PUBLISHER) out.publisher = true;
    else out.provenance = true;
  }
  if (Array.isArray(dist.signatures) && dist.signatures.length > 0) out.signed = true;
  return out;
}

/**
 * The claims of `version` and, per claim, the highest version below it that makes the claim and was
 * not published after it (by the packument's `time`, where both are known): among stable versions and
 * among all versions.
 */
export function registryClaimsFor(
  versions: Readonly<Record<string, unknown>>,
  time: Readonly<Record<string, unknown>>,
  version: string,
  document: RegistryClaims['document'],
): RegistryClaims {
  const own = versionClaims(versions[version]);
  const target = semver.parse(version);
  if (!target) return { document, own, earlier: [] };
  const publishedAt = timeOf(time[version]);
  const best = new Map<string, semver.SemVer>(); // `${claim} ${stable|any}` → version
  for (const { parsed, claims } of parsedVersions(versions)) {
    if (parsed.compare(target) >= 0) continue;
    const at = timeOf(time[parsed.raw]);
    if (publishedAt !== null && at !== null && at > publishedAt) continue; // a later backport is not a baseline
    const stable = parsed.prerelease.length === 0;
    for (const claim of CLAIMS) {
      if (!claims[claim]) continue;
      for (const scope of stable ? ['stable', 'any'] : ['any']) {
        const key = `${claim} ${scope}`;
        const current = best.get(key);
        if (current === undefined || parsed.compare(current) > 0) best.set(key, parsed);
      }
    }
  }
  const chosen = [...new Set(best.values())].sort((a, b) => b.compare(a));
  return { document, own, earlier: chosen.map((v) => ({ version: v.raw, claims: versionClaims(versions[v.raw]) })) };
}

// Each document's versions parsed once: a tree may ask about many versions of one big packument.
const parsedCache = new WeakMap<object, { parsed: semver.SemVer; claims: TierClaims }[]>();

function parsedVersions(versions: Readonly<Record<string, unknown>>): { parsed: semver.SemVer; claims: TierClaims }[] {
  let list = parsedCache.get(versions);
  if (!list) {
    list = Object.entries(versions).flatMap(([v, stored]) => {
      const parsed = semver.parse(v);
      return parsed && parsed.raw === v ? [{ parsed, claims: versionClaims(stored) }] : [];
    });
    parsedCache.set(versions, list);
  }
  return list;
}

/** Whether the install document shows any version advertising provenance: only then is the full one worth fetching. */
export function anyProvenance(versions: Readonly<Record<string, unknown>>): boolean {
  return Object.values(versions).some((v) => versionClaims(v).provenance === true);
}

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
