import { createPublicKey } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import {
  buildPublishAttestation, publishAttestationKeyid, publishStatement, reissuePublishAttestation, renewPublishAttestations, sha512HexOf,
} from '../../../packages/vouch-registry/lib/publish-attestation.js';
import { keySigner } from '../../../lib/sign/index.js';
import { PREDICATE_PUBLISH_NPM } from '../../../lib/verify/types.js';
import { p256KeyFile, tempDir } from './helpers.js';

const facts = { name: '@acme/pkg', version: '1.2.3', sha512Hex: 'ab'.repeat(64), registry: 'http://127.0.0.1:4873' };

describe('publishStatement', () => {
  it('has npm\'s publish attestation shape: Statement v0.1, purl subject, hex sha512, {name, version, registry}', () => {
    expect(publishStatement(facts)).toEqual({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'pkg:npm/%40acme/pkg@1.2.3', digest: { sha512: facts.sha512Hex } }],
      predicateType: PREDICATE_PUBLISH_NPM,
      predicate: { name: '@acme/pkg', version: '1.2.3', registry: 'http://127.0.0.1:4873' },
    });
  });
});

describe('buildPublishAttestation', () => {
  it('signs a DSSE bundle that verifies with the registry key alone and names it by key id', async () => {
    const { key } = p256KeyFile(tempDir(), 'k.pem');
    const signer = keySigner(key);
    const stored = await buildPublishAttestation(signer, facts);
    expect(stored.predicateType).toBe(PREDICATE_PUBLISH_NPM);
    const json = JSON.parse(stored.bundleText) as { dsseEnvelope: { payload: string; signatures: { keyid: string }[] } };
    expect(json.dsseEnvelope.signatures[0]!.keyid).toBe(signer.keyid);
    expect(JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString())).toEqual(publishStatement(facts));

    const trust = toTrustMaterial(
      { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [] },
      (hint: string) => {
        if (hint !== signer.keyid) throw new Error(`unknown key ${hint}`);
        return { publicKey: createPublicKey(signer.publicKeyPem), validFor: () => true };
      },
    );
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(json)))).not.toThrow();
    const other = keySigner(p256KeyFile(tempDir(), 'other.pem').key);
    const forged = await buildPublishAttestation({ ...other, keyid: signer.keyid }, facts); // claims the registry's id
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(forged.bundleText))))).toThrow();
  });
});

describe('reissuePublishAttestation', () => {
  const integrity = `sha512-${Buffer.from(facts.sha512Hex, 'hex').toString('base64')}`;
  const record = { name: facts.name, version: facts.version, integrity };

  it('signs the same statement with the new key, deterministically', async () => {
    const oldSigner = keySigner(p256KeyFile(tempDir(), 'old.pem').key);
    const newSigner = keySigner(p256KeyFile(tempDir(), 'new.pem').key);
    const old = await buildPublishAttestation(oldSigner, facts);
    const renewed = await reissuePublishAttestation(newSigner, record, old);
    expect(publishAttestationKeyid(old)).toBe(oldSigner.keyid);
    expect(publishAttestationKeyid(renewed)).toBe(newSigner.keyid);
    const payload = (text: string) => (JSON.parse(text) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    expect(payload(renewed.bundleText)).toBe(payload(old.bundleText));
    expect((await reissuePublishAttestation(newSigner, record, old)).bundleText).toBe(renewed.bundleText);
    expect(renewed).toEqual(await buildPublishAttestation(newSigner, facts));
  });

  it('refuses a stored statement that does not match the record (digest, version, or no registry)', async () => {
    const signer = keySigner(p256KeyFile(tempDir(), 'k.pem').key);
    const old = await buildPublishAttestation(signer, facts);
    await expect(reissuePublishAttestation(signer, { ...record, integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}` }, old)).rejects.toThrow(/does not state/);
    await expect(reissuePublishAttestation(signer, { ...record, version: '9.9.9' }, old)).rejects.toThrow(/does not state/);
    const noRegistry = await buildPublishAttestation(signer, { ...facts, registry: undefined as unknown as string });
    await expect(reissuePublishAttestation(signer, record, noRegistry)).rejects.toThrow(/registry URL/);
    await expect(reissuePublishAttestation(signer, { ...record, integrity: 'sha1-abc' }, old)).rejects.toThrow(/sha512/);
  });

  it('renews only the publish attestations whose key is refused and keeps other bundles as they are', async () => {
    const oldSigner = keySigner(p256KeyFile(tempDir(), 'old.pem').key);
    const newSigner = keySigner(p256KeyFile(tempDir(), 'new.pem').key);
    const publisher = { predicateType: 'https://slsa.dev/provenance/v1', bundleText: '{ "kept":  "as is" }' };
    const entries = [await buildPublishAttestation(oldSigner, facts), publisher];
    const renewed = await renewPublishAttestations(newSigner, record, entries, (k) => k === newSigner.keyid);
    expect(renewed?.map((e) => publishAttestationKeyid(e) ?? e.bundleText)).toEqual([newSigner.keyid, publisher.bundleText]);
    expect(await renewPublishAttestations(newSigner, record, renewed!, (k) => k === newSigner.keyid)).toBeUndefined();
  });

  it('reads the hex sha512 of a one-hash SRI string only', () => {
    expect(sha512HexOf(integrity)).toBe(facts.sha512Hex);
    expect(sha512HexOf(`${integrity} sha1-abc`)).toBeUndefined();
    expect(sha512HexOf('sha256-abc')).toBeUndefined();
  });
});
