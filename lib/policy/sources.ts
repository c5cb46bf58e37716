// git / remote-tarball / file / directory dependencies: nothing signs them, so each is denied unless
// vouch.policy.json allows its name for its kind (SOURCE_NOT_ALLOWED).
import type { NonRegistryRef } from '../tree/types.js';
import { finding, INVARIANT, quote } from './findings.js';
import { formatPath } from '../files/index.js';
import { globMatches } from './match.js';
import type { Policy } from './policy.js';
import type { Finding } from './report.js';

/** Findings for one non-registry dependency, and the allow entry that matched (if any). */
export function sourceFindings(ref: NonRegistryRef, policy: Policy): { findings: Finding[]; allowedBy?: string } {
  if (ref.unsupported) {
    const message = `${ref.name} at ${ref.locations.join(', ')} is an entry vouch cannot model exactly (${quote(ref.spec)}): ${ref.unsupported}`;
    return { findings: [finding('LINK_UNSUPPORTED', 'deny', message, INVARIANT.installPlan, 'restore the lockfile from a trusted revision, or reinstall')] };
  }
  const globs = policy.sources[ref.kind] ?? [];
  const index = globs.findIndex((g) => globMatches(g, ref.name));
  if (index >= 0) return { findings: [], allowedBy: formatPath(['sources', ref.kind, index]) };
  const rule = policy.source === 'default' ? `default.sources.${ref.kind}` : formatPath(['sources', ref.kind]);
  const message = `${ref.name} is a ${ref.kind} dependency (${quote(ref.spec)}): nothing signs it, and vouch.policy.json does not allow it by name`;
  const hint = `if you trust this source, add ${JSON.stringify(ref.name)} to "sources": { ${JSON.stringify(ref.kind)}: [...] } in vouch.policy.json`;
  return { findings: [finding('SOURCE_NOT_ALLOWED', 'deny', message, rule, hint)] };
}
