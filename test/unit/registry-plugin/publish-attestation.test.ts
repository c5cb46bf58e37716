import { createHash, createPublicKey } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import {
  buildPublishAttestation,
  publishAttestationKeyid,
  publishStatement,
  reissuePublishAttestation,
  renewPublishAttestations,
  sha512HexOf,
} from '../../../packages/vouch-registry/lib/publish-attestation.js';
import { SigningLog } from '../../../packages/vouch-registry/lib/signing-log.js';
import { trustedRoot } from '../../../packages/vouch-registry/lib/trusted-root.js';
import { PublicKey, TrustedRoot } from '@sigstore/protobuf-specs';
import { inclusionProof, leafHash, verifyInclusion } from '../../../lib/tlog/index.js';
import { keySigner, spkiBase64 } from '../../../lib/sign/index.js';
import { PREDICATE_PUBLISH_NPM } from '../../../lib/verify/types.js';
import { p256KeyFile, tempDir } from './helpers.js';

const log = SigningLog.open(tempDir());
const facts = { name: '@acme/pkg', version: '1.2.3', sha512Hex: 'ab'.repeat(64), registry: 'http://127.0.0.1:4873' };

describe('publishStatement', () => {
  it("has npm's publish attestation shape: Statement v0.1, purl subject, hex sha512, {name, version, registry}", () => {
    expect(publishStatement(facts)).toEqual({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'pkg:npm/%40acme/pkg@1.2.3', digest: { sha512: facts.sha512Hex } }],
      predicateType: PREDICATE_PUBLISH_NPM,
      predicate: { name: '@acme/pkg', version: '1.2.3', registry: 'http://127.0.0.1:4873' },
    });
  });
});

describe('buildPublishAttestation', () => {
  it("signs a DSSE bundle that verifies with the registry key (and the log's trusted root) and names it by key id", async () => {
    const { key } = p256KeyFile(tempDir(), 'k.pem');
    const signer = keySigner(key);
    const stored = await buildPublishAttestation(signer, facts, log);
    expect(stored.predicateType).toBe(PREDICATE_PUBLISH_NPM);
    const json = JSON.parse(stored.bundleText) as { dsseEnvelope: { payload: string; signatures: { keyid: string }[] } };
    expect(json.dsseEnvelope.signatures[0]!.keyid).toBe(signer.keyid);
    expect(JSON.parse(Buffer.from(json.dsseEnvelope.payload, 'base64').toString())).toEqual(publishStatement(facts));

    const trust = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot('http://127.0.0.1:4873', log)), (hint: string) => {
      if (hint !== signer.keyid) throw new Error(`unknown key ${hint}`);
      return { publicKey: createPublicKey(signer.publicKeyPem), validFor: () => true };
    });
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(json)))).not.toThrow();
    const other = keySigner(p256KeyFile(tempDir(), 'other.pem').key);
    const forged = await buildPublishAttestation({ ...other, keyid: signer.keyid }, facts, log); // claims the registry's id
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(forged.bundleText))))).toThrow();
  });
});

describe('the logged publish attestation', () => {
  type Entry = {
    logIndex: string;
    logId: { keyId: string };
    kindVersion: unknown;
    integratedTime: string;
    canonicalizedBody: string;
    inclusionProof: { logIndex: string; treeSize: string; rootHash: string; hashes: string[]; checkpoint: { envelope: string } };
  };
  type Json = { mediaType: string; verificationMaterial: { publicKey: { hint: string }; tlogEntries: Entry[] }; dsseEnvelope: { payload: string } };

  it("carries its dsse 0.0.2 entry with a SET and an inclusion proof that stock @sigstore/verify accepts with the log's trusted root (default thresholds)", async () => {
    const dir = tempDir();
    const own = SigningLog.open(dir);
    own.append({ type: 'key-added', keyid: 'SHA256:x', at: new Date().toISOString() }); // not the first entry
    const signer = keySigner(p256KeyFile(tempDir(), 'k.pem').key);
    const json = JSON.parse((await buildPublishAttestation(signer, facts, own)).bundleText) as Json;
    expect(json.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const [entry] = json.verificationMaterial.tlogEntries;
    expect(entry).toMatchObject({
      logIndex: '1',
      logId: { keyId: own.keyId.toString('base64') },
      kindVersion: { kind: 'dsse', version: '0.0.2' },
      inclusionProof: { logIndex: '1', treeSize: '3', checkpoint: { envelope: own.checkpoint } },
    });
    const body = Buffer.from(entry!.canonicalizedBody, 'base64');
    expect(own.entries(1)[0]).toEqual(body);
    expect(JSON.parse(own.entries(2)[0]!.toString())).toEqual({
      type: 'attestation-issued',
      name: facts.name,
      version: facts.version,
      keyid: signer.keyid,
      digest: `sha256:${createHash('sha256').update(Buffer.from(json.dsseEnvelope.payload, 'base64')).digest('hex')}`,
      entry: 1,
    });
    const hashes = entry!.inclusionProof.hashes.map((h) => Buffer.from(h, 'base64'));
    expect(verifyInclusion(1, 3, leafHash(body), hashes, own.root())).toBe(true);
    expect(hashes).toEqual(inclusionProof(1, 3, (l, i) => own.subtreeHash(l, i)).map((h) => Buffer.from(h)));

    const root = TrustedRoot.fromJSON(trustedRoot('http://127.0.0.1:4873', own));
    const keys = { [signer.keyid]: PublicKey.fromJSON({ rawBytes: spkiBase64(createPublicKey(signer.publicKeyPem)), keyDetails: 'PKIX_ECDSA_P256_SHA_256' }) };
    const verifier = new Verifier(toTrustMaterial(root, keys), { ctlogThreshold: 0 });
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(json)))).not.toThrow();
    const tampered = structuredClone(json);
    tampered.verificationMaterial.tlogEntries[0]!.integratedTime = String(Number(entry!.integratedTime) + 1);
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tampered)))).toThrow(/inclusion promise/);
  });
});

describe('reissuePublishAttestation', () => {
  const integrity = `sha512-${Buffer.from(facts.sha512Hex, 'hex').toString('base64')}`;
  const record = { name: facts.name, version: facts.version, integrity };

  it('signs the same statement with the new key, deterministically', async () => {
    const oldSigner = keySigner(p256KeyFile(tempDir(), 'old.pem').key);
    const newSigner = keySigner(p256KeyFile(tempDir(), 'new.pem').key);
    const old = await buildPublishAttestation(oldSigner, facts, log);
    const renewed = await reissuePublishAttestation(newSigner, log, record, old);
    expect(publishAttestationKeyid(old)).toBe(oldSigner.keyid);
    expect(publishAttestationKeyid(renewed)).toBe(newSigner.keyid);
    const payload = (text: string) => (JSON.parse(text) as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
    expect(payload(renewed.bundleText)).toBe(payload(old.bundleText));
    // The same signature (RFC 6979) each time; each issue is a new log entry.
    const envelope = (text: string) => (JSON.parse(text) as { dsseEnvelope: unknown }).dsseEnvelope;
    expect(envelope((await reissuePublishAttestation(newSigner, log, record, old)).bundleText)).toEqual(envelope(renewed.bundleText));
    expect(envelope((await buildPublishAttestation(newSigner, facts, log)).bundleText)).toEqual(envelope(renewed.bundleText));
  });

  it('refuses a stored statement that does not match the record (digest, version, or no registry)', async () => {
    const signer = keySigner(p256KeyFile(tempDir(), 'k.pem').key);
    const old = await buildPublishAttestation(signer, facts, log);
    await expect(reissuePublishAttestation(signer, log, { ...record, integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}` }, old)).rejects.toThrow(
      /does not state/,
    );
    await expect(reissuePublishAttestation(signer, log, { ...record, version: '9.9.9' }, old)).rejects.toThrow(/does not state/);
    const noRegistry = await buildPublishAttestation(signer, { ...facts, registry: undefined as unknown as string }, log);
    await expect(reissuePublishAttestation(signer, log, record, noRegistry)).rejects.toThrow(/registry URL/);
    await expect(reissuePublishAttestation(signer, log, { ...record, integrity: 'sha1-abc' }, old)).rejects.toThrow(/sha512/);
  });

  it('renews only the publish attestations whose key is refused and keeps other bundles as they are', async () => {
    const oldSigner = keySigner(p256KeyFile(tempDir(), 'old.pem').key);
    const newSigner = keySigner(p256KeyFile(tempDir(), 'new.pem').key);
    const publisher = { predicateType: 'https://slsa.dev/provenance/v1', bundleText: '{ "kept":  "as is" }' };
    const entries = [await buildPublishAttestation(oldSigner, facts, log), publisher];
    const renewed = await renewPublishAttestations(newSigner, log, record, entries, (k) => k === newSigner.keyid);
    expect(renewed?.map((e) => publishAttestationKeyid(e) ?? e.bundleText)).toEqual([newSigner.keyid, publisher.bundleText]);
    expect(await renewPublishAttestations(newSigner, log, record, renewed!, (k) => k === newSigner.keyid)).toBeUndefined();
  });

  it('reads the hex sha512 of a one-hash SRI string only', () => {
    expect(sha512HexOf(integrity)).toBe(facts.sha512Hex);
    expect(sha512HexOf(`${integrity} sha1-abc`)).toBeUndefined();
    expect(sha512HexOf('sha256-abc')).toBeUndefined();
  });
});
