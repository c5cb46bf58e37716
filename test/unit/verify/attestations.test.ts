import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAttestations, PREDICATE_PUBLISH_NPM, type AttestationResult } from '../../../lib/verify/index.js';
import { fixture, INTEGRITY, REAL_BUNDLES, REAL_RESPONSES, readJson, realInput } from './attestations-fixtures.js';

function verified(result: AttestationResult) {
  if (result.kind !== 'verified') throw new Error(`expected verified, got ${JSON.stringify(result)}`);
  return result;
}

describe('checkAttestations on real npm attestation responses (public-good, offline)', () => {
  it.each(REAL_RESPONSES)('verifies provenance and the publish attestation of $file', (c) => {
    const result = verified(checkAttestations(realInput(c, readJson(c.file))));
    expect(result.provenance?.predicateType).toBe(c.provenance);
    expect(result.provenance?.trustRoot).toBe('public-good');
    expect(result.provenance?.identity.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(result.provenance?.identity.repository).toBe(c.repository);
    expect(result.provenance?.identity.workflow).toBe(c.workflow);
    expect(result.provenance?.integratedTime).toBeInstanceOf(Date);
    expect(result.provenance?.bundleDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.publish?.keyid).toBe(c.publishKeyid);
    expect(result.publish?.predicateType).toBe(PREDICATE_PUBLISH_NPM);
    expect(result.publisher).toBeUndefined();
  });

  it.each(REAL_BUNDLES)('verifies the stand-alone bundle $file', (c) => {
    const body = { attestations: [{ predicateType: c.predicateType, bundle: readJson(c.file) }] };
    const result = verified(checkAttestations(realInput({ ...c, provenance: c.predicateType }, body)));
    if (c.predicateType === PREDICATE_PUBLISH_NPM) expect(result.publish?.predicateType).toBe(c.predicateType);
    else expect(result.provenance?.predicateType).toBe(c.predicateType);
  });

  it('records the signed log time of the provenance entry', () => {
    const c = REAL_RESPONSES[0]!;
    const result = verified(checkAttestations(realInput(c, readJson(c.file))));
    expect(result.provenance?.integratedTime?.toISOString()).toBe('2026-02-14T23:28:43.000Z'); // integratedTime 1771111723
    expect(result.publish?.integratedTime?.toISOString()).toBe('2026-02-14T23:28:45.000Z');
  });

  it('binds to tarballs whose sha512 is the copied integrity (the subject digest is the tarball)', () => {
    const tarballs = {
      'real/bundles/tarballs-playwright-cli-0.1.1.tgz': INTEGRITY['playwright-cli@0.1.1'],
      'real/bundles/tarballs-gundam-visor-1.0.1.tgz': INTEGRITY['gundam-visor@1.0.1'],
      'real/bundles/tarballs-sigstore-2.3.1.tgz': INTEGRITY['sigstore@2.3.1'],
    };
    for (const [file, integrity] of Object.entries(tarballs)) {
      expect(
        `sha512-${createHash('sha512')
          .update(readFileSync(fixture(file)))
          .digest('base64')}`,
      ).toBe(integrity);
    }
  });
});

describe('checkAttestations: advertised versus served', () => {
  const c = REAL_RESPONSES[0]!;

  it('is none when the version advertises no attestations, whatever was fetched', () => {
    expect(checkAttestations(realInput(c, readJson(c.file), { advertised: undefined }))).toEqual({ kind: 'none' });
  });

  it('fails with ATTESTATION_MISSING when the advertised URL answers 404', () => {
    expect(checkAttestations(realInput(c, null, { response: { kind: 'not-found' } }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_MISSING' });
  });

  it('fails with ATTESTATION_MISSING on an empty list (npm and pacote count it verified)', () => {
    expect(checkAttestations(realInput(c, { attestations: [] }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_MISSING' });
  });

  it('fails with ATTESTATION_MISSING when the advertised provenance predicate is not served', () => {
    const body = readJson(c.file) as { attestations: { predicateType: string }[] };
    const onlyPublish = { attestations: body.attestations.filter((a) => a.predicateType === PREDICATE_PUBLISH_NPM) };
    expect(checkAttestations(realInput(c, onlyPublish))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_MISSING', predicateType: c.provenance });
  });

  it('fails with ATTESTATION_TOO_LARGE when the response was over the bound', () => {
    expect(checkAttestations(realInput(c, null, { response: { kind: 'too-large', bytes: 5_000_000 } }))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_TOO_LARGE',
    });
  });

  it('fails with ATTESTATION_INVALID on a body that is not an attestations document', () => {
    expect(checkAttestations(realInput(c, { error: 'oops' }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(checkAttestations(realInput(c, null, { response: { kind: 'unparseable', message: 'x' } }))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_INVALID',
    });
  });

  it('fails with ATTESTATION_STATEMENT when two provenance bundles are served', () => {
    const body = readJson(c.file) as { attestations: unknown[] };
    const twice = { attestations: [...body.attestations, ...body.attestations] };
    expect(checkAttestations(realInput(c, twice))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_STATEMENT' });
  });

  it('fails with ATTESTATION_SUBJECT when the locked integrity has no sha512', () => {
    const sha1Only = 'sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=';
    expect(checkAttestations(realInput({ ...c, integrity: sha1Only }, readJson(c.file)))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_SUBJECT' });
  });
});
