import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { builtInPolicy, evaluate, statusOf, type PackageVerdict, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence, RegistryKeysSeen } from '../../../lib/verify/types.js';
import { MIRROR, NOW, NPM, evidence, policy, seenKeys } from './builders.js';

const NPM_SUMMARY: RegistryKeysSeen = seenKeys(NPM, 1, 'pinned');

function verdict(e: PackageEvidence, p: Policy = policy({}), registries: RegistryKeysSeen[] = [NPM_SUMMARY]): PackageVerdict {
  const v = evaluate({ evidence: [e], nonRegistry: [], registries, policy: p, lock: emptyLock(), now: NOW }).verdicts[0];
  if (v?.kind !== 'package') throw new Error('expected a package verdict');
  return v;
}
const codes = (v: PackageVerdict) => v.findings.map((f) => [f.code, f.severity]);
const unsigned = (name = 'a') => evidence(name, '1.0.0', { registry: MIRROR, signature: { kind: 'no-keys' } });

describe('status', () => {
  it.each([
    ['verified', evidence('a', '1.0.0')],
    ['unsigned-registry', unsigned()],
    ['missing', evidence('a', '1.0.0', { signature: { kind: 'failed', code: 'SIGNATURE_MISSING', message: 'no signature' } })],
    ['invalid', evidence('a', '1.0.0', { signature: { kind: 'failed', code: 'SIGNATURE_INVALID', message: 'bad' } })],
    ['invalid', evidence('a', '1.0.0', { integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: 'bytes differ' } })],
    ['invalid', evidence('a', '1.0.0', { attestations: { kind: 'failed', code: 'ATTESTATION_SUBJECT', message: 'other package' } })],
    ['missing', evidence('a', '1.0.0', { attestations: { kind: 'failed', code: 'ATTESTATION_MISSING', message: '404' } })],
    ['unverifiable', { ref: evidence('a', '1.0.0').ref, unverifiable: { code: 'REGISTRY_UNREACHABLE', message: 'ECONNREFUSED' } }],
  ] as const)('is %s for %#', (status, e) => {
    expect(statusOf(e as PackageEvidence)).toBe(status);
    expect(verdict(e as PackageEvidence).status).toBe(status);
  });
});

describe('evaluate: registry signatures', () => {
  it('allows a signed package with no other findings', () => {
    expect(verdict(evidence('a', '1.0.0'))).toMatchObject({ decision: 'allow', findings: [] });
  });

  it('denies a missing signature under "require", warns under "warn", ignores it under "off"', () => {
    const e = evidence('a', '1.0.0', { signature: { kind: 'failed', code: 'SIGNATURE_MISSING', message: 'no signature' } });
    expect(codes(verdict(e, policy({ defaults: { signatures: 'require' } })))).toEqual([['SIGNATURE_MISSING', 'deny']]);
    expect(codes(verdict(e, policy({ defaults: { signatures: 'warn' } })))).toEqual([['SIGNATURE_MISSING', 'warn']]);
    expect(verdict(e, policy({ defaults: { signatures: 'off' } })).decision).toBe('allow');
  });

  it('denies an invalid signature and one by a key expired at publish even with signatures "off"', () => {
    const off = policy({ defaults: { signatures: 'off' } });
    for (const code of ['SIGNATURE_INVALID', 'KEY_EXPIRED'] as const) {
      const v = verdict(evidence('a', '1.0.0', { signature: { kind: 'failed', code, message: 'x', keyid: 'k' } }), off);
      expect(codes(v)).toEqual([[code, 'deny']]);
    }
  });

  it('denies tampered bytes whatever the policy', () => {
    const v = verdict(
      evidence('a', '1.0.0', { integrity: { kind: 'failed', code: 'INTEGRITY_MISMATCH', message: 'differs', expected: 'sha512-a', actual: 'sha512-b' } }),
      policy({ defaults: { signatures: 'off', provenance: 'off' } }),
    );
    expect(codes(v)).toEqual([['INTEGRITY_MISMATCH', 'deny']]);
  });

  it('denies a failed attestation check', () => {
    const v = verdict(evidence('a', '1.0.0', { attestations: { kind: 'failed', code: 'ATTESTATION_INVALID', message: 'signature does not verify' } }));
    expect(codes(v)).toEqual([['ATTESTATION_INVALID', 'deny']]);
  });

  it('denies unverifiable evidence fail-closed and judges nothing else', () => {
    const e: PackageEvidence = { ref: evidence('a', '1.0.0').ref, unverifiable: { code: 'OFFLINE_MISS', message: 'not cached' } };
    expect(verdict(e)).toMatchObject({ status: 'unverifiable', decision: 'deny', findings: [{ code: 'OFFLINE_MISS', severity: 'deny' }] });
  });

  it('denies evidence with a check result missing (a verifier that returned nothing is not a pass)', () => {
    const e = { ...evidence('a', '1.0.0'), signature: undefined };
    expect(verdict(e)).toMatchObject({ status: 'unverifiable', decision: 'deny', findings: [{ code: 'VERIFIER_ERROR' }] });
  });
});

describe('evaluate: every verification failure becomes a finding with its code', () => {
  const cases: [string, PackageEvidence][] = [
    ...(['INTEGRITY_MISSING', 'INTEGRITY_SHA1_ONLY', 'INTEGRITY_MISMATCH', 'TARBALL_MISMATCH'] as const).map((code): [string, PackageEvidence] => [
      code,
      evidence('a', '1.0.0', { integrity: { kind: 'failed', code, message: 'm' } }),
    ]),
    ...(['SIGNATURE_MISSING', 'SIGNATURE_INVALID', 'KEY_UNKNOWN', 'KEY_EXPIRED'] as const).map((code): [string, PackageEvidence] => [
      code,
      evidence('a', '1.0.0', { signature: { kind: 'failed', code, message: 'm' } }),
    ]),
    ...(
      [
        'ATTESTATION_MISSING',
        'ATTESTATION_INVALID',
        'ATTESTATION_SUBJECT',
        'ATTESTATION_STATEMENT',
        'ATTESTATION_KEY_UNKNOWN',
        'ATTESTATION_KEY_EXPIRED',
        'ATTESTATION_TOO_LARGE',
      ] as const
    ).map((code): [string, PackageEvidence] => [code, evidence('a', '1.0.0', { attestations: { kind: 'failed', code, message: 'm' } })]),
    ...(['REGISTRY_UNREACHABLE', 'REGISTRY_ERROR', 'OFFLINE_MISS', 'VERSION_NOT_FOUND', 'VERIFIER_ERROR'] as const).map((code): [string, PackageEvidence] => [
      code,
      { ref: evidence('a', '1.0.0').ref, unverifiable: { code, message: 'm' } },
    ]),
  ];

  it.each(cases)('%s denies under the file defaults', (code, e) => {
    const v = verdict(e, policy({ defaults: { provenance: 'off' } }));
    expect(v.decision).toBe('deny');
    expect(v.findings.map((f) => f.code)).toEqual([code]);
    expect(v.findings[0]?.message).toContain('a@1.0.0');
  });
});

describe('evaluate: unsigned registries', () => {
  const mirror: RegistryKeysSeen = seenKeys(MIRROR, 0);

  it('warns under the built-in default (zero setup must work against a mirror that strips signatures)', () => {
    const v = verdict(unsigned(), builtInPolicy(), [mirror]);
    expect(v).toMatchObject({ status: 'unsigned-registry', decision: 'warn' });
    expect(v.findings[0]).toMatchObject({ code: 'UNSIGNED_REGISTRY', severity: 'warn', rule: 'default.unsignedRegistry' });
  });

  it('denies under an explicit policy that does not mark the registry', () => {
    const v = verdict(unsigned(), policy({}), [mirror]);
    expect(v.findings[0]).toMatchObject({ code: 'UNSIGNED_REGISTRY', severity: 'deny', rule: 'defaults.unsignedRegistry' });
    expect(v.findings[0]?.hint).toContain('see https://mirror.example/ under Registries');
  });

  it('says it once per registry: what it lacks, how many packages, and the policy line that accepts it', () => {
    const report = evaluate({
      evidence: [unsigned('a'), unsigned('b'), unsigned('c')],
      nonRegistry: [],
      registries: [mirror],
      policy: policy({}),
      lock: emptyLock(),
      now: NOW,
    });
    const summary = report.registries.find((r) => r.url === MIRROR);
    expect(summary).toMatchObject({ keys: 'none', decision: 'deny' });
    expect(summary?.findings).toHaveLength(1);
    expect(summary?.findings[0]).toMatchObject({ code: 'UNSIGNED_REGISTRY', severity: 'deny', rule: 'defaults.unsignedRegistry' });
    expect(summary?.findings[0]?.message).toContain('no signing keys, no registry signatures and no attestations');
    expect(summary?.findings[0]?.message).toContain('3 packages from it');
    expect(summary?.findings[0]?.hint).toContain(`"registries": { "${MIRROR}": { "keys": "none" } }`);
    // Marked keys "none": no package finding, so no registry finding either.
    const marked = evaluate({
      evidence: [unsigned('a')],
      nonRegistry: [],
      registries: [mirror],
      policy: policy({ registries: { [MIRROR]: { keys: 'none' } } }),
      lock: emptyLock(),
      now: NOW,
    });
    expect(marked.registries.find((r) => r.url === MIRROR)).toMatchObject({ decision: 'allow', findings: [] });
  });

  it('allows packages of a registry the policy marks keys "none"', () => {
    const p = policy({ registries: { 'https://mirror.example': { keys: 'none' } } });
    expect(verdict(unsigned(), p, [mirror])).toMatchObject({ status: 'unsigned-registry', decision: 'allow', findings: [] });
  });

  it('keeps denying packages of other unsigned registries when one is marked', () => {
    const p = policy({ registries: { 'https://other.example/': { keys: 'none' } } });
    expect(verdict(unsigned(), p, [mirror]).decision).toBe('deny');
  });

  it('lets an explicit policy choose "warn" for unsigned registries', () => {
    expect(verdict(unsigned(), policy({ defaults: { unsignedRegistry: 'warn' } }), [mirror]).decision).toBe('warn');
  });

  it('notices a registry marked keys "none" that does publish keys', () => {
    const p = policy({ registries: { [NPM]: { keys: 'none' } } });
    const report = evaluate({ evidence: [evidence('a', '1.0.0')], nonRegistry: [], registries: [NPM_SUMMARY], policy: p, lock: emptyLock(), now: NOW });
    expect(report.notices).toHaveLength(1);
  });
});
