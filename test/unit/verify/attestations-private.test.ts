import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { registryPublishKey } from '../../support/provenance.js';
import { buildKeyedBundle, keySigner, type InTotoStatement } from '../../../lib/sign/index.js';
import {
  AttestationVerifier,
  checkAttestations,
  loadTrustRoots,
  PREDICATE_PUBLISH_NPM,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V1,
  PUBLISHER_KEY_BYPRODUCT,
  publicGoodRoot,
  trustRootFromBytes,
  trustRootSet,
} from '../../../lib/verify/index.js';
import { keyIdOf } from '../../../lib/keys/index.js';
import { createPrivateSigstore, provenanceStatement, type GithubIdentity, type PrivateSigstore } from '../../../fixtures/scripts/private-sigstore.js';
import { ACME, AT, PKG, privateInput, fixture, readJson, TEST_NOW } from './attestations-fixtures.js';

describe('committed private-root fixtures (fixtures/made)', () => {
  const manifest = readJson('made/packages.json') as unknown as {
    file: string;
    name: string;
    version: string;
    integrity: string;
    predicateType: string;
    identity: GithubIdentity;
  }[];
  const rootFile = fixture('made/private.trusted_root.json');
  const withPrivate = new AttestationVerifier(loadTrustRoots([rootFile]));
  const publicOnly = new AttestationVerifier(loadTrustRoots());

  it.each(manifest)('verifies $file against its private root, with the identity from its certificate', (m) => {
    const result = checkAttestations({
      name: m.name,
      version: m.version,
      integrity: m.integrity,
      advertised: { url: 'x', provenance: { predicateType: m.predicateType } },
      response: { kind: 'found', body: readJson(`made/${m.file}`) },
      keys: [],
      verifier: withPrivate,
      now: TEST_NOW,
    });
    expect(result).toMatchObject({ kind: 'verified', provenance: { trustRoot: rootFile, predicateType: m.predicateType } });
    if (result.kind !== 'verified') return;
    expect(result.provenance?.identity.repository).toBe(`https://github.com/${m.identity.repository}`);
    expect(result.provenance?.identity.repositoryId).toBe(m.identity.repositoryId);
    expect(result.provenance?.identity.workflow).toBe(m.identity.workflowPath);
  });

  it.each(manifest)('fails $file with ATTESTATION_INVALID against public-good only', (m) => {
    const result = checkAttestations({
      name: m.name,
      version: m.version,
      integrity: m.integrity,
      advertised: { url: 'x', provenance: { predicateType: m.predicateType } },
      response: { kind: 'found', body: readJson(`made/${m.file}`) },
      keys: [],
      verifier: publicOnly,
      now: TEST_NOW,
    });
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });
});

describe('a private Sigstore deployment minted in-process', () => {
  let sigstore: PrivateSigstore;
  let other: PrivateSigstore;
  let verifier: AttestationVerifier;

  beforeAll(async () => {
    sigstore = await createPrivateSigstore({ clock: () => AT });
    other = await createPrivateSigstore({ clock: () => AT, logName: 'rekor.other.test' });
    verifier = new AttestationVerifier(trustRootSet([publicGoodRoot(), trustRootFromBytes('private', sigstore.trustedRootJSON)]));
  });

  it('verifies minted provenance through the same path as public-good, recording the root and log time', async () => {
    const bundle = await sigstore.mintProvenance({ ...PKG, identity: ACME });
    const result = checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));
    expect(result).toMatchObject({ kind: 'verified', provenance: { trustRoot: 'private', integratedTime: AT } });
  });

  it('fails with ATTESTATION_INVALID for provenance from a deployment no root trusts', async () => {
    const bundle = await other.mintProvenance({ ...PKG, identity: ACME });
    expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_INVALID',
    });
  });

  it('takes identity from the certificate, never from what the build wrote into the predicate', async () => {
    const liar = { ...ACME, repository: 'victim/widget', repositoryId: '1' };
    const bundle = await sigstore.mintProvenance({ ...PKG, identity: ACME, predicateIdentity: liar });
    const result = checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));
    expect(result).toMatchObject({ kind: 'verified', provenance: { identity: { repository: 'https://github.com/acme/widget', repositoryId: '700000001' } } });
  });

  it('fails with ATTESTATION_SUBJECT for provenance of another version', async () => {
    const bundle = await sigstore.mintProvenance({ ...PKG, version: '1.0.1', identity: ACME });
    expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_SUBJECT',
    });
  });

  describe('registry publish attestations signed by a registry key', () => {
    const { signer, keys, publishStatement } = registryPublishKey(PKG, provenanceStatement({ ...PKG, identity: ACME }).subject);
    const logged = (at: Date) => buildKeyedBundle(publishStatement, signer, [sigstore.witness(() => at)]);

    it('verifies when logged before the key expired, recording the log time', async () => {
      const bundle = await logged(AT);
      const result = checkAttestations(
        privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(new Date('2026-06-01T00:00:00Z')) }),
      );
      expect(result).toMatchObject({ kind: 'verified', publish: { keyid: signer.keyid, integratedTime: AT } });
    });

    it('fails with ATTESTATION_KEY_EXPIRED when logged at or after the key expired', async () => {
      const bundle = await logged(AT);
      const result = checkAttestations(
        privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(new Date('2026-02-01T00:00:00Z')) }),
      );
      expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
    });

    it('verifies a bundle without a log entry with no time binding (integratedTime null)', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer);
      const result = checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(null) }));
      expect(result).toMatchObject({ kind: 'verified', publish: { keyid: signer.keyid, integratedTime: null } });
    });

    it('fails an untimed bundle with ATTESTATION_KEY_EXPIRED once its key has expired (judged at now)', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer);
      const result = checkAttestations(
        privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(new Date('2026-06-01T00:00:00Z')) }),
      );
      expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
    });

    it('fails with ATTESTATION_INVALID when the bundle is logged in a log no root trusts', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer, [other.witness(() => AT)]);
      expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(null) }))).toMatchObject({
        kind: 'failed',
        code: 'ATTESTATION_INVALID',
      });
    });
  });

  describe('publisher attestations signed by the key their statement carries', () => {
    const publisherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const impostorKey = generateKeyPairSync('ed25519').privateKey;
    const spkiOf = (pem: string) => (pem.match(/^[A-Za-z0-9+/=]+$/gm) ?? []).join('');
    const publisher = keySigner(publisherKey);
    const subject = provenanceStatement({ ...PKG, identity: ACME }).subject;
    const publisherStatement = (keyid: string, publicKey: string): InTotoStatement => ({
      _type: 'https://in-toto.io/Statement/v1',
      subject,
      predicateType: PREDICATE_PUBLISHER,
      predicate: { name: PKG.name, version: PKG.version, publisherKey: { keyid, publicKey } },
    });

    it('verifies and reports the publisher keyid', async () => {
      const bundle = await buildKeyedBundle(publisherStatement(publisher.keyid, spkiOf(publisher.publicKeyPem)), publisher, [sigstore.witness(() => AT)]);
      const result = checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISHER, bundle }]));
      expect(result).toMatchObject({ kind: 'verified', publisher: { keyid: publisher.keyid, predicateType: PREDICATE_PUBLISHER, integratedTime: AT } });
      expect(keyIdOf(publisher.publicKeyPem)).toBe(publisher.keyid);
    });

    it('fails with ATTESTATION_KEY_UNKNOWN when another key signs a statement carrying the publisher key', async () => {
      const bundle = await buildKeyedBundle(publisherStatement(publisher.keyid, spkiOf(publisher.publicKeyPem)), keySigner(impostorKey));
      expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISHER, bundle }]))).toMatchObject({
        kind: 'failed',
        code: 'ATTESTATION_KEY_UNKNOWN',
      });
    });

    it('fails with ATTESTATION_KEY_UNKNOWN when publisherKey.keyid names a different key', async () => {
      const impostor = keySigner(impostorKey);
      const bundle = await buildKeyedBundle(publisherStatement(impostor.keyid, spkiOf(publisher.publicKeyPem)), publisher);
      expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISHER, bundle }]))).toMatchObject({
        kind: 'failed',
        code: 'ATTESTATION_KEY_UNKNOWN',
      });
    });

    it('fails with ATTESTATION_INVALID when the carried key did not make the signature', async () => {
      // The statement carries (and the hint names) the publisher key, but the impostor signed: keyids agree, signature does not.
      const impostor = keySigner(impostorKey);
      const forged = { ...impostor, keyid: publisher.keyid, publicKeyPem: publisher.publicKeyPem };
      const bundle = await buildKeyedBundle(publisherStatement(publisher.keyid, spkiOf(publisher.publicKeyPem)), forged);
      expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISHER, bundle }]))).toMatchObject({
        kind: 'failed',
        code: 'ATTESTATION_INVALID',
      });
    });

    it('treats a key-signed SLSA v1 statement carrying the publisher-key byproduct as a publisher attestation', async () => {
      const slsa = provenanceStatement({ ...PKG, identity: ACME }) as InTotoStatement & { predicate: { runDetails: { byproducts?: unknown[] } } };
      slsa.predicate.runDetails.byproducts = [{ name: PUBLISHER_KEY_BYPRODUCT, content: spkiOf(publisher.publicKeyPem) }];
      const bundle = await buildKeyedBundle(slsa, publisher);
      const result = checkAttestations(
        privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }], { advertised: { url: 'x', provenance: { predicateType: PREDICATE_SLSA_V1 } } }),
      );
      expect(result).toMatchObject({ kind: 'verified', publisher: { keyid: publisher.keyid, predicateType: PREDICATE_SLSA_V1, integratedTime: null } });
    });

    it('fails with ATTESTATION_MISSING when every served attestation is of a kind vouch does not verify', async () => {
      const custom = 'https://example.com/attestation/custom/v1';
      const bundle = await buildKeyedBundle({ _type: 'https://in-toto.io/Statement/v1', subject, predicateType: custom, predicate: {} }, publisher);
      expect(checkAttestations(privateInput(verifier, [{ predicateType: custom, bundle }]))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_MISSING' });
    });

    it('fails a key-signed SLSA statement without the byproduct with ATTESTATION_STATEMENT', async () => {
      const bundle = await buildKeyedBundle(provenanceStatement({ ...PKG, identity: ACME }) as InTotoStatement, publisher);
      expect(checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]))).toMatchObject({
        kind: 'failed',
        code: 'ATTESTATION_STATEMENT',
      });
    });
  });

  it('caches a verification per bundle, roots and key, as plain JSON data', async () => {
    const bundle = await sigstore.mintProvenance({ ...PKG, identity: ACME });
    const fresh = new AttestationVerifier(verifier.roots);
    checkAttestations(privateInput(fresh, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));
    expect(fresh.cache.size).toBe(1);
    const [entry] = fresh.cache.values();
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
    // A persisted cache is honoured: a poisoned entry is what comes back (so the cache key must be exact).
    const [key] = fresh.cache.keys();
    const reused = new AttestationVerifier(verifier.roots, new Map([[key!, { ok: false, message: 'cached' }]]));
    expect(checkAttestations(privateInput(reused, [{ predicateType: PREDICATE_SLSA_V1, bundle }]))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_INVALID',
    });
  });
});
