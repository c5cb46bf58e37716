// What `vouch sign` builds must verify through the consumer's code (lib/verify checkAttestations) and
// fail there when anything in it is changed.
import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildKeyedBundle, buildStatement, generateKey, keySigner, spkiBase64, statementOf, type RawSigner } from '../../../lib/sign/index.js';
import {
  AttestationVerifier,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V1,
  checkAttestations,
  trustRootSet,
  type AttestationResult,
} from '../../../lib/verify/index.js';

const TARBALL = Buffer.from('the exact tarball bytes');
const SHA512 = createHash('sha512').update(TARBALL).digest();
const INTEGRITY = `sha512-${SHA512.toString('base64')}`;
const GITHUB = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/widget',
  GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/release.yml@refs/tags/v1.0.0',
  GITHUB_REF: 'refs/tags/v1.0.0',
  GITHUB_SHA: '1'.repeat(40),
  RUNNER_ENVIRONMENT: 'github-hosted',
};

async function signed(signer: RawSigner, ci?: 'github-actions') {
  const statement = buildStatement({
    name: '@acme/widget',
    version: '1.0.0',
    sha512Hex: SHA512.toString('hex'),
    ci,
    env: ci ? GITHUB : {},
    publisherKey: { keyid: signer.keyid, publicKey: spkiBase64(createPublicKey(signer.publicKeyPem)) },
  });
  return buildKeyedBundle(statement, signer);
}

function check(bundle: unknown, predicateType: string, integrity = INTEGRITY): AttestationResult {
  return checkAttestations({
    name: '@acme/widget',
    version: '1.0.0',
    integrity,
    advertised: { url: '/-/npm/v1/attestations/@acme%2fwidget@1.0.0' },
    response: { kind: 'found', body: { attestations: [{ predicateType, bundle }] } },
    keys: [],
    verifier: new AttestationVerifier(trustRootSet([])),
    now: new Date('2026-06-01T00:00:00Z'),
  });
}

describe('key-signed bundles from vouch sign', () => {
  it.each(['ed25519', 'p256'] as const)('a %s publisher attestation verifies as the publisher key, with no signed time', async (type) => {
    const signer = keySigner(generateKey(type).privateKey);
    const bundle = await signed(signer);
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey?.hint).toBe(signer.keyid);
    expect(check(bundle, PREDICATE_PUBLISHER)).toMatchObject({
      kind: 'verified',
      publisher: { keyid: signer.keyid, integratedTime: null, predicateType: PREDICATE_PUBLISHER },
    });
  });

  it('a key-signed SLSA v1 statement from CI verifies as a publisher signature through its key byproduct', async () => {
    const signer = keySigner(generateKey('p256').privateKey);
    const bundle = await signed(signer, 'github-actions');
    expect(statementOf(bundle).predicateType).toBe(PREDICATE_SLSA_V1);
    expect(check(bundle, PREDICATE_SLSA_V1)).toMatchObject({ kind: 'verified', publisher: { keyid: signer.keyid, predicateType: PREDICATE_SLSA_V1 } });
  });

  it('is denied ATTESTATION_SUBJECT for any other tarball', async () => {
    const bundle = await signed(keySigner(generateKey('ed25519').privateKey));
    const other = `sha512-${createHash('sha512').update('other bytes').digest('base64')}`;
    expect(check(bundle, PREDICATE_PUBLISHER, other)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_SUBJECT' });
  });

  it('is denied when the statement names another key than the one that signed', async () => {
    const signer = keySigner(generateKey('ed25519').privateKey);
    const impostor = generateKey('ed25519');
    const statement = buildStatement({
      name: '@acme/widget',
      version: '1.0.0',
      sha512Hex: SHA512.toString('hex'),
      ci: undefined,
      env: {},
      publisherKey: { keyid: impostor.keyid, publicKey: spkiBase64(createPublicKey(impostor.publicKeyPem)) },
    });
    const bundle = await buildKeyedBundle(statement, signer);
    expect(check(bundle, PREDICATE_PUBLISHER)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_UNKNOWN' });
  });

  it('is denied ATTESTATION_INVALID when the signed payload is altered', async () => {
    const bundle = await signed(keySigner(generateKey('p256').privateKey));
    const statement = statementOf(bundle);
    const altered = { ...statement, predicate: { ...(statement.predicate as object), registry: 'https://evil.example/' } };
    const tampered = { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope!, payload: Buffer.from(JSON.stringify(altered)).toString('base64') } };
    expect(check(tampered, PREDICATE_PUBLISHER)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('gives the same bytes for the same P-256 key and statement (RFC 6979)', async () => {
    const signer = keySigner(generateKey('p256').privateKey);
    expect(JSON.stringify(await signed(signer))).toBe(JSON.stringify(await signed(signer)));
  });
});
