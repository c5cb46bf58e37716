import { describe, expect, it } from 'vitest';
import { emptyLock, type Lock } from '../../../lib/lock/index.js';
import { evaluate, type PackageVerdict, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { KEY_A, NOW, evidence, ghIdentity, policy } from './builders.js';

const NO_DOWNGRADE = policy({ defaults: { provenance: 'no-downgrade' } });
const withProv = (name: string, version: string) => evidence(name, version, { provenance: ghIdentity(`acme/${name}`) });
const without = (name: string, version: string) => evidence(name, version);

function run(evidenceList: PackageEvidence[], p: Policy = NO_DOWNGRADE, lock: Lock = emptyLock()): Map<string, PackageVerdict> {
  const report = evaluate({ evidence: evidenceList, nonRegistry: [], registries: [], policy: p, lock, now: NOW });
  return new Map(report.verdicts.flatMap((v) => (v.kind === 'package' ? [[`${v.ref.name}@${v.ref.version}`, v] as const] : [])));
}
const codesOf = (v: PackageVerdict | undefined) => v?.findings.map((f) => f.code);

function lockWith(name: string, versions: Record<string, 'provenance' | 'publisher' | undefined>): Lock {
  const lock = emptyLock();
  lock.packages[name] = {
    versions: Object.fromEntries(
      Object.entries(versions).map(([v, attested]) => [v, { evidence: `sha256:${'0'.repeat(64)}`, ...(attested ? { attested } : {}) }]),
    ),
  };
  return lock;
}

describe('provenance: require', () => {
  const REQUIRE = policy({ defaults: { provenance: 'require' } });

  it('denies a version without verified provenance, naming the rule and the approve command', () => {
    const v = run([without('a', '1.0.0')], REQUIRE).get('a@1.0.0');
    expect(v?.findings).toEqual([expect.objectContaining({ code: 'PROVENANCE_MISSING', severity: 'deny', rule: 'defaults.provenance' })]);
    expect(v?.findings[0]?.hint).toContain('vouch approve a@1.0.0 --reason');
    expect(v?.findings[0]?.message).toContain('a@1.0.0');
  });

  it('allows a version with verified provenance', () => {
    expect(run([withProv('a', '1.0.0')], REQUIRE).get('a@1.0.0')?.decision).toBe('allow');
  });

  it('does not count a publisher signature as provenance', () => {
    expect(codesOf(run([evidence('a', '1.0.0', { publisher: KEY_A })], REQUIRE).get('a@1.0.0'))).toEqual(['PROVENANCE_MISSING']);
  });
});

describe('provenance: no-downgrade, by semver', () => {
  it('denies 1.1.0 without provenance after 1.0.0 with it (same run)', () => {
    const out = run([withProv('a', '1.0.0'), without('a', '1.1.0')]);
    expect(out.get('a@1.1.0')?.findings).toEqual([expect.objectContaining({ code: 'PROVENANCE_DOWNGRADE', severity: 'deny', rule: 'defaults.provenance' })]);
    expect(out.get('a@1.0.0')?.decision).toBe('allow');
  });

  it('does NOT call semver@6 a downgrade because semver@7 has provenance (pnpm #10202)', () => {
    const out = run([without('semver', '6.3.1'), withProv('semver', '7.6.0')]);
    expect(out.get('semver@6.3.1')?.decision).toBe('allow');
  });

  it('uses versions recorded in vouch.lock as baselines', () => {
    const v = run([without('a', '1.1.0')], NO_DOWNGRADE, lockWith('a', { '1.0.0': 'provenance' })).get('a@1.1.0');
    expect(codesOf(v)).toEqual(['PROVENANCE_DOWNGRADE']);
    expect(v?.findings[0]?.message).toContain('vouch.lock');
  });

  it('denies a version vouch.lock recorded with provenance that now arrives without it (stripped by a mirror)', () => {
    const v = run([without('a', '1.0.0')], NO_DOWNGRADE, lockWith('a', { '1.0.0': 'provenance' })).get('a@1.0.0');
    expect(codesOf(v)).toEqual(['PROVENANCE_DOWNGRADE']);
  });

  it('does not use a later lock version as a baseline', () => {
    expect(run([without('a', '1.0.0')], NO_DOWNGRADE, lockWith('a', { '2.0.0': 'provenance' })).get('a@1.0.0')?.decision).toBe('allow');
  });

  it('ignores prerelease baselines for a stable version', () => {
    expect(run([withProv('a', '2.0.0-rc.1'), without('a', '2.0.0')]).get('a@2.0.0')?.decision).toBe('allow');
  });

  it('uses prerelease baselines for a prerelease', () => {
    expect(codesOf(run([withProv('a', '2.0.0-rc.1'), without('a', '2.0.0-rc.2')]).get('a@2.0.0-rc.2'))).toEqual(['PROVENANCE_DOWNGRADE']);
  });

  it('treats losing a publisher signature as a downgrade, and provenance as an upgrade from it', () => {
    const out = run([evidence('a', '1.0.0', { publisher: KEY_A }), without('a', '1.1.0'), withProv('a', '1.2.0')]);
    expect(codesOf(out.get('a@1.1.0'))).toEqual(['PROVENANCE_DOWNGRADE']);
    expect(out.get('a@1.2.0')?.decision).toBe('allow');
  });

  it('allows a package that never had provenance', () => {
    expect(run([without('a', '1.0.0'), without('a', '1.1.0')]).get('a@1.1.0')?.decision).toBe('allow');
  });

  it("keeps packages apart: another name's provenance is no baseline", () => {
    expect(run([withProv('a', '1.0.0'), without('b', '1.1.0')]).get('b@1.1.0')?.decision).toBe('allow');
  });
});

// Trust tiers judge provenance within a release line on their own (tiers.test.ts): these set tier alike.
describe('provenance: warn and off', () => {
  it('warns about a missing provenance and a downgrade under "warn"', () => {
    const out = run([withProv('a', '1.0.0'), without('a', '1.1.0'), without('b', '1.0.0')], policy({ defaults: { provenance: 'warn', tier: 'warn' } }));
    expect(out.get('a@1.1.0')?.findings).toEqual([expect.objectContaining({ code: 'PROVENANCE_DOWNGRADE', severity: 'warn' })]);
    expect(out.get('b@1.0.0')?.findings).toEqual([expect.objectContaining({ code: 'PROVENANCE_MISSING', severity: 'warn' })]);
  });

  it('says nothing under "off"', () => {
    const out = run([withProv('a', '1.0.0'), without('a', '1.1.0')], policy({ defaults: { provenance: 'off', tier: 'off' } }));
    expect(out.get('a@1.1.0')?.decision).toBe('allow');
  });
});
