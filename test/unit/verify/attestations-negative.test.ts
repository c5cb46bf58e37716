import { describe, expect, it } from 'vitest';
import { checkAttestations, checkBundleBounds, checkCheckpoint, PREDICATE_SLSA_V02, PREDICATE_SLSA_V1 } from '../../../lib/verify/index.js';
import { INTEGRITY, REAL_RESPONSES, readJson, realInput } from './attestations-fixtures.js';

const PLAYWRIGHT = { name: '@playwright/cli', version: '0.1.1', integrity: INTEGRITY['playwright-cli@0.1.1'], provenance: PREDICATE_SLSA_V1 };
const SIGSTORE_040 = { name: 'sigstore', version: '0.4.0', integrity: INTEGRITY['sigstore@0.4.0'], provenance: PREDICATE_SLSA_V02 };
const TUF_JS = { name: 'tuf-js', version: '1.0.0', integrity: INTEGRITY['tuf-js@1.0.0'], provenance: PREDICATE_SLSA_V02 };

// fixtures/neg: written by fixtures/scripts/make-fixtures.ts from the real responses, one defect each (ORIGIN.md).
const GENERATED = [
  { file: 'neg/playwright-cli@0.1.1.payload-byte.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_INVALID' },
  { file: 'neg/playwright-cli@0.1.1.signature.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_INVALID' },
  { file: 'neg/playwright-cli@0.1.1.integrated-time.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_INVALID' },
  { file: 'neg/playwright-cli@0.1.1.certificate-swapped.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_INVALID' },
  { file: 'neg/playwright-cli@0.1.1.subject-digest.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_SUBJECT' },
  { file: 'neg/playwright-cli@0.1.1.subject-name.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_SUBJECT' },
  { file: 'neg/playwright-cli@0.1.1.publish-keyid.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_KEY_UNKNOWN' },
  { file: 'neg/playwright-cli@0.1.1.wrapper-predicate-type.json', pkg: PLAYWRIGHT, code: 'ATTESTATION_STATEMENT' },
  { file: 'neg/tuf-js@1.0.0.swapped-from-sigstore@1.0.0.json', pkg: TUF_JS, code: 'ATTESTATION_SUBJECT' },
] as const;

// fixtures/real/neg-*: pacote's own tampered copies of real data.
const PACOTE = [
  { file: 'real/neg-attestations-sigstore@0.4.0-invalid-sig.json', pkg: SIGSTORE_040, code: 'ATTESTATION_INVALID' },
  { file: 'real/neg-attestations-sigstore@0.4.0-keyid.json', pkg: SIGSTORE_040, code: 'ATTESTATION_KEY_UNKNOWN' },
  { file: 'real/neg-attestations-sigstore@0.4.0-subject-digest.json', pkg: SIGSTORE_040, code: 'ATTESTATION_SUBJECT' },
  { file: 'real/neg-attestations-sigstore@0.4.0-subject-name.json', pkg: SIGSTORE_040, code: 'ATTESTATION_SUBJECT' },
] as const;

describe('checkAttestations on tampered real attestations', () => {
  it.each([...GENERATED, ...PACOTE])('fails $file with $code', ({ file, pkg, code }) => {
    expect(checkAttestations(realInput(pkg, readJson(file)))).toMatchObject({ kind: 'failed', code });
  });

  it('serves the untampered source of every generated negative as verified (the defect is the only difference)', () => {
    expect(checkAttestations(realInput(PLAYWRIGHT, readJson('real/bundles/01-playwright-cli-0.1.1.attestations.json'))).kind).toBe('verified');
    expect(
      checkAttestations(
        realInput({ ...TUF_JS, name: 'sigstore', integrity: INTEGRITY['sigstore@1.0.0'] }, readJson('neg/tuf-js@1.0.0.swapped-from-sigstore@1.0.0.json')),
      ).kind,
    ).toBe('verified');
  });

  it('rejects a checkpoint signer name that @sigstore/verify would run as a catastrophic RegExp, in well under a second', () => {
    const body = readJson('neg/playwright-cli@0.1.1.checkpoint-redos.json');
    const started = performance.now();
    const result = checkAttestations(realInput(PLAYWRIGHT, body));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(elapsed).toBeLessThan(1000); // unguarded, @sigstore/verify 3.1.1 spends 13 s+ of CPU on "(.*)*x"
  });
});

describe('publish attestations and npm key expiry (pacote semantics: log time vs key expiry)', () => {
  const gundam = REAL_RESPONSES.find((c) => c.name === 'gundam-visor')!;
  const body = readJson(gundam.file);
  const loggedAt = new Date(1717453081 * 1000); // the publish entry's integratedTime, 2024-06-03
  const keyWith = (expires: Date | null) => [{ keyid: gundam.publishKeyid, key: realKey(), expires }];
  const realKey = () => 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==';

  it('verifies under a key that expired after the bundle was logged (rotated key)', () => {
    expect(checkAttestations(realInput(gundam, body, { keys: keyWith(new Date('2025-01-29T00:00:00Z')) })).kind).toBe('verified');
  });

  it('fails with ATTESTATION_KEY_EXPIRED when the key expired before the bundle was logged', () => {
    expect(checkAttestations(realInput(gundam, body, { keys: keyWith(new Date('2024-01-01T00:00:00Z')) }))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_KEY_EXPIRED',
    });
  });

  it('fails with ATTESTATION_KEY_EXPIRED when the key expired exactly at the log time', () => {
    expect(checkAttestations(realInput(gundam, body, { keys: keyWith(loggedAt) }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
  });

  it('fails with ATTESTATION_KEY_UNKNOWN when the registry has no keys', () => {
    expect(checkAttestations(realInput(gundam, body, { keys: [] }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_UNKNOWN' });
  });

  it('fails with ATTESTATION_INVALID when the keyid is served with a different key', () => {
    const newKey = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g==';
    const keys = [{ keyid: gundam.publishKeyid, key: newKey, expires: null }];
    expect(checkAttestations(realInput(gundam, body, { keys }))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });
});

describe('checkpoint guard and bundle bounds', () => {
  const envelope = (name: string) => `rekor.sigstore.dev - 1\n1\nAAAA\n\n\u2014 ${name} wNI9ajBGAiEA\n`;

  it('accepts a real log name and rejects regex-looking or malformed names', () => {
    for (const name of ['rekor.sigstore.dev', 'log2025-1.rekor.sigstore.dev', '127.0.0.1:4873', 'vouch-registry/0f3a9c', 'witness.example/w_1']) {
      expect(checkCheckpoint(envelope(name))).toEqual({ ok: true });
    }
    for (const name of ['(.*)*x', '(', 'rekor.sigstore.dev|.*', '.rekor', 'a*', 'a+b', 'x[0-9]', 'a\\d', 'a$', '^a', 'a{2}', 'a?']) {
      expect(checkCheckpoint(envelope(name))).toMatchObject({ ok: false, code: 'ATTESTATION_INVALID' });
    }
  });

  it('rejects a bundle over the size bound and one nested too deep', () => {
    const big = { mediaType: 'x', padding: 'x'.repeat(300 * 1024), verificationMaterial: { tlogEntries: [] } };
    expect(checkBundleBounds(big)).toMatchObject({ ok: false, code: 'ATTESTATION_TOO_LARGE' });
    let deep: unknown = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(checkBundleBounds({ verificationMaterial: { tlogEntries: [] }, deep })).toMatchObject({ ok: false, code: 'ATTESTATION_TOO_LARGE' });
  });

  it('fails a response with more bundles than the bound with ATTESTATION_TOO_LARGE', () => {
    const c = REAL_RESPONSES[0]!;
    const one = (readJson(c.file) as { attestations: unknown[] }).attestations[0];
    const many = { attestations: Array.from({ length: 17 }, () => one) };
    expect(checkAttestations(realInput(c, many))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_TOO_LARGE' });
  });
});
