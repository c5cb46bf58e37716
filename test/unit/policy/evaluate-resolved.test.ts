// RESOLVED_FOREIGN_HOST: a lockfile `resolved` on a host that is neither the registry's nor its tarball host.
// The end-to-end case (vouch ci fetching the signed bytes from the registry, never the foreign host) is in
// test/adversarial/tampering.test.ts.
import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { evaluate } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { MIRROR, NOW, evidence, policy } from './builders.js';

function judged(resolved: string | null, tarball?: string): { decision: string; codes: string[] } {
  const e = evidence('left', '1.0.0', { registry: MIRROR });
  const withResolved: PackageEvidence = { ...e, ref: { ...e.ref, resolved }, ...(tarball ? { tarball } : {}) };
  const report = evaluate({ evidence: [withResolved], nonRegistry: [], registries: [], policy: policy({}), lock: emptyLock(), now: NOW });
  const verdict = report.verdicts[0]!;
  return { decision: verdict.decision, codes: verdict.findings.map((f) => f.code) };
}

describe('evaluate: where the lockfile says the bytes come from', () => {
  it('says nothing when resolved is on the registry, on its tarball host, on registry.npmjs.org (npm replaces it), or absent', () => {
    expect(judged('https://mirror.example/left/-/left-1.0.0.tgz').codes).toEqual([]);
    expect(judged('https://cdn.mirror.example/left-1.0.0.tgz', 'https://cdn.mirror.example/left-1.0.0.tgz').codes).toEqual([]);
    expect(judged('https://registry.npmjs.org/left/-/left-1.0.0.tgz').codes).toEqual([]);
    expect(judged(null).codes).toEqual([]);
  });

  it('warns with RESOLVED_FOREIGN_HOST for another host, another port or another scheme of the same host', () => {
    expect(judged('https://evil.example/left/-/left-1.0.0.tgz')).toEqual({ decision: 'warn', codes: ['RESOLVED_FOREIGN_HOST'] });
    expect(judged('https://mirror.example:8443/left/-/left-1.0.0.tgz').codes).toEqual(['RESOLVED_FOREIGN_HOST']);
    expect(judged('http://mirror.example/left/-/left-1.0.0.tgz').codes).toEqual(['RESOLVED_FOREIGN_HOST']);
  });
});
