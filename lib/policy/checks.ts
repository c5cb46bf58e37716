// Rules over a schema-valid vouch.policy.json that no single field's type can express (POLICY_RULE).
// Each is a small named function that reports every problem it finds, with its JSON path.
import semver from 'semver';
import { withoutCredentials } from '../config/index.js';
import { isBroadGlob, nameGlobProblem } from './match.js';
import { parseCosignerKey } from '../tlog/index.js';
import { normalizeRegistryUrl } from './policy.js';
import { tierSettings } from './tier-lint.js';
import type { PathSegment } from '../files/json-file.js';
import type { PolicyFile, PolicyRuleEntry } from './schema.js';

export type Report = (path: readonly PathSegment[], problem: string) => void;
export type PolicyCheck = (p: PolicyFile, report: Report) => void;

const SETTINGS = ['signatures', 'provenance', 'identity', 'publisherKeys', 'minReleaseAge', 'tier', 'changeAlerts'] as const;

const globsOf = (rule: PolicyRuleEntry): string[] => (typeof rule.packages === 'string' ? [rule.packages] : rule.packages);
const globPath = (rule: PolicyRuleEntry, i: number, j: number): PathSegment[] =>
  typeof rule.packages === 'string' ? ['rules', i, 'packages'] : ['rules', i, 'packages', j];

/** A rule must set something besides which packages it matches. */
const ruleSetsSomething: PolicyCheck = (p, report) => {
  p.rules?.forEach((rule, i) => {
    if (!SETTINGS.some((s) => rule[s] !== undefined)) {
      report(['rules', i], `the rule sets nothing: expected at least one of ${SETTINGS.join(', ')}`);
    }
  });
};

/** Package globs must be globs vouch can match; a rule matching every name needs "broad": true. */
const ruleGlobs: PolicyCheck = (p, report) => {
  p.rules?.forEach((rule, i) => {
    const globs = globsOf(rule);
    globs.forEach((g, j) => {
      const problem = nameGlobProblem(g);
      if (problem) report(globPath(rule, i, j), problem);
    });
    if (globs.some(isBroadGlob) && rule.broad !== true) {
      const g = globs.find(isBroadGlob) ?? '';
      report(
        globPath(rule, i, globs.indexOf(g)),
        `${JSON.stringify(g)} matches every package name; put settings for every package in "defaults", or add "broad": true to this rule if it is meant`,
      );
    }
  });
};

/** Every `versions` must be a semver range. */
const versionRanges: PolicyCheck = (p, report) => {
  const check = (range: string | undefined, path: PathSegment[]) => {
    if (range !== undefined && semver.validRange(range) === null)
      report(path, `${JSON.stringify(range)} is not a semver range (e.g. ">=2.0.0", "1.x", "1.3.0")`);
  };
  p.rules?.forEach((rule, i) => check(rule.versions, ['rules', i, 'versions']));
  for (const [name, list] of Object.entries(p.exceptions ?? {})) list.forEach((e, j) => check(e.versions, ['exceptions', name, j, 'versions']));
};

/** `identity.ref` is a glob: it must compile, and negation is not supported. */
const refGlobs: PolicyCheck = (p, report) => {
  p.rules?.forEach((rule, i) => {
    const ref = rule.identity?.ref;
    if (ref === undefined) return;
    if (ref.startsWith('!')) report(['rules', i, 'identity', 'ref'], 'negated globs are not supported');
    if (!ref.startsWith('refs/') && !ref.startsWith('*'))
      report(['rules', i, 'identity', 'ref'], `expected a full ref glob such as "refs/tags/v*" or "refs/heads/main", got ${JSON.stringify(ref)}`);
  });
};

/** Publisher keys: one entry per key id, so a key's dates are said once. */
const publisherKeys: PolicyCheck = (p, report) => {
  p.rules?.forEach((rule, i) => {
    const seen = new Set<string>();
    rule.publisherKeys?.forEach((k, j) => {
      if (seen.has(k.keyid)) report(['rules', i, 'publisherKeys', j, 'keyid'], `key ${k.keyid} is listed twice`);
      seen.add(k.keyid);
    });
  });
};

/** Registry keys must be http(s) URLs, one entry per registry. */
const registryUrls: PolicyCheck = (p, report) => {
  const seen = new Map<string, string>();
  for (const url of Object.keys(p.registries ?? {})) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) report(['registries', url], `expected a registry URL such as "https://registry.npmjs.org/", got ${JSON.stringify(url)}`);
    else if (withoutCredentials(url) !== url)
      report(['registries', url], 'holds credentials (user:password@): vouch.policy.json is committed; name the registry without them and keep them in .npmrc');
    const entry = p.registries?.[url];
    if (entry?.keys === 'none' && entry.pinnedKeys)
      report(['registries', url, 'pinnedKeys'], 'pins keys for a registry marked keys "none": drop one of the two');
    if (entry?.witnesses) witnessProblems(entry.witnesses, (path, message) => report(['registries', url, 'witnesses', ...path], message));
    const key = normalizeRegistryUrl(url);
    const other = seen.get(key);
    if (other !== undefined) report(['registries', url], `names the same registry as ${JSON.stringify(other)}`);
    seen.set(key, url);
  }
};

/** Sources allow by name glob, checked like rule globs (a broad one is deliberate there: it names a kind). */
const sourceGlobs: PolicyCheck = (p, report) => {
  for (const [kind, globs] of Object.entries(p.sources ?? {})) {
    globs?.forEach((g, j) => {
      const problem = nameGlobProblem(g);
      if (problem) report(['sources', kind, j], problem);
    });
  }
};

/** Exceptions are per exact name: a glob there would waive checks for packages nobody reviewed. */
const exceptionNames: PolicyCheck = (p, report) => {
  for (const name of Object.keys(p.exceptions ?? {})) {
    if (/[*?[\]{}!\s]/.test(name)) report(['exceptions', name], `exceptions name one exact package; ${JSON.stringify(name)} looks like a glob`);
  }
};

/** A rule that an earlier rule always pre-empts (same packages, no range, every setting taken) is dead. */
const shadowedRules: PolicyCheck = (p, report) => {
  const rules = p.rules ?? [];
  rules.forEach((later, i) => {
    const key = JSON.stringify([...globsOf(later)].sort());
    for (let k = 0; k < i; k++) {
      const earlier = rules[k];
      if (!earlier || earlier.versions !== undefined || JSON.stringify([...globsOf(earlier)].sort()) !== key) continue;
      const set = SETTINGS.filter((s) => later[s] !== undefined);
      if (set.length > 0 && set.every((s) => earlier[s] !== undefined)) {
        report(['rules', i], `never applies: rules[${k}] matches the same packages first and sets ${set.join(', ')}`);
        return;
      }
    }
  });
};

export const POLICY_CHECKS: readonly PolicyCheck[] = [
  ruleSetsSomething,
  ruleGlobs,
  versionRanges,
  refGlobs,
  publisherKeys,
  registryUrls,
  sourceGlobs,
  exceptionNames,
  shadowedRules,
  tierSettings,
];

/** Each witness key parses as a cosigner key, names a distinct witness, and k is at most n. */
function witnessProblems(w: { keys: string[]; require?: number | undefined }, report: (path: (string | number)[], message: string) => void): void {
  const names = new Map<string, number>();
  w.keys.forEach((key, i) => {
    let name: string;
    try {
      name = parseCosignerKey(key).name;
    } catch (err) {
      report(['keys', i], `expected a witness verifier key "name+keyid+base64 key" as vouch log witness prints it: ${(err as Error).message}`);
      return;
    }
    const first = names.get(name);
    if (first !== undefined) report(['keys', i], `names witness ${JSON.stringify(name)} again (keys[${first}]): each witness counts once`);
    else names.set(name, i);
  });
  if (w.require !== undefined && w.require > w.keys.length) report(['require'], `requires ${w.require} witnesses but names ${w.keys.length}`);
}
