// Which rule settles each setting for a name@version. Rules are read in file order and, per setting,
// the first matching rule that sets it wins; a setting no matching rule sets comes from defaults.
// Globs are minimatch globs (never regexes from data); ranges are semver ranges, prereleases included.
import { Minimatch } from 'minimatch';
import semver from 'semver';
import { formatPath } from '../files/index.js';
import { tierSetting, type Policy, type TierSetting } from './policy.js';
import type { PolicyIdentity, PolicyPublisherKey, PolicyRuleEntry, ProvenanceMode, SignatureMode } from './schema.js';

/** A setting's value and the JSON path of what set it (a rule field or a default). */
export interface Setting<T> {
  value: T;
  rule: string;
}

export interface Settings {
  signatures: Setting<SignatureMode>;
  provenance: Setting<ProvenanceMode>;
  minReleaseAge: Setting<number>;
  tier: Setting<TierSetting>;
  identity?: Setting<PolicyIdentity>;
  publisherKeys?: Setting<readonly PolicyPublisherKey[]>;
}

// `nonegate`/`nocomment`: "!x" and "#x" are plain text, not logic; `noext`: no extglobs.
const GLOB_OPTIONS = { nonegate: true, nocomment: true, noext: true, dot: true } as const;
const compiled = new Map<string, Minimatch>();

/** minimatch semantics: "*" stops at "/", so "@acme/*" is one scope and "**" is every name. */
export function globMatches(glob: string, text: string): boolean {
  let m = compiled.get(glob);
  if (!m) {
    m = new Minimatch(glob, GLOB_OPTIONS);
    if (compiled.size > 10_000) compiled.clear(); // bounded: policies are small, this is a cache
    compiled.set(glob, m);
  }
  return m.match(text);
}

/** A glob with no literal character besides "@" and "/" matches (nearly) every package name. */
export function isBroadGlob(glob: string): boolean {
  return glob.replace(/[*?@/{},]/g, '') === '';
}

/** Why a name glob is unusable, or null. */
export function nameGlobProblem(glob: string): string | null {
  if (glob.startsWith('!')) return 'negated globs are not supported: list what matches instead';
  if (/[\\()+|]/.test(glob)) return 'expected a package name glob (*, **, ?, [..], {a,b}); backslashes, parentheses, "+" and "|" have no meaning here';
  if (new Minimatch(glob, GLOB_OPTIONS).makeRe() === false) return 'not a valid glob';
  return null;
}

/** semver.satisfies with prereleases included: a rule for ">=2" also governs 3.0.0-beta.1. */
export function rangeMatches(range: string | undefined, version: string): boolean {
  return range === undefined || semver.satisfies(version, range, { includePrerelease: true });
}

export function ruleMatches(rule: PolicyRuleEntry, name: string, version: string): boolean {
  const globs = typeof rule.packages === 'string' ? [rule.packages] : rule.packages;
  return globs.some((g) => globMatches(g, name)) && rangeMatches(rule.versions, version);
}

/** Every setting for name@version with the JSON path that decided it. */
export function resolveSettings(policy: Policy, name: string, version: string): Settings {
  const d = policy.defaultsPath;
  const settings: Settings = {
    signatures: { value: policy.defaults.signatures, rule: `${d}.signatures` },
    provenance: { value: policy.defaults.provenance, rule: `${d}.provenance` },
    minReleaseAge: { value: policy.defaults.minReleaseAge, rule: `${d}.minReleaseAge` },
    tier: { value: policy.defaults.tier, rule: `${d}.tier` },
  };
  const decided = new Set<keyof Settings>();
  policy.rules.forEach((rule, i) => {
    if (!ruleMatches(rule, name, version)) return;
    const take = <K extends keyof Settings>(key: K, value: NonNullable<Settings[K]>['value'] | undefined): void => {
      if (value === undefined || decided.has(key)) return;
      decided.add(key);
      (settings[key] as Setting<unknown>) = { value, rule: formatPath(['rules', i, key]) };
    };
    take('signatures', rule.signatures);
    take('provenance', rule.provenance);
    take('minReleaseAge', rule.minReleaseAge);
    take('tier', rule.tier === undefined ? undefined : tierSetting(rule.tier, policy.defaults.tier));
    take('identity', rule.identity);
    take('publisherKeys', rule.publisherKeys);
  });
  return settings;
}
