import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { EXPIRY_WARNING_DAYS, evaluate, type Policy, type Verdict } from '../../../lib/policy/index.js';
import type { NonRegistryRef } from '../../../lib/tree/types.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { NOW, evidence, policy } from './builders.js';

const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

function exceptionPolicy(exception: object, extra: object = {}): Policy {
  return policy({
    defaults: { provenance: 'require' },
    exceptions: { 'left-pad': [{ allow: ['PROVENANCE_MISSING'], reason: 'Unmaintained; ACME-1234', approvedBy: 'jane@acme.example', ...exception }] },
    ...extra,
  });
}

function verdict(list: PackageEvidence[], p: Policy, nonRegistry: NonRegistryRef[] = []): Verdict[] {
  return evaluate({ evidence: list, nonRegistry, registries: [], policy: p, lock: emptyLock(), now: NOW }).verdicts;
}

describe('exceptions', () => {
  it('waives the listed code: the package is allowed and the waived finding names the exception', () => {
    const [v] = verdict([evidence('left-pad', '1.3.0')], exceptionPolicy({ expires: day(100) }));
    expect(v).toMatchObject({ decision: 'allow', findings: [] });
    expect(v?.waived).toEqual([expect.objectContaining({ code: 'PROVENANCE_MISSING', waivedBy: 'exceptions["left-pad"][0]' })]);
  });

  it('waives only the codes it lists', () => {
    const e = evidence('left-pad', '1.3.0', { signature: { kind: 'failed', code: 'SIGNATURE_MISSING', message: 'none' } });
    const [v] = verdict([e], exceptionPolicy({ expires: day(100) }));
    expect(v?.findings.map((f) => f.code)).toEqual(['SIGNATURE_MISSING']);
  });

  it('waives only versions in its range', () => {
    const list = verdict([evidence('left-pad', '1.3.0'), evidence('left-pad', '1.4.0')], exceptionPolicy({ versions: '1.3.0', expires: day(100) }));
    expect(list.map((v) => v.decision)).toEqual(['allow', 'deny']);
  });

  it('no longer applies once expired and says so (EXCEPTION_EXPIRED)', () => {
    const [v] = verdict([evidence('left-pad', '1.3.0')], exceptionPolicy({ expires: day(-1) }));
    expect(v?.decision).toBe('deny');
    expect(v?.findings.map((f) => [f.code, f.severity])).toEqual([
      ['PROVENANCE_MISSING', 'deny'],
      ['EXCEPTION_EXPIRED', 'deny'],
    ]);
    expect(v?.findings[1]?.rule).toBe('exceptions["left-pad"][0]');
  });

  it('has expired on its expiry date itself (00:00 UTC)', () => {
    const p = exceptionPolicy({ expires: NOW.toISOString().slice(0, 10) });
    expect(verdict([evidence('left-pad', '1.3.0')], p)[0]?.decision).toBe('deny');
  });

  it(`warns within ${EXPIRY_WARNING_DAYS} days of expiry (EXCEPTION_EXPIRING) while still waiving`, () => {
    const [v] = verdict([evidence('left-pad', '1.3.0')], exceptionPolicy({ expires: day(10) }));
    expect(v?.decision).toBe('warn');
    expect(v?.findings.map((f) => [f.code, f.severity])).toEqual([['EXCEPTION_EXPIRING', 'warn']]);
    expect(v?.waived?.map((f) => f.code)).toEqual(['PROVENANCE_MISSING']);
  });

  it('does not warn earlier than that', () => {
    expect(verdict([evidence('left-pad', '1.3.0')], exceptionPolicy({ expires: day(EXPIRY_WARNING_DAYS + 2) }))[0]?.decision).toBe('allow');
  });

  it('uses a later active exception when an earlier one expired', () => {
    const p = policy({
      defaults: { provenance: 'require' },
      exceptions: {
        'left-pad': [
          { allow: ['PROVENANCE_MISSING'], reason: 'old', approvedBy: 'j', expires: day(-30) },
          { allow: ['PROVENANCE_MISSING'], reason: 'renewed', approvedBy: 'j', expires: day(200) },
        ],
      },
    });
    const [v] = verdict([evidence('left-pad', '1.3.0')], p);
    expect(v?.decision).toBe('allow');
    expect(v?.waived?.[0]?.waivedBy).toBe('exceptions["left-pad"][1]');
  });

  it('cannot waive tampering even when listed codes would match its package', () => {
    const e = evidence('left-pad', '1.3.0', { integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: 'differs' } });
    expect(verdict([e], exceptionPolicy({ expires: day(100) }))[0]?.decision).toBe('deny');
  });
});

describe('non-registry sources', () => {
  const git: NonRegistryRef = { name: 'my-fork', kind: 'git', spec: 'git+https://github.com/me/fork.git#abc', locations: ['node_modules/my-fork'] };
  const tarball: NonRegistryRef = { name: 'vendored', kind: 'file', spec: 'file:vendor/vendored-1.0.0.tgz', locations: ['node_modules/vendored'] };

  it('denies git, remote and file dependencies not allowed by name (SOURCE_NOT_ALLOWED)', () => {
    const list = verdict([], policy({}), [git, tarball]);
    expect(list.map((v) => [v.ref.name, v.status, v.decision, v.findings[0]?.code])).toEqual([
      ['my-fork', 'unverifiable', 'deny', 'SOURCE_NOT_ALLOWED'],
      ['vendored', 'unverifiable', 'deny', 'SOURCE_NOT_ALLOWED'],
    ]);
    expect(list[0]?.findings[0]?.rule).toBe('sources.git');
  });

  it('allows one listed by name for its kind only', () => {
    const list = verdict([], policy({ sources: { git: ['my-fork'], remote: ['vendored'] } }), [git, tarball]);
    expect(list.map((v) => v.decision)).toEqual(['allow', 'deny']);
  });

  it('lets an exception waive SOURCE_NOT_ALLOWED, with expiry', () => {
    const p = policy({ exceptions: { 'my-fork': [{ allow: ['SOURCE_NOT_ALLOWED'], reason: 'upstream fix pending', approvedBy: 'j', expires: day(100) }] } });
    expect(verdict([], p, [git])[0]?.decision).toBe('allow');
  });
});
