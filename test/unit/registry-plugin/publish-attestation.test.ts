import { createPublicKey } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { buildPublishAttestation, publishStatement } from '../../../lib/registry-plugin/publish-attestation.js';
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
