import { describe, expect, it, vi } from 'vitest';
import { emptyLock, recordVerified } from '../../../lib/lock/index.js';
import { builtInPolicy, DEFAULT_POLICY_NOTICE, evaluate, type EvaluateInput } from '../../../lib/policy/index.js';
import type { NonRegistryRef } from '../../../lib/tree/types.js';
import { NOW, evidence, policy, seenKeys } from './builders.js';

const git: NonRegistryRef = { name: 'b-fork', kind: 'git', spec: 'git+https://example.invalid/b.git', locations: ['node_modules/b-fork'] };

function input(over: Partial<EvaluateInput> = {}): EvaluateInput {
  return {
    evidence: [
      evidence('zeta', '1.0.0'),
      evidence('alpha', '10.0.0'),
      evidence('alpha', '9.0.0'),
      evidence('alpha', '10.0.0-rc.1'),
      evidence('@scope/x', '1.0.0'),
    ],
    nonRegistry: [git],
    registries: [seenKeys('https://z.example/', 0), seenKeys('https://a.example/', 1)],
    policy: policy({}),
    lock: emptyLock(),
    now: NOW,
    ...over,
  };
}

describe('evaluate: the report', () => {
  it('sorts verdicts by name, then version by semver (not by text), whatever the input order', () => {
    const ids = evaluate(input()).verdicts.map((v) => (v.kind === 'package' ? `${v.ref.name}@${v.ref.version}` : v.ref.name));
    expect(ids).toEqual(['@scope/x@1.0.0', 'alpha@9.0.0', 'alpha@10.0.0-rc.1', 'alpha@10.0.0', 'b-fork', 'zeta@1.0.0']);
    const reversed = input();
    expect(evaluate({ ...reversed, evidence: [...reversed.evidence].reverse() })).toEqual(evaluate(reversed));
  });

  it('sorts registries by URL and counts decisions', () => {
    const report = evaluate(input());
    expect(report.registries.map((r) => r.url)).toEqual(['https://a.example/', 'https://z.example/']);
    expect(report.summary).toEqual({ total: 6, allowed: 5, warned: 0, denied: 1, unverifiable: 0 });
  });

  it('counts only registry packages whose evidence could not be gathered as unverifiable', () => {
    const broken = { ref: evidence('q', '1.0.0').ref, unverifiable: { code: 'REGISTRY_UNREACHABLE' as const, message: 'timeout' } };
    expect(evaluate(input({ evidence: [broken] })).summary).toMatchObject({ unverifiable: 1, denied: 2 });
  });

  it('says once which built-in policy it used, and nothing when a file was read', () => {
    expect(evaluate(input({ policy: builtInPolicy() })).notices).toEqual([DEFAULT_POLICY_NOTICE]);
    expect(evaluate(input()).notices).toEqual([]);
  });

  it('reads no clock: the same input gives the same report whatever the system time', () => {
    const timed = input({
      policy: policy({
        defaults: { minReleaseAge: 1, provenance: 'require' },
        exceptions: { zeta: [{ allow: ['PROVENANCE_MISSING'], reason: 'r', approvedBy: 'j', expires: '2026-12-01' }] },
      }),
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2001-01-01T00:00:00Z'));
      const past = evaluate(timed);
      vi.setSystemTime(new Date('2099-01-01T00:00:00Z'));
      expect(evaluate(timed)).toEqual(past);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('evaluate: vouch.lock records', () => {
  it('denies a recorded version whose integrity changed (republished bytes)', () => {
    const lock = recordVerified(emptyLock(), evaluate(input({ evidence: [evidence('a', '1.0.0')], nonRegistry: [] })));
    const republished = evidence('a', '1.0.0', { integrity: { kind: 'ok', integrity: 'sha512-OTHER', tarballChecked: true } });
    const v = evaluate(input({ evidence: [republished], nonRegistry: [], lock })).verdicts[0];
    expect(v?.findings).toEqual([expect.objectContaining({ code: 'INTEGRITY_MISMATCH', severity: 'deny', rule: 'vouch.lock:packages.a.versions["1.0.0"]' })]);
  });

  it('denies versions vouch.lock does not record when locked (vouch ci), and only then', () => {
    const lock = recordVerified(emptyLock(), evaluate(input({ evidence: [evidence('a', '1.0.0')], nonRegistry: [] })));
    const list = [evidence('a', '1.0.0'), evidence('a', '1.1.0')];
    const locked = evaluate(input({ evidence: list, nonRegistry: [], lock, locked: true }));
    expect(locked.verdicts.map((v) => [v.decision, v.findings.map((f) => f.code)])).toEqual([
      ['allow', []],
      ['deny', ['LOCK_MISSING_ENTRY']],
    ]);
    expect(evaluate(input({ evidence: list, nonRegistry: [], lock })).summary.denied).toBe(0);
  });
});
