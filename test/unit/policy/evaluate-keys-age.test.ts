import { describe, expect, it } from 'vitest';
import { emptyLock } from '../../../lib/lock/index.js';
import { builtInPolicy, evaluate, type PackageVerdict, type Policy } from '../../../lib/policy/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { KEY_A, KEY_B, NOW, daysAgo, evidence, ghIdentity, policy } from './builders.js';

function verdict(e: PackageEvidence, p: Policy): PackageVerdict {
  const v = evaluate({ evidence: [e], nonRegistry: [], registries: [], policy: p, lock: emptyLock(), now: NOW }).verdicts[0];
  if (v?.kind !== 'package') throw new Error('expected a package verdict');
  return v;
}
const found = (v: PackageVerdict) => v.findings.map((f) => [f.code, f.severity]);

describe('publisher keys', () => {
  const pinned = (keys: object[]) => policy({ defaults: { provenance: 'off' }, rules: [{ packages: '@acme/*', publisherKeys: keys }] });

  it('allows a version signed by a pinned key', () => {
    expect(verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A }), pinned([{ keyid: KEY_A }])).decision).toBe('allow');
  });

  it('denies a version signed by an unpinned key, naming both key ids (PUBLISHER_KEY_MISMATCH)', () => {
    const v = verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_B }), pinned([{ keyid: KEY_A }]));
    expect(found(v)).toEqual([['PUBLISHER_KEY_MISMATCH', 'deny']]);
    expect(v.findings[0]?.message).toContain(KEY_A);
    expect(v.findings[0]?.message).toContain(KEY_B);
    expect(v.findings[0]?.rule).toBe('rules[0].publisherKeys');
  });

  it('denies a version with no publisher signature where keys are pinned', () => {
    expect(found(verdict(evidence('@acme/w', '1.0.0'), pinned([{ keyid: KEY_A }])))).toEqual([['PUBLISHER_KEY_MISMATCH', 'deny']]);
  });

  it('accepts either key during a rotation', () => {
    const p = pinned([{ keyid: KEY_A, validUntil: '2026-12-31' }, { keyid: KEY_B }]);
    expect(verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A, publisherTime: daysAgo(5) }), p).decision).toBe('allow');
    expect(verdict(evidence('@acme/w', '1.1.0', { publisher: KEY_B, publisherTime: daysAgo(1) }), p).decision).toBe('allow');
  });

  it("denies a version signed after the key's validUntil (PUBLISHER_KEY_EXPIRED)", () => {
    const p = pinned([{ keyid: KEY_A, validUntil: '2026-11-01' }]);
    expect(found(verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A, publisherTime: daysAgo(5) }), p))).toEqual([['PUBLISHER_KEY_EXPIRED', 'deny']]);
    expect(verdict(evidence('@acme/w', '0.9.0', { publisher: KEY_A, publisherTime: daysAgo(60) }), p).decision).toBe('allow');
  });

  it('denies every version a revoked key signed after the revocation, by log time', () => {
    const p = pinned([{ keyid: KEY_A, revokedAt: '2026-11-20T00:00:00Z' }]);
    const v = verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A, publisherTime: daysAgo(2) }), p);
    expect(found(v)).toEqual([['PUBLISHER_KEY_REVOKED', 'deny']]);
    expect(v.findings[0]?.rule).toBe('rules[0].publisherKeys[0].revokedAt');
  });

  it('warns for versions a revoked key signed before the revocation', () => {
    const p = pinned([{ keyid: KEY_A, revokedAt: '2026-11-20' }]);
    expect(found(verdict(evidence('@acme/w', '0.9.0', { publisher: KEY_A, publisherTime: daysAgo(30) }), p))).toEqual([['PUBLISHER_KEY_REVOKED', 'warn']]);
  });

  it('falls back to the packument time when the publisher attestation has no log time', () => {
    const p = pinned([{ keyid: KEY_A, revokedAt: '2026-11-20' }]);
    const v = verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A, publisherTime: null, publishedAt: daysAgo(1) }), p);
    expect(found(v)).toEqual([['PUBLISHER_KEY_REVOKED', 'deny']]);
    expect(v.findings[0]?.message).toContain('packument time');
  });

  it("denies a revoked key's signature with no time at all (cannot show it predates the revocation)", () => {
    // Release age off: with no time, the default minReleaseAge would deny it too (see below).
    const p = policy({
      defaults: { provenance: 'off', minReleaseAge: 0 },
      rules: [{ packages: '@acme/*', publisherKeys: [{ keyid: KEY_A, revokedAt: '2026-11-20' }] }],
    });
    expect(found(verdict(evidence('@acme/w', '1.0.0', { publisher: KEY_A, publisherTime: null, publishedAt: null }), p))).toEqual([
      ['PUBLISHER_KEY_REVOKED', 'deny'],
    ]);
  });
});

describe('minReleaseAge', () => {
  const p = policy({ defaults: { minReleaseAge: 3 } });

  it('judges by the transparency-log time when there is one, and says so', () => {
    // The packument claims 30 days, the log says 1 day: the signed time wins.
    const v = verdict(evidence('a', '1.0.0', { provenance: ghIdentity('acme/a'), provenanceTime: daysAgo(1), publishedAt: daysAgo(30) }), p);
    expect(found(v)).toEqual([['RELEASE_TOO_NEW', 'deny']]);
    expect(v.findings[0]?.message).toContain('transparency-log');
    expect(v.findings[0]?.rule).toBe('defaults.minReleaseAge');
  });

  it('takes the latest of several log times', () => {
    const e = evidence('a', '1.0.0', { provenance: ghIdentity('acme/a'), provenanceTime: daysAgo(10), publishTime: daysAgo(1), publishedAt: daysAgo(30) });
    expect(verdict(e, p).findings[0]?.message).toContain('publish attestation');
  });

  it('falls back to the packument time, and says so', () => {
    const v = verdict(evidence('a', '1.0.0', { publishedAt: daysAgo(2) }), p);
    expect(found(v)).toEqual([['RELEASE_TOO_NEW', 'deny']]);
    expect(v.findings[0]?.message).toContain('packument time');
    expect(v.findings[0]?.message).toContain('released 2 days ago');
  });

  it('says how young a release is in minutes, hours or days, and a release time in the future as such', () => {
    const message = (publishedAt: Date) => verdict(evidence('a', '1.0.0', { publishedAt }), p).findings[0]?.message;
    expect(message(new Date(NOW.getTime() - 20_000))).toContain('released 1 minute ago');
    expect(message(new Date(NOW.getTime() - 26 * 60_000))).toContain('released 26 minutes ago');
    expect(message(new Date(NOW.getTime() - 30 * 3_600_000))).toContain('released 30 hours ago');
    expect(message(daysAgo(2.5))).toContain('released 2.5 days ago');
    expect(message(daysAgo(-1))).toContain('released in the future');
    expect(message(daysAgo(-1))).toContain('requires 3 days');
  });

  it('allows a release old enough by either clock', () => {
    expect(verdict(evidence('a', '1.0.0', { publishedAt: daysAgo(3) }), p).decision).toBe('allow');
    expect(verdict(evidence('a', '1.0.0', { provenance: ghIdentity('acme/a'), provenanceTime: daysAgo(4), publishedAt: null }), p).decision).toBe('allow');
  });

  it('denies a release with no time at all (fail closed)', () => {
    expect(found(verdict(evidence('a', '1.0.0', { publishedAt: null }), p))).toEqual([['RELEASE_TOO_NEW', 'deny']]);
  });

  it('is 1 day by default: the built-in policy denies a release an hour old and allows one two days old', () => {
    const hourOld = verdict(evidence('a', '1.0.0', { publishedAt: new Date(NOW.getTime() - 3_600_000) }), builtInPolicy());
    expect(found(hourOld)).toEqual([['RELEASE_TOO_NEW', 'deny']]);
    expect(hourOld.findings[0]?.rule).toBe('default.minReleaseAge');
    expect(hourOld.findings[0]?.message).toContain('was released 1 hour ago');
    expect(hourOld.findings[0]?.message).toContain('default.minReleaseAge requires 1 day');
    expect(verdict(evidence('a', '1.0.0', { publishedAt: daysAgo(2) }), builtInPolicy()).decision).toBe('allow');
    expect(verdict(evidence('a', '1.0.0', { publishedAt: daysAgo(1) }), builtInPolicy()).decision).toBe('allow'); // exactly a day
  });

  it('is 1 day in a policy file that leaves it out, and "minReleaseAge": 0 turns it off', () => {
    const hourOld = evidence('a', '1.0.0', { publishedAt: new Date(NOW.getTime() - 3_600_000) });
    const unset = verdict(hourOld, policy({ defaults: { signatures: 'require' } }));
    expect(found(unset)).toEqual([['RELEASE_TOO_NEW', 'deny']]);
    expect(unset.findings[0]?.rule).toBe('defaults.minReleaseAge');
    expect(verdict(evidence('a', '1.0.0', { publishedAt: daysAgo(2) }), policy({})).decision).toBe('allow');
    expect(verdict(hourOld, policy({ defaults: { minReleaseAge: 0 } })).decision).toBe('allow');
    expect(verdict(evidence('a', '1.0.0', { publishedAt: null }), policy({ defaults: { minReleaseAge: 0 } })).decision).toBe('allow');
  });

  it('judges a version with no time at all under the default too (fail closed)', () => {
    expect(found(verdict(evidence('a', '1.0.0', { publishedAt: null }), builtInPolicy()))).toEqual([['RELEASE_TOO_NEW', 'deny']]);
  });

  it('can be set per rule', () => {
    const q = policy({ rules: [{ packages: '@acme/*', minReleaseAge: 0 }], defaults: { minReleaseAge: 7 } });
    expect(verdict(evidence('@acme/a', '1.0.0', { publishedAt: daysAgo(1) }), q).decision).toBe('allow');
    expect(verdict(evidence('b', '1.0.0', { publishedAt: daysAgo(1) }), q).decision).toBe('deny');
  });
});
