import { describe, expect, it } from 'vitest';
import { emptyLock, type Lock } from '../../../lib/lock/index.js';
import { evaluate, tierViewOf, type PackageVerdict, type Policy } from '../../../lib/policy/index.js';
import { sameLine } from '../../../lib/policy/tiers.js';
import type { PackageEvidence, RegistryClaims, TierClaims } from '../../../lib/verify/types.js';
import { KEY_A, NOW, daysAgo, evidence, ghIdentity, policy } from './builders.js';

const DEFAULT = policy({});
const prov = (name: string, version: string, claims?: RegistryClaims) =>
  withClaims(evidence(name, version, { provenance: ghIdentity(`acme/${name}`) }), claims);
const signedOnly = (name: string, version: string, claims?: RegistryClaims) => withClaims(evidence(name, version), claims);
const unsigned = (name: string, version: string, claims?: RegistryClaims) => withClaims(evidence(name, version, { signature: { kind: 'no-keys' } }), claims);

function withClaims(e: PackageEvidence, claims: RegistryClaims | undefined): PackageEvidence {
  return claims ? { ...e, registryClaims: claims } : e;
}

/** The packument's claims: this version's own, and earlier versions'. */
function claims(own: TierClaims, earlier: Record<string, TierClaims> = {}): RegistryClaims {
  return { document: 'full', own, earlier: Object.entries(earlier).map(([version, c]) => ({ version, claims: c })) };
}
const TRUSTED: TierClaims = { trustedPublisher: true, provenance: true, signed: true };
const PROVENANCE: TierClaims = { provenance: true, signed: true };
const STAGED: TierClaims = { approver: true, trustedPublisher: true, provenance: true, signed: true };
const SIGNED: TierClaims = { signed: true };

function run(list: PackageEvidence[], p: Policy = DEFAULT, lock: Lock = emptyLock()): Map<string, PackageVerdict> {
  const report = evaluate({ evidence: list, nonRegistry: [], registries: [], policy: p, lock, now: NOW });
  return new Map(report.verdicts.flatMap((v) => (v.kind === 'package' ? [[`${v.ref.name}@${v.ref.version}`, v] as const] : [])));
}
const codes = (v: PackageVerdict | undefined) => v?.findings.map((f) => [f.code, f.severity]);

describe('tier no-downgrade: verified evidence', () => {
  it('denies a registry-signed version followed by an unsigned one in the same major line (same run)', () => {
    const out = run([signedOnly('a', '1.0.0'), unsigned('a', '1.1.0')], policy({ defaults: { unsignedRegistry: 'warn' } }));
    expect(codes(out.get('a@1.1.0'))).toEqual([
      ['UNSIGNED_REGISTRY', 'warn'],
      ['TIER_DOWNGRADE', 'deny'],
    ]);
    expect(out.get('a@1.1.0')?.findings[1]).toMatchObject({ rule: 'defaults.tier' });
    expect(out.get('a@1.1.0')?.findings[1]?.message).toContain('a@1.0.0 had a registry signature only (this run)');
  });

  it('adds no TIER_DOWNGRADE to a version whose signature failed to verify (the failure is the deny)', () => {
    const forged = withClaims(
      evidence('a', '1.1.0', { signature: { kind: 'failed', code: 'SIGNATURE_INVALID', keyid: 'SHA256:k', message: 'does not verify' } }),
      undefined,
    );
    const out = run([signedOnly('a', '1.0.0'), forged]);
    expect(codes(out.get('a@1.1.0'))).toEqual([['SIGNATURE_INVALID', 'deny']]);
  });

  it('reports a lost provenance once: PROVENANCE_DOWNGRADE keeps deciding it', () => {
    expect(codes(run([prov('a', '1.0.0'), signedOnly('a', '1.1.0')]).get('a@1.1.0'))).toEqual([['PROVENANCE_DOWNGRADE', 'deny']]);
  });

  it('still denies a lost provenance within the line when provenance is only "warn" (the policy notice says so)', () => {
    const p = policy({ defaults: { provenance: 'warn' } });
    expect(codes(run([prov('a', '1.0.0'), signedOnly('a', '1.1.0')], p).get('a@1.1.0'))).toEqual([
      ['PROVENANCE_DOWNGRADE', 'warn'],
      ['TIER_DOWNGRADE', 'deny'],
    ]);
  });

  it('denies a version vouch.lock recorded signed that now arrives unsigned (a mirror stripping signatures)', () => {
    const lock = emptyLock();
    lock.packages.a = { versions: { '1.0.0': { evidence: `sha256:${'0'.repeat(64)}`, registryKey: 'SHA256:k' } } };
    const v = run([unsigned('a', '1.0.0')], policy({ defaults: { unsignedRegistry: 'warn' } }), lock).get('a@1.0.0');
    expect(codes(v)).toEqual([
      ['UNSIGNED_REGISTRY', 'warn'],
      ['TIER_DOWNGRADE', 'deny'],
    ]);
    expect(v?.findings[1]?.message).toContain('vouch.lock recorded a registry signature only for this very version');
  });

  it("does not let the registry's unsigned claim lift a version against a verified baseline", () => {
    const out = run([signedOnly('a', '1.0.0'), unsigned('a', '1.1.0', claims(STAGED))], policy({ defaults: { unsignedRegistry: 'warn' } }));
    expect(codes(out.get('a@1.1.0'))).toContainEqual(['TIER_DOWNGRADE', 'deny']);
  });

  it('counts a publisher signature above a registry signature', () => {
    const out = run([evidence('a', '1.0.0', { publisher: KEY_A }), signedOnly('a', '1.1.0')], policy({ defaults: { provenance: 'off' } }));
    expect(codes(out.get('a@1.1.0'))).toEqual([['TIER_DOWNGRADE', 'deny']]);
  });
});

describe("tier no-downgrade: the packument's claims (unsigned, only tighten)", () => {
  it('denies a version without provenance when an earlier one of its line advertised it (a stolen token, nx / axios)', () => {
    const v = run([signedOnly('a', '1.4.1', claims(SIGNED, { '1.4.0': TRUSTED }))]).get('a@1.4.1');
    expect(codes(v)).toEqual([['TIER_DOWNGRADE', 'deny']]);
    expect(v?.findings[0]?.message).toContain('a@1.4.0 had trusted publishing (registry metadata (unsigned))');
  });

  it('denies losing an approved staged publish even with valid provenance (a hijacked CI, TanStack / keyv)', () => {
    const v = run([prov('a', '2.3.1', claims(TRUSTED, { '2.3.0': STAGED }))]).get('a@2.3.1');
    expect(codes(v)).toEqual([['TIER_DOWNGRADE', 'deny']]);
    expect(v?.findings[0]?.message).toContain('an approved staged publish');
  });

  it('allows a version that keeps the staged approval its line had', () => {
    expect(run([prov('a', '2.3.1', claims(STAGED, { '2.3.0': STAGED }))]).get('a@2.3.1')?.decision).toBe('allow');
  });

  it('does NOT deny trusted publishing → provenance from the same workflow (pnpm #10622)', () => {
    expect(run([prov('vite', '6.4.1', claims(PROVENANCE, { '6.4.0': TRUSTED }))]).get('vite@6.4.1')?.decision).toBe('allow');
  });

  it('does NOT deny a patch of an older major line that never had provenance (pnpm #10202)', () => {
    // semver@6.3.1, published after 7.x had trusted publishing: the claims below it are all of line 6.
    expect(run([signedOnly('semver', '6.3.1', claims(SIGNED, { '6.3.0': SIGNED, '5.7.2': PROVENANCE }))]).get('semver@6.3.1')?.decision).toBe('allow');
  });

  it('keeps 0.x lines per minor, as a caret range does', () => {
    expect(run([signedOnly('z', '0.3.0', claims(SIGNED, { '0.2.9': PROVENANCE }))]).get('z@0.3.0')?.decision).toBe('allow');
    expect(codes(run([signedOnly('z', '0.3.1', claims(SIGNED, { '0.3.0': PROVENANCE }))]).get('z@0.3.1'))).toEqual([['TIER_DOWNGRADE', 'deny']]);
  });
});

describe('tier settings', () => {
  const down = (version: string, baseline: string, publishedAt = daysAgo(30)) =>
    withClaims(evidence('a', version, { publishedAt }), claims(SIGNED, { [baseline]: PROVENANCE }));

  it('ignores prereleases, judged or as baselines, unless includePrereleases', () => {
    expect(run([down('2.0.0-rc.2', '2.0.0-rc.1')]).get('a@2.0.0-rc.2')?.decision).toBe('allow');
    expect(run([down('2.0.0', '2.0.0-rc.1')]).get('a@2.0.0')?.decision).toBe('allow');
    const p = policy({ defaults: { tier: { includePrereleases: true } } });
    expect(codes(run([down('2.0.0-rc.2', '2.0.0-rc.1')], p).get('a@2.0.0-rc.2'))).toEqual([['TIER_DOWNGRADE', 'deny']]);
    expect(codes(run([down('2.0.0', '2.0.0-rc.1')], p).get('a@2.0.0'))).toEqual([['TIER_DOWNGRADE', 'deny']]);
  });

  it('does not judge versions released before enforceSince; judges those after, and those with no time', () => {
    const p = policy({ defaults: { tier: { enforceSince: '2026-10-01' } } });
    expect(run([down('1.1.0', '1.0.0', new Date('2026-09-30T23:00:00Z'))], p).get('a@1.1.0')?.decision).toBe('allow');
    expect(run([down('1.1.0', '1.0.0', new Date('2026-10-01T00:00:00Z'))], p).get('a@1.1.0')?.decision).toBe('deny');
    expect(run([down('1.1.0', '1.0.0', null)], p).get('a@1.1.0')?.decision).toBe('deny');
  });

  it('reports under "warn" and says nothing under "off", per rule', () => {
    const p = policy({ defaults: { tier: 'warn' }, rules: [{ packages: 'legacy-*', tier: 'off' }] });
    expect(codes(run([down('1.1.0', '1.0.0')], p).get('a@1.1.0'))).toEqual([['TIER_DOWNGRADE', 'warn']]);
    const legacy = withClaims(evidence('legacy-x', '1.1.0'), claims(SIGNED, { '1.0.0': PROVENANCE }));
    expect(run([legacy], p).get('legacy-x@1.1.0')?.decision).toBe('allow');
  });

  it('lets an exception waive exactly the package and range it names', () => {
    const p = policy({
      exceptions: {
        a: [{ versions: '1.1.0', allow: ['TIER_DOWNGRADE'], reason: 'built by hand, checked', approvedBy: 'ops@example.test', expires: '2099-01-01' }],
      },
    });
    const out = run([down('1.1.0', '1.0.0'), down('1.2.0', '1.0.0'), withClaims(evidence('b', '1.1.0'), claims(SIGNED, { '1.0.0': PROVENANCE }))], p);
    expect(out.get('a@1.1.0')?.decision).toBe('allow');
    expect(out.get('a@1.1.0')?.waived).toEqual([expect.objectContaining({ code: 'TIER_DOWNGRADE', waivedBy: 'exceptions.a[0]' })]);
    expect(out.get('a@1.2.0')?.decision).toBe('deny');
    expect(out.get('b@1.1.0')?.decision).toBe('deny');
  });
});

describe('tierViewOf and sameLine', () => {
  it("shows the verified tier, and the registry's claim when it says more", () => {
    expect(tierViewOf(prov('a', '1.0.0', claims(TRUSTED)))).toEqual({ tier: 'provenance', claimed: 'trusted-publisher' });
    expect(tierViewOf(prov('a', '1.0.0', claims(PROVENANCE)))).toEqual({ tier: 'provenance' });
    expect(tierViewOf(unsigned('a', '1.0.0'))).toEqual({ tier: 'none' });
  });

  it('draws lines as caret ranges do', () => {
    expect(sameLine('1.9.1', '1.0.0')).toBe(true);
    expect(sameLine('1.9.1', '2.0.0')).toBe(false);
    expect(sameLine('0.2.1', '0.2.0')).toBe(true);
    expect(sameLine('0.2.1', '0.1.0')).toBe(false);
    expect(sameLine('0.0.3', '0.0.2')).toBe(false);
    expect(sameLine('2.0.0-rc.1', '2.0.0')).toBe(true);
  });
});
