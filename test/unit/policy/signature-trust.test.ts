// signatureTrustFindings: a verified registry signature still counts only if its key is not revoked
// and, for a retired key, a signed time (an attestation's log time, the registry's log, or vouch.lock
// from an earlier run) places it before the key retired. signatureDowngradeFindings: no unsigned
// version of a package whose earlier versions vouch.lock recorded signed.
import { describe, expect, it } from 'vitest';
import type { Lock } from '../../../lib/lock/types.js';
import { builtInPolicy, type Policy } from '../../../lib/policy/policy.js';
import type { KeyTrust } from '../../../lib/policy/registry-trust.js';
import { signatureDowngradeFindings, signatureTrustFindings, signedTimes } from '../../../lib/policy/signature-trust.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';

const REGISTRY = 'http://127.0.0.1:4873/';
const OLD = 'SHA256:old0000000000000000000000000000000000000000';
const NEW = 'SHA256:new0000000000000000000000000000000000000000';
const RETIRED = new Date('2026-06-01T00:00:00Z');
const NOW = new Date('2026-12-01T00:00:00Z');

const trust = (extra: Partial<KeyTrust> = {}): KeyTrust => ({
  trusted: new Set([OLD, NEW]),
  revoked: new Map(),
  expires: new Map([[OLD, RETIRED]]),
  needsSignedTime: true,
  ...extra,
});
const emptyLock = (): Lock => ({ lockVersion: 1, packages: {} });

function evidence(extra: Partial<PackageEvidence> = {}, keyids = [OLD]): PackageEvidence {
  return {
    ref: { name: 'left', version: '1.0.1', aliases: [], locations: ['node_modules/left'], integrity: 'sha512-x', resolved: null, registry: REGISTRY },
    signature: { kind: 'verified', keyids },
    publishedAt: new Date('2026-01-01T00:00:00Z'), // the registry's unsigned word: never consulted here
    ...extra,
  };
}

const publishAttested = (at: Date): PackageEvidence['attestations'] => ({
  kind: 'verified',
  publish: { predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', keyid: OLD, integratedTime: at, bundleDigest: 'sha256:b' },
});

function judge(e: PackageEvidence, t: KeyTrust = trust(), lock = emptyLock(), policy: Policy = builtInPolicy()) {
  const { findings, waived } = signatureTrustFindings({ e, trust: t, lock, policy, now: NOW });
  return { codes: findings.map((f) => f.code), waived: waived.map((w) => w.code) };
}

describe('signatureTrustFindings', () => {
  it('a retired key with nothing signed dating the signature: KEY_EXPIRED_UNTIMED (the packument time is not evidence)', () => {
    expect(judge(evidence())).toEqual({ codes: ['KEY_EXPIRED_UNTIMED'], waived: [] });
  });

  it('a retired key whose signature an attestation log time places before retirement: counts', () => {
    expect(judge(evidence({ attestations: publishAttested(new Date('2026-05-01T00:00:00Z')) }))).toEqual({ codes: [], waived: [] });
  });

  it('a signed time after retirement does not help', () => {
    expect(judge(evidence({ attestations: publishAttested(new Date('2026-07-01T00:00:00Z')) })).codes).toEqual(['KEY_EXPIRED_UNTIMED']);
  });

  it("a signature the signing registry's log holds counts for its retired key (the audit orders it before the retirement)", () => {
    const e = evidence({ registryLog: { index: 7, treeSize: 40 } });
    expect(signedTimes(e)).toEqual([]);
    expect(judge(e).codes).toEqual([]);
  });

  it('a logged signature by a revoked key is still void', () => {
    const revoked = trust({ revoked: new Map([[OLD, new Date('2026-09-01T00:00:00Z')]]) });
    expect(judge(evidence({ registryLog: { index: 7, treeSize: 40 } }), revoked).codes).toEqual(['KEY_REVOKED']);
  });

  it('a version vouch.lock recorded with that key on an earlier run: counts', () => {
    const lock: Lock = { lockVersion: 1, packages: { left: { versions: { '1.0.1': { integrity: 'sha512-x', registryKey: OLD, evidence: 'sha256:e' } } } } };
    expect(judge(evidence(), trust(), lock).codes).toEqual([]);
  });

  it('another signature by an unretired key is enough', () => {
    expect(judge(evidence({}, [OLD, NEW])).codes).toEqual([]);
  });

  it('a key retiring in the future, or a registry whose retired keys need no signed time (registry.npmjs.org): counts', () => {
    expect(judge(evidence(), trust({ expires: new Map([[OLD, new Date('2027-06-01T00:00:00Z')]]) })).codes).toEqual([]);
    expect(judge(evidence(), trust({ needsSignedTime: false })).codes).toEqual([]);
  });

  it('a revoked key: KEY_REVOKED whatever the signed time', () => {
    const revoked = trust({ revoked: new Map([[OLD, new Date('2026-09-01T00:00:00Z')]]) });
    expect(judge(evidence({ attestations: publishAttested(new Date('2026-01-01T00:00:00Z')) }), revoked).codes).toEqual(['KEY_REVOKED']);
  });

  it('untimedExpiredKeys in the policy waives KEY_EXPIRED_UNTIMED for that registry only, until its date', () => {
    const policy = (expires: string, url = REGISTRY): Policy => ({
      ...builtInPolicy(),
      registries: new Map([[url, { keys: 'required', path: `registries["${url}"]`, untimedExpiredKeys: { reason: 'r', expires } }]]),
    });
    expect(judge(evidence(), trust(), emptyLock(), policy('2099-01-01'))).toEqual({ codes: [], waived: ['KEY_EXPIRED_UNTIMED'] });
    expect(judge(evidence(), trust(), emptyLock(), policy('2026-11-01')).codes).toEqual(['KEY_EXPIRED_UNTIMED']);
    expect(judge(evidence(), trust(), emptyLock(), policy('2099-01-01', 'http://other.example/')).codes).toEqual(['KEY_EXPIRED_UNTIMED']);
  });
});

describe('signatureDowngradeFindings', () => {
  const signedBefore: Lock = {
    lockVersion: 1,
    packages: { left: { versions: { '1.0.0': { integrity: 'sha512-y', registryKey: OLD, evidence: 'sha256:e' } } } },
  };
  const unsigned = evidence({ signature: { kind: 'failed', code: 'SIGNATURE_MISSING', message: 'no signature' } });

  it('a new version without a signature where vouch.lock recorded signed ones: SIGNATURE_DOWNGRADE', () => {
    expect(signatureDowngradeFindings(unsigned, signedBefore).map((f) => f.code)).toEqual(['SIGNATURE_DOWNGRADE']);
    expect(signatureDowngradeFindings(evidence({ signature: { kind: 'no-keys' } }), signedBefore).map((f) => f.code)).toEqual(['SIGNATURE_DOWNGRADE']);
  });

  it('nothing when no earlier version was signed, or this version is the one recorded', () => {
    const unsignedBefore: Lock = { lockVersion: 1, packages: { left: { versions: { '1.0.0': { integrity: 'sha512-y', evidence: 'sha256:e' } } } } };
    expect(signatureDowngradeFindings(unsigned, unsignedBefore)).toEqual([]);
    const same: Lock = { lockVersion: 1, packages: { left: { versions: { '1.0.1': { integrity: 'sha512-x', registryKey: OLD, evidence: 'sha256:e' } } } } };
    expect(signatureDowngradeFindings(unsigned, same)).toEqual([]);
    expect(signatureDowngradeFindings(evidence(), signedBefore)).toEqual([]);
  });
});
