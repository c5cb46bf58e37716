import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSignatures, signedMessage, SIGNATURES_MAX_PER_VERSION } from '../../../lib/verify/signatures.js';
import { checkIntegrity, sha512Hex } from '../../../lib/verify/integrity.js';
import { npmPinnedKeys } from '../../../lib/verify/npm-keys.js';
import type { RegistryKey } from '../../../lib/verify/types.js';

interface Vector {
  name: string;
  version: string;
  integrity: string;
  keyid: string;
  sig: string;
  expectValid: boolean;
}
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/real/${name}`, import.meta.url), 'utf8'));
const vectors = (fixture('registry-signature-vectors.json') as { vectors: Vector[] }).vectors;
const endpointKeys = (fixture('registry-npmjs-keys-endpoint.json') as { keys: { keyid: string; key: string; expires: string | null }[] }).keys.map(
  (k): RegistryKey => ({ keyid: k.keyid, key: k.key, expires: k.expires ? new Date(k.expires) : null }),
);

// Old-key vectors were published before the key expired (2025-01-29); new-key ones after 2025-01-13.
const publishTimeFor = (v: Vector) => new Date(v.keyid.startsWith('SHA256:jl3b') ? '2023-01-01T00:00:00Z' : '2025-06-01T00:00:00Z');

describe('checkSignatures on real npm registry signatures', () => {
  for (const v of vectors.filter((x) => x.expectValid)) {
    it(`verifies ${v.name}@${v.version} with the real npm key ${v.keyid.slice(0, 14)}…`, () => {
      const result = checkSignatures({ ...v, signatures: [{ keyid: v.keyid, sig: v.sig }], publishedAt: publishTimeFor(v), keys: endpointKeys });
      expect(result).toEqual({ kind: 'verified', keyids: [v.keyid] });
    });
  }

  for (const v of vectors.filter((x) => !x.expectValid)) {
    it(`rejects the derived negative ${v.name}@${v.version} (${v.keyid.slice(0, 14)}…)`, () => {
      const result = checkSignatures({ ...v, signatures: [{ keyid: v.keyid, sig: v.sig }], publishedAt: publishTimeFor(v), keys: endpointKeys });
      expect(result.kind).toBe('failed');
    });
  }

  it('verifies the same vectors with the keys pinned from the TUF seed', () => {
    const keys = npmPinnedKeys('npm:signatures');
    expect(keys.map((k) => k.keyid).sort()).toEqual(endpointKeys.map((k) => k.keyid).sort());
    for (const v of vectors.filter((x) => x.expectValid)) {
      const result = checkSignatures({ ...v, signatures: [{ keyid: v.keyid, sig: v.sig }], publishedAt: publishTimeFor(v), keys });
      expect(result.kind, `${v.name}@${v.version}`).toBe('verified');
    }
  });
});

describe('checkSignatures key expiry (pacote rotated-key semantics)', () => {
  const packument = fixture('packument-@isaacs-namespace-test.json') as {
    time: Record<string, string>;
    versions: Record<string, { dist: { integrity: string; signatures: { keyid: string; sig: string }[] } }>;
  };
  const dist = packument.versions['1.0.0']!.dist;
  const oldKey = endpointKeys.find((k) => k.keyid === dist.signatures[0]!.keyid)!;
  const input = (expires: string | null, publishedAt: Date | null = new Date(packument.time['1.0.0']!)) => ({
    name: '@isaacs/namespace-test',
    version: '1.0.0',
    integrity: dist.integrity,
    signatures: dist.signatures,
    publishedAt,
    keys: [{ ...oldKey, expires: expires ? new Date(expires) : null }],
  });

  it('passes when the key expired after the publish time (2019-06-28 < 2020-06-28)', () => {
    expect(checkSignatures(input('2020-06-28T00:00:00Z')).kind).toBe('verified');
  });

  it('fails with KEY_EXPIRED when the key expired before the publish time', () => {
    expect(checkSignatures(input('2010-01-01T00:00:00Z'))).toMatchObject({ kind: 'failed', code: 'KEY_EXPIRED' });
  });

  it('judges a version without publish time as published 2015-01-01, as npm does', () => {
    expect(checkSignatures(input('2016-01-01T00:00:00Z', null)).kind).toBe('verified');
    expect(checkSignatures(input('2014-01-01T00:00:00Z', null))).toMatchObject({ code: 'KEY_EXPIRED' });
  });
});

describe('checkSignatures failure semantics', () => {
  const v = vectors.find((x) => x.name === 'sigstore' && x.expectValid)!;
  const base = { name: v.name, version: v.version, integrity: v.integrity, publishedAt: new Date('2023-02-01T00:00:00Z'), keys: endpointKeys };

  it('fails with SIGNATURE_MISSING when keys are served but the version has no signature', () => {
    expect(checkSignatures({ ...base, signatures: [] })).toMatchObject({ kind: 'failed', code: 'SIGNATURE_MISSING' });
  });

  it('reports no-keys for an unsigned registry, and KEY_UNKNOWN when it serves signatures without keys', () => {
    expect(checkSignatures({ ...base, signatures: [], keys: [] })).toEqual({ kind: 'no-keys' });
    expect(checkSignatures({ ...base, signatures: [{ keyid: v.keyid, sig: v.sig }], keys: [] })).toMatchObject({ code: 'KEY_UNKNOWN' });
  });

  it('fails when any one of several signatures is invalid', () => {
    const result = checkSignatures({
      ...base,
      signatures: [
        { keyid: v.keyid, sig: v.sig },
        { keyid: v.keyid, sig: 'bogus' },
      ],
    });
    expect(result).toMatchObject({ kind: 'failed', code: 'SIGNATURE_INVALID', keyid: v.keyid });
  });

  it('signs the locked name: a valid signature replayed for another version or name fails', () => {
    const sig = [{ keyid: v.keyid, sig: v.sig }];
    expect(checkSignatures({ ...base, version: '1.0.1', signatures: sig })).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(checkSignatures({ ...base, name: 'evil', signatures: sig })).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(signedMessage('a', '1.0.0', 'sha512-x')).toBe('a@1.0.0:sha512-x');
  });

  it(`fails with SIGNATURES_TOO_MANY past ${SIGNATURES_MAX_PER_VERSION} signatures, keys or not, and accepts that many valid ones`, () => {
    const valid = { keyid: v.keyid, sig: v.sig };
    expect(checkSignatures({ ...base, signatures: Array.from({ length: SIGNATURES_MAX_PER_VERSION }, () => valid) })).toMatchObject({ kind: 'verified' });
    const flood = Array.from({ length: SIGNATURES_MAX_PER_VERSION + 1 }, () => valid);
    expect(checkSignatures({ ...base, signatures: flood })).toMatchObject({ kind: 'failed', code: 'SIGNATURES_TOO_MANY' });
    expect(checkSignatures({ ...base, signatures: flood, keys: [] })).toMatchObject({ kind: 'failed', code: 'SIGNATURES_TOO_MANY' });
  });

  it('fails with KEY_UNKNOWN for a keyid the registry does not serve', () => {
    expect(checkSignatures({ ...base, signatures: [{ keyid: 'SHA256:nope', sig: v.sig }] })).toMatchObject({ code: 'KEY_UNKNOWN' });
  });
});

describe('checkIntegrity', () => {
  const signed = vectors[0]!.integrity;
  it('accepts a lockfile integrity equal to the signed one, and no other hash beside it (test/unit/verify/integrity.test.ts)', () => {
    expect(checkIntegrity({ locked: signed, registry: signed })).toMatchObject({ kind: 'ok', tarballChecked: false });
    expect(checkIntegrity({ locked: `${signed} sha1-W6ph5Mm5Pz8GgiULbPgzG37mj9g=`, registry: signed })).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
  });
  it('fails INTEGRITY_SHA1_ONLY, INTEGRITY_MISSING and INTEGRITY_MISMATCH', () => {
    expect(checkIntegrity({ locked: 'sha1-W6ph5Mm5Pz8GgiULbPgzG37mj9g=', registry: signed })).toMatchObject({ code: 'INTEGRITY_SHA1_ONLY' });
    expect(checkIntegrity({ locked: null, registry: signed })).toMatchObject({ code: 'INTEGRITY_MISSING' });
    expect(checkIntegrity({ locked: vectors[1]!.integrity, registry: signed })).toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });
  it('fails TARBALL_MISMATCH when the fetched bytes differ from the signed integrity', () => {
    expect(checkIntegrity({ locked: signed, registry: signed, tarball: vectors[1]!.integrity })).toMatchObject({ code: 'TARBALL_MISMATCH' });
    expect(checkIntegrity({ locked: signed, registry: signed, tarball: signed })).toMatchObject({ kind: 'ok', tarballChecked: true });
  });
  it('gives the hex sha512 a provenance subject carries', () => {
    expect(sha512Hex('sha512-AAAA')).toBe('000000');
  });
});
