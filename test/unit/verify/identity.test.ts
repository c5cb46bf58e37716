import { beforeAll, describe, expect, it } from 'vitest';
import { identityFromCertificate, workflowPath } from '../../../lib/verify/index.js';
import { createPrivateSigstore, type GithubIdentity, type PrivateSigstore } from '../../../fixtures/scripts/private-sigstore.js';
import { derUtf8String } from '../../../fixtures/scripts/private-sigstore-claims.js';
import { readJson } from './attestations-fixtures.js';

interface Doc {
  attestations?: { bundle: BundleDoc }[];
}
interface BundleDoc {
  verificationMaterial: { certificate?: { rawBytes: string }; x509CertificateChain?: { certificates: { rawBytes: string }[] } };
}

/** The leaf certificate DER of the provenance bundle in a real fixture. */
function leafOf(file: string): Buffer {
  const doc = readJson(file) as Doc & BundleDoc;
  const bundles = doc.attestations ? doc.attestations.map((a) => a.bundle) : [doc];
  for (const b of bundles) {
    const der = b.verificationMaterial.certificate?.rawBytes ?? b.verificationMaterial.x509CertificateChain?.certificates[0]?.rawBytes;
    if (der) return Buffer.from(der, 'base64');
  }
  throw new Error(`no certificate in ${file}`);
}

describe('identityFromCertificate on real Fulcio certificates', () => {
  it('reads the v2 extensions of the @playwright/cli@0.1.1 certificate', () => {
    expect(identityFromCertificate(leafOf('real/bundles/02-playwright-cli-0.1.1.provenance.sigstore.json'))).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      san: 'https://github.com/microsoft/playwright-cli/.github/workflows/publish.yml@refs/tags/v0.1.1',
      repository: 'https://github.com/microsoft/playwright-cli',
      repositoryId: '273562379',
      ownerId: '6154722',
      owner: 'https://github.com/microsoft',
      ref: 'refs/tags/v0.1.1',
      commit: 'd1c6d1113932ddcee243e8b111b6d4aea553df20',
      workflow: '.github/workflows/publish.yml',
      buildConfigUri: 'https://github.com/microsoft/playwright-cli/.github/workflows/publish.yml@refs/tags/v0.1.1',
      buildSignerUri: 'https://github.com/microsoft/playwright-cli/.github/workflows/publish.yml@refs/tags/v0.1.1',
      runnerEnvironment: 'github-hosted',
    });
  });

  it('falls back to the raw .1–.6 claims and the SAN for a 2023 certificate without v2 extensions', () => {
    expect(identityFromCertificate(leafOf('real/attestations-sigstore@1.0.0.json'))).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      san: 'https://github.com/sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v1.0.0',
      repository: 'https://github.com/sigstore/sigstore-js',
      ref: 'refs/tags/v1.0.0',
      commit: '06528997c3c8ab9f864fad9a3658446aca7fd86d',
      workflow: '.github/workflows/publish.yml',
    });
  });
});

describe('identityFromCertificate on private-CA certificates', () => {
  let sigstore: PrivateSigstore;
  const id: GithubIdentity = {
    repository: 'acme/widget',
    repositoryId: '42',
    ownerId: '7',
    ref: 'refs/heads/main',
    commit: 'c'.repeat(40),
    workflowPath: '.github/workflows/release.yml',
    runnerEnvironment: 'self-hosted',
  };
  const OID = (n: number) => `1.3.6.1.4.1.57264.1.${n}`;

  beforeAll(async () => {
    sigstore = await createPrivateSigstore({ clock: () => new Date('2026-03-01T00:00:00Z') });
  });

  it('reads what the private CA issued', async () => {
    const leaf = await sigstore.issueLeaf(id);
    expect(identityFromCertificate(leaf.certificateDer)).toMatchObject({
      repository: 'https://github.com/acme/widget',
      repositoryId: '42',
      ownerId: '7',
      runnerEnvironment: 'self-hosted',
      workflow: '.github/workflows/release.yml',
      ref: 'refs/heads/main',
    });
  });

  it('throws on a repeated Fulcio extension (two answers to "which repository")', async () => {
    const leaf = await sigstore.issueLeaf(id, { extraExtensions: [{ oid: OID(12), value: derUtf8String('https://github.com/evil/widget') }] });
    expect(() => identityFromCertificate(leaf.certificateDer)).toThrow(/repeats extension/);
  });

  it('throws on a v2 extension that is not a DER UTF8String', async () => {
    const leaf = await sigstore.issueLeaf(id, { legacy: true, extraExtensions: [{ oid: OID(12), value: Buffer.from('https://github.com/acme/widget') }] });
    expect(() => identityFromCertificate(leaf.certificateDer)).toThrow(/UTF8String/);
  });

  it('throws on a UTF8String whose length does not cover its value', async () => {
    const bad = Buffer.concat([derUtf8String('https://github.com/acme/widget'), Buffer.from('x')]);
    const leaf = await sigstore.issueLeaf(id, { legacy: true, extraExtensions: [{ oid: OID(12), value: bad }] });
    expect(() => identityFromCertificate(leaf.certificateDer)).toThrow(/length/);
  });

  it('throws on invalid UTF-8 and on control characters', async () => {
    const invalid = Buffer.from([0x0c, 0x02, 0xc3, 0x28]);
    const leaf = await sigstore.issueLeaf(id, { legacy: true, extraExtensions: [{ oid: OID(12), value: invalid }] });
    expect(() => identityFromCertificate(leaf.certificateDer)).toThrow(/UTF-8/);
    const newline = await sigstore.issueLeaf(id, { legacy: true, extraExtensions: [{ oid: OID(15), value: derUtf8String('42\nrepositoryId: 1') }] });
    expect(() => identityFromCertificate(newline.certificateDer)).toThrow(/control/);
  });
});

describe('workflowPath', () => {
  it('strips the repository prefix and the ref', () => {
    expect(workflowPath('https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1', 'https://github.com/o/r')).toBe('.github/workflows/x.yml');
    expect(workflowPath('https://github.com/o/r/.github/workflows/x.yml@refs/tags/v1', undefined)).toBe('.github/workflows/x.yml');
  });

  it('uses the certificate repository for hosts other than github.com', () => {
    expect(workflowPath('https://gitlab.example/g/sub/p//.gitlab-ci.yml@refs/heads/main', 'https://gitlab.example/g/sub/p')).toBe('.gitlab-ci.yml');
  });

  it('gives nothing for a URI outside the repository', () => {
    expect(workflowPath('https://gitlab.example/x', 'https://github.com/o/r')).toBeUndefined();
    expect(workflowPath('mailto:someone@example.com', undefined)).toBeUndefined();
  });
});
