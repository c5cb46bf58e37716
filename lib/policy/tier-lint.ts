// Tier settings that cancel each other out. A contradiction within one setting is a POLICY_RULE error
// (tierSettings, run with checks.ts); one that depends on the date, or on how two settings meet, is a
// notice every report carries (tierNotices), since the policy is still valid and its author may mean it.
import type { PathSegment } from '../files/json-file.js';
import { formatPath } from '../files/index.js';
import { formatDate, policyDate } from './findings.js';
import { tierSetting, type Policy, type TierSetting } from './policy.js';
import type { PolicyFile, PolicyTier } from './schema.js';

type Report = (path: readonly PathSegment[], problem: string) => void;

const DAY_MS = 86_400_000;

/** `mode: "off"` next to fields only a judging mode reads. */
export function tierSettings(p: PolicyFile, report: Report): void {
  const check = (tier: PolicyTier | undefined, path: PathSegment[]) => {
    if (typeof tier !== 'object' || tier.mode !== 'off') return;
    for (const field of ['enforceSince', 'includePrereleases'] as const) {
      if (tier[field] !== undefined) report([...path, field], `${field} has no effect: mode "off" judges no version; drop one of the two`);
    }
  };
  check(p.defaults?.tier, ['defaults', 'tier']);
  p.rules?.forEach((rule, i) => check(rule.tier, ['rules', i, 'tier']));
}

/** Notices about tier settings that leave the check with nothing to judge, or judge more than the author expects. */
export function tierNotices(policy: Policy, now: Date): string[] {
  const out: string[] = [];
  const d = policy.defaultsPath;
  const scopes: { path: string; tier: TierSetting; minReleaseAge: number }[] = [
    { path: `${d}.tier`, tier: policy.defaults.tier, minReleaseAge: policy.defaults.minReleaseAge },
    ...policy.rules.flatMap((rule, i) =>
      rule.tier === undefined
        ? []
        : [
            {
              path: formatPath(['rules', i, 'tier']),
              tier: tierSetting(rule.tier, policy.defaults.tier),
              minReleaseAge: rule.minReleaseAge ?? policy.defaults.minReleaseAge,
            },
          ],
    ),
  ];
  for (const { path, tier, minReleaseAge } of scopes) {
    if (tier.mode === 'off' || tier.enforceSince === undefined) continue;
    const since = policyDate(tier.enforceSince);
    if (since.getTime() > now.getTime()) {
      out.push(`${path}.enforceSince is ${formatDate(since)}, in the future: no version is judged on trust tiers until then`);
      continue;
    }
    const oldEnough = now.getTime() - minReleaseAge * DAY_MS;
    if (minReleaseAge > 0 && since.getTime() > oldEnough) {
      out.push(
        `${path}.enforceSince (${formatDate(since)}) is less than minReleaseAge (${minReleaseAge} days) ago: every version old enough to install was released before it, so no trust-tier downgrade is judged until ${formatDate(new Date(since.getTime() + minReleaseAge * DAY_MS))}`,
      );
    }
  }
  const provenance = policy.defaults.provenance;
  if ((provenance === 'warn' || provenance === 'off') && policy.defaults.tier.mode === 'no-downgrade') {
    out.push(
      `${d}.provenance is "${provenance}" but ${d}.tier is "no-downgrade": a version that loses the provenance earlier versions of its release line had is still denied (TIER_DOWNGRADE); set tier to "${provenance}" as well to ${provenance === 'warn' ? 'only warn' : 'ignore it'}`,
    );
  }
  for (const [name, list] of Object.entries(policy.exceptions)) {
    list.forEach((e, j) => {
      if (e.versions === undefined && (e.allow as readonly string[]).includes('TIER_DOWNGRADE')) {
        out.push(
          `${formatPath(['exceptions', name, j])} waives TIER_DOWNGRADE for every version of ${name}, so tier no-downgrade never applies to it: give "versions" the range that needs it`,
        );
      }
    });
  }
  return out;
}
