import { describe, expect, it } from 'vitest';
import { approve, emptyLock, recordVerified, type Lock } from '../../../lib/lock/index.js';
import { evaluate, identityOf, type PackageVerdict, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { KEY_A, KEY_B, NOW, evidence, ghIdentity, policy } from './builders.js';

function run(list: PackageEvidence[], p: Policy = policy({}), lock: Lock = emptyLock()) {
  const report = evaluate({ evidence: list, nonRegistry: [], registries: [], policy: p, lock, now: NOW });
  const byId = new Map<string, PackageVerdict>(report.verdicts.flatMap((v) => (v.kind === 'package' ? [[`${v.ref.name}@${v.ref.version}`, v] as const] : [])));
  return { report, get: (id: string): PackageVerdict | undefined => byId.get(id) };
}

const ACME_RULE = {
  packages: '@acme/*',
  identity: {
    issuer: 'https://token.actions.githubusercontent.com',
    owner: 'https://github.com/acme',
    ownerId: '2002',
    workflow: '.github/workflows/release.yml',
    ref: 'refs/tags/v*',
  },
};

describe('rule identity (IDENTITY_MISMATCH)', () => {
  const p = policy({ rules: [ACME_RULE] });

  it("allows provenance from the org's release workflow on a tag", () => {
    expect(run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme/widget') })], p).get('@acme/widget@1.0.0')?.decision).toBe('allow');
  });

  it('denies a different workflow, naming the field, the value and the rule', () => {
    const v = run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme/widget', { workflow: '.github/workflows/ci.yml' }) })], p).get(
      '@acme/widget@1.0.0',
    );
    expect(v?.findings).toEqual([expect.objectContaining({ code: 'IDENTITY_MISMATCH', severity: 'deny', rule: 'rules[0].identity' })]);
    expect(v?.findings[0]?.message).toContain('ci.yml');
  });

  it('compares exactly: an owner URI that only starts with the expected one is a mismatch', () => {
    const v = run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme-evil/widget', { ownerId: '2002' }) })], p).get('@acme/widget@1.0.0');
    expect(v?.findings.map((f) => f.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('pins the immutable owner id: a re-created org with the same name is a mismatch', () => {
    const v = run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme/widget', { ownerId: '9999' }) })], p).get('@acme/widget@1.0.0');
    expect(v?.findings.map((f) => f.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('matches the ref as a glob: a branch build does not match refs/tags/v*', () => {
    const v = run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme/widget', { ref: 'refs/heads/main' }) })], p).get('@acme/widget@1.0.0');
    expect(v?.findings.map((f) => f.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('never treats the ref pattern as a regex ("." matches only a dot)', () => {
    const q = policy({ rules: [{ packages: '@acme/*', identity: { ref: 'refs/tags/v1.0' } }] });
    const v = run([evidence('@acme/widget', '1.0.0', { provenance: ghIdentity('acme/widget', { ref: 'refs/tags/v1x0' }) })], q).get('@acme/widget@1.0.0');
    expect(v?.findings.map((f) => f.code)).toEqual(['IDENTITY_MISMATCH']);
  });

  it('requires provenance where a rule names an identity, even with provenance "off"', () => {
    const q = policy({ defaults: { provenance: 'off' }, rules: [ACME_RULE] });
    const v = run([evidence('@acme/widget', '1.0.0')], q).get('@acme/widget@1.0.0');
    expect(v?.findings).toEqual([expect.objectContaining({ code: 'PROVENANCE_MISSING', rule: 'rules[0].identity' })]);
  });

  it("does not apply to packages outside the rule's globs", () => {
    expect(run([evidence('widget', '1.0.0', { provenance: ghIdentity('someone/widget') })], p).get('widget@1.0.0')?.decision).toBe('allow');
  });
});

describe('rule precedence: first match per setting', () => {
  it('takes each setting from the first matching rule that sets it, falling back to later rules, then defaults', () => {
    const p = policy({
      defaults: { provenance: 'off' },
      rules: [
        { packages: '@acme/legacy', provenance: 'warn' },
        { packages: '@acme/*', provenance: 'require', identity: { repository: 'https://github.com/acme/legacy' } },
      ],
    });
    const v = run([evidence('@acme/legacy', '1.0.0', { provenance: ghIdentity('acme/other') })], p).get('@acme/legacy@1.0.0');
    // provenance "warn" from rules[0], but the identity requirement of rules[1] still applies
    expect(v?.findings).toEqual([expect.objectContaining({ code: 'IDENTITY_MISMATCH', rule: 'rules[1].identity' })]);
  });

  it('respects version ranges, prereleases included', () => {
    const p = policy({ defaults: { provenance: 'off' }, rules: [{ packages: 'a', versions: '>=2.0.0', provenance: 'require' }] });
    const { get } = run([evidence('a', '1.9.0'), evidence('a', '3.0.0-beta.1')], p);
    expect(get('a@1.9.0')?.decision).toBe('allow');
    expect(get('a@3.0.0-beta.1')?.findings[0]).toMatchObject({ code: 'PROVENANCE_MISSING', rule: 'rules[0].provenance' });
  });
});

describe('trust on first use (IDENTITY_CHANGED)', () => {
  const v1 = evidence('widget', '1.0.0', { provenance: ghIdentity('acme/widget') });
  const moved = evidence('widget', '1.1.0', { provenance: ghIdentity('evil/widget', { repositoryId: '666', ownerId: '777' }) });

  it('records the first verified identity and denies a later version from another repository, showing old → new', () => {
    const lock = recordVerified(emptyLock(), run([v1]).report);
    expect(lock.packages.widget?.identity).toMatchObject({ repository: 'https://github.com/acme/widget', repositoryId: '1001' });
    const v = run([moved], policy({}), lock).get('widget@1.1.0');
    const f = v?.findings.find((x) => x.code === 'IDENTITY_CHANGED');
    expect(f).toMatchObject({ severity: 'deny' });
    expect(f?.message).toContain('https://github.com/acme/widget');
    expect(f?.message).toContain('https://github.com/evil/widget');
    expect(f?.hint).toMatch(/vouch approve widget@\S+ --reason/);
  });

  it('denies a different workflow in the same repository', () => {
    const lock = recordVerified(emptyLock(), run([v1]).report);
    const other = evidence('widget', '1.1.0', { provenance: ghIdentity('acme/widget', { workflow: '.github/workflows/other.yml' }) });
    expect(
      run([other], policy({}), lock)
        .get('widget@1.1.0')
        ?.findings.map((f) => f.code),
    ).toEqual(['IDENTITY_CHANGED']);
  });

  it('denies a different publisher key', () => {
    const lock = recordVerified(emptyLock(), run([evidence('k', '1.0.0', { publisher: KEY_A })]).report);
    expect(
      run([evidence('k', '1.1.0', { publisher: KEY_B })], policy({}), lock)
        .get('k@1.1.0')
        ?.findings.map((f) => f.code),
    ).toEqual(['IDENTITY_CHANGED']);
  });

  it('compares versions of one run with the lowest verified one when vouch.lock has no pin yet', () => {
    const { get } = run([moved, v1]);
    expect(get('widget@1.0.0')?.decision).toBe('allow');
    expect(get('widget@1.1.0')?.findings.map((f) => f.code)).toEqual(['IDENTITY_CHANGED']);
  });

  it('allows the new identity once approved, and keeps allowing the old version recorded before', () => {
    let lock = recordVerified(emptyLock(), run([v1]).report);
    const identity = identityOf(moved);
    if (!identity) throw new Error('no identity');
    lock = approve(lock, { name: 'widget', reason: 'moved to the new org', approvedBy: 'jane@acme.example', now: NOW, identity });
    const { get } = run([v1, moved], policy({}), lock);
    expect(get('widget@1.1.0')?.decision).toBe('allow');
    expect(get('widget@1.0.0')?.decision).toBe('allow');
  });

  it("does not call a version without provenance an identity change (that is the downgrade rule's job)", () => {
    const lock = recordVerified(emptyLock(), run([v1]).report);
    const codes = run([evidence('widget', '1.1.0')], policy({}), lock)
      .get('widget@1.1.0')
      ?.findings.map((f) => f.code);
    expect(codes).toEqual(['PROVENANCE_DOWNGRADE']);
  });

  it('treats a publisher key the policy pins as a rotation, not a change', () => {
    const lock = recordVerified(emptyLock(), run([evidence('k', '1.0.0', { publisher: KEY_A })]).report);
    const p = policy({ rules: [{ packages: 'k', publisherKeys: [{ keyid: KEY_A }, { keyid: KEY_B }] }] });
    expect(run([evidence('k', '1.1.0', { publisher: KEY_B })], p, lock).get('k@1.1.0')?.decision).toBe('allow');
  });
});
