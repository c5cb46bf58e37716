// Where the lockfile says the bytes come from: RESOLVED_MISMATCH (deny) on the registry's own host when
// `resolved` is not that version's dist.tarball, RESOLVED_FOREIGN_HOST (warn) on another host. The URL
// rules themselves are in test/unit/verify/resolved.test.ts; the end-to-end foreign case (vouch ci
// fetching the signed bytes from the registry, never the foreign host) is in test/adversarial/tampering.test.ts.
import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { evaluate } from '../../../lib/policy/index.js';
import { checkResolved } from '../../../lib/verify/resolved.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { MIRROR, NOW, evidence, policy } from './builders.js';

const TARBALL = 'https://mirror.example/left/-/left-1.0.0.tgz';

function judged(resolved: string | null, tarball: string | null = TARBALL, withCheck = false): { decision: string; status: string; codes: string[] } {
  const e = evidence('left', '1.0.0', { registry: MIRROR });
  const judgedEvidence: PackageEvidence = { ...e, ref: { ...e.ref, resolved }, ...(tarball ? { tarball } : {}) };
  // The evidence stage's own judgement (npm's configured registry) when asked; else the policy's fallback.
  if (withCheck) judgedEvidence.resolved = checkResolved({ resolved, registry: MIRROR, tarball: tarball ?? undefined, npm: { registry: MIRROR } });
  const report = evaluate({ evidence: [judgedEvidence], nonRegistry: [], registries: [], policy: policy({}), lock: emptyLock(), now: NOW });
  const verdict = report.verdicts[0]!;
  return { decision: verdict.decision, status: verdict.kind === 'package' ? verdict.status : '', codes: verdict.findings.map((f) => f.code) };
}

describe('evaluate: where the lockfile says the bytes come from', () => {
  it('says nothing when resolved is the tarball (in any spelling npm fetches the same), on registry.npmjs.org (npm rewrites it), or absent', () => {
    expect(judged(TARBALL).codes).toEqual([]);
    expect(judged('HTTPS://Mirror.Example:443/left/./-/left-1.0.0.tgz#x').codes).toEqual([]);
    expect(judged('https://cdn.mirror.example/left-1.0.0.tgz', 'https://cdn.mirror.example/left-1.0.0.tgz').codes).toEqual([]);
    expect(judged('https://registry.npmjs.org/left/-/left-1.0.0.tgz').codes).toEqual([]);
    expect(judged(null).codes).toEqual([]);
  });

  it("denies with RESOLVED_MISMATCH another path on the registry's host or its tarball host, and marks the package invalid", () => {
    for (const resolved of [
      'https://mirror.example/evil/-/evil-1.0.0.tgz',
      'https://mirror.example/left/../evil/-/evil-1.0.0.tgz',
      'https://mirror.example/left/-/left-1.0.1.tgz',
      'https://mirror.example/left/-/left-1.0.0.tgz?v=2',
      'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz',
    ]) {
      expect(judged(resolved), resolved).toEqual({ decision: 'deny', status: 'invalid', codes: ['RESOLVED_MISMATCH'] });
      expect(judged(resolved, TARBALL, true).codes, resolved).toEqual(['RESOLVED_MISMATCH']);
    }
    expect(judged('https://cdn.mirror.example/evil-1.0.0.tgz', 'https://cdn.mirror.example/left-1.0.0.tgz').codes).toEqual(['RESOLVED_MISMATCH']);
  });

  it("denies with RESOLVED_MISMATCH a resolved on the registry's host when the registry gives no tarball to compare with", () => {
    expect(judged(TARBALL, null).codes).toEqual(['RESOLVED_MISMATCH']);
  });

  it('warns with RESOLVED_FOREIGN_HOST for another host, another port or another scheme of the same host', () => {
    expect(judged('https://evil.example/left/-/left-1.0.0.tgz')).toEqual({ decision: 'warn', status: 'verified', codes: ['RESOLVED_FOREIGN_HOST'] });
    expect(judged('https://mirror.example:8443/left/-/left-1.0.0.tgz').codes).toEqual(['RESOLVED_FOREIGN_HOST']);
    expect(judged('http://mirror.example/left/-/left-1.0.0.tgz').codes).toEqual(['RESOLVED_FOREIGN_HOST']);
  });

  it('can never waive RESOLVED_MISMATCH with an exception', () => {
    expect(() =>
      policy({ exceptions: { left: [{ versions: '1.0.0', allow: ['RESOLVED_MISMATCH'], reason: 'r', approvedBy: 'a', expires: '2099-01-01' }] } }),
    ).toThrow();
  });
});
