// Sigstore's newer bundles (issue 17 item 6): a Rekor v2 log entry (dsse/hashedrekord 0.0.2, no integrated
// time, no SET) plus an RFC 3161 timestamp, with checkpoints a log signs and witnesses cosign. Real
// public-good bundles (fixtures/real/rekor-v2) and a private deployment minted in-process
// (fixtures/scripts/private-rekor-v2.ts) go through the same AttestationVerifier and npm attestation path.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { bundleFromJSON, bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer, type Witness } from '@sigstore/sign';
import { toSignedEntity } from '@sigstore/verify';
import { beforeAll, describe, expect, it } from 'vitest';
import { registryPublishKey } from '../../support/provenance.js';
import { buildKeyedBundle, keySigner, type InTotoStatement } from '../../../lib/sign/index.js';
import {
  ATTESTATION_LIMITS,
  AttestationVerifier,
  bundleDigest,
  checkAttestations,
  checkBundleBounds,
  PREDICATE_PUBLISH_NPM,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V1,
  publicGoodRoot,
  trustRootFromBytes,
  trustRootSet,
} from '../../../lib/verify/index.js';
import { createPrivateSigstore, provenanceStatement, type PrivateSigstore } from '../../../fixtures/scripts/private-sigstore.js';
import { createRekorV2Log, createTimestampAuthority, type RekorV2Log, type TimestampAuthority } from '../../../fixtures/scripts/private-rekor-v2.js';
import { ACME, AT, PKG, privateInput, readJson, TEST_NOW } from './attestations-fixtures.js';

const REAL_DSSE = 'real/rekor-v2/sigstore-js-v3-dsse-0.0.2.sigstore.json';
const REAL_HASHEDREKORD = 'real/rekor-v2/sigstore-js-v3-hashedrekord-0.0.2.sigstore.json';

type Json = Record<string, unknown>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** Flips one bit of a base64 value, `fromEnd` bytes before its end (inside a token's trailing signature). */
function flipByte(base64: string, fromEnd: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const at = bytes.length - fromEnd;
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
  return bytes.toString('base64');
}

describe('real public-good Rekor v2 bundles (log2025-1, timestamp.sigstore.dev)', () => {
  const verifier = new AttestationVerifier(trustRootSet([publicGoodRoot()]));
  const verifyKeyless = (json: unknown) => verifier.verifyKeyless(bundleFromJSON(json), bundleDigest(json));

  it('passes the checkpoint guard', () => {
    expect(checkBundleBounds(readJson(REAL_DSSE))).toEqual({ ok: true });
    expect(checkBundleBounds(readJson(REAL_HASHEDREKORD))).toEqual({ ok: true });
  });

  it('verifies a dsse 0.0.2 bundle against the shipped root, reporting the TSA time as its signed time', () => {
    const result = verifyKeyless(readJson(REAL_DSSE));
    expect(result).toMatchObject({ ok: true, trustRoot: 'public-good', integratedTime: Date.parse('2025-12-11T19:36:08Z') / 1000 });
  });

  it('verifies a hashedrekord 0.0.2 message signature with the shipped root (vouch reads DSSE only)', () => {
    const bundle = bundleFromJSON(readJson(REAL_HASHEDREKORD));
    expect(() => publicGoodRoot().verifier.verify(toSignedEntity(bundle, Buffer.from('hello, world!')))).not.toThrow();
  });

  it('refuses the message signature as an npm attestation: those are DSSE envelopes', () => {
    const bundle = readJson(REAL_HASHEDREKORD);
    const result = checkAttestations({
      name: 'hello',
      version: '1.0.0',
      integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}`,
      advertised: { url: 'x', provenance: { predicateType: PREDICATE_SLSA_V1 } },
      response: { kind: 'found', body: { attestations: [{ predicateType: PREDICATE_SLSA_V1, bundle }] } },
      keys: [],
      verifier,
      now: TEST_NOW,
    });
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('does not verify with a tampered TSA token', () => {
    const json = clone(readJson(REAL_DSSE)) as Json & {
      verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
    };
    const token = json.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!;
    token.signedTimestamp = flipByte(token.signedTimestamp, 10); // inside the TSA's ECDSA signature
    expect(verifyKeyless(json)).toMatchObject({ ok: false });
  });

  it('does not verify (and does not throw) without its TSA token: a Rekor v2 entry signs no time', () => {
    const json = clone(readJson(REAL_DSSE)) as Json & { verificationMaterial: { timestampVerificationData?: unknown } };
    delete json.verificationMaterial.timestampVerificationData;
    const result = verifyKeyless(json);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message).toMatch(/TIMESTAMP_ERROR/);
  });
});

/** A private root: the CA of `sigstore`, Rekor v2 `logs` and the TSA (no Rekor v1 log, no SETs anywhere). */
function privateRoot(sigstore: PrivateSigstore, logs: RekorV2Log[], tsa: TimestampAuthority): string {
  const root = { ...sigstore.trustedRoot, tlogs: logs.map((l) => l.trustedRootLog), timestampAuthorities: [tsa.trustedRootTsa] };
  return `${JSON.stringify(root, null, 2)}\n`;
}

/** Keyless SLSA provenance over PKG, logged in `log` and timestamped by `tsa` at AT. */
async function mintProvenance(sigstore: PrivateSigstore, witnesses: Witness[]): Promise<SerializedBundle> {
  const leaf = await sigstore.issueLeaf(ACME, { at: AT });
  const signer: Signer = {
    async sign(data) {
      return { signature: nodeSign('sha256', data, leaf.privateKey), key: { $case: 'x509Certificate', certificate: leaf.certificatePem } };
    },
  };
  const statement = provenanceStatement({ ...PKG, identity: ACME }, PREDICATE_SLSA_V1);
  return bundleToJSON(
    await new DSSEBundleBuilder({ signer, witnesses }).create({ data: Buffer.from(JSON.stringify(statement)), type: 'application/vnd.in-toto+json' }),
  );
}

type Envelope = { verificationMaterial: { tlogEntries: { inclusionProof: { checkpoint: { envelope: string } } }[] } };
const checkpointOf = (bundle: SerializedBundle): string =>
  (bundle as unknown as Envelope).verificationMaterial.tlogEntries[0]!.inclusionProof.checkpoint.envelope;
function withCheckpoint(bundle: SerializedBundle, edit: (envelope: string) => string): SerializedBundle {
  const copy = clone(bundle) as unknown as Envelope;
  const proof = copy.verificationMaterial.tlogEntries[0]!.inclusionProof;
  proof.checkpoint.envelope = edit(proof.checkpoint.envelope);
  return copy as unknown as SerializedBundle;
}

describe('a private Sigstore deployment with Rekor v2 and a TSA', () => {
  let sigstore: PrivateSigstore;
  let hostPort: RekorV2Log;
  let hostPath: RekorV2Log;
  let tsa: TimestampAuthority;
  let verifier: AttestationVerifier;

  beforeAll(async () => {
    sigstore = await createPrivateSigstore({ clock: () => AT });
    hostPort = createRekorV2Log({ origin: 'rekor.v2.vouch.test:8443', witnesses: ['witness.vouch.test/w1', 'witness2.vouch.test'] });
    hostPath = createRekorV2Log({ origin: 'registry.vouch.test/log', baseUrl: 'https://registry.vouch.test/log' });
    tsa = await createTimestampAuthority();
    verifier = new AttestationVerifier(trustRootSet([publicGoodRoot(), trustRootFromBytes('private-v2', privateRoot(sigstore, [hostPort, hostPath], tsa))]));
  });

  const provenance = (bundle: unknown) => checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));

  it('verifies keyless provenance logged under a host:port origin with witness cosignatures, timed by the TSA', async () => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
    expect(checkpointOf(bundle).match(/^\u2014 /gm)).toHaveLength(3);
    expect(provenance(bundle)).toMatchObject({ kind: 'verified', provenance: { trustRoot: 'private-v2', integratedTime: AT } });
  });

  it('verifies keyless provenance logged under a host/path origin', async () => {
    const bundle = await mintProvenance(sigstore, [hostPath.witness(() => AT), tsa.witness(() => AT)]);
    expect(provenance(bundle)).toMatchObject({ kind: 'verified', provenance: { trustRoot: 'private-v2', integratedTime: AT } });
  });

  it('fails with ATTESTATION_INVALID when the TSA token is tampered with', async () => {
    const bundle = clone(await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)])) as unknown as {
      verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
    };
    const token = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!;
    token.signedTimestamp = flipByte(token.signedTimestamp, 5);
    expect(provenance(bundle)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('fails with ATTESTATION_INVALID when a TSA the root does not list timestamped it', async () => {
    const foreign = await createTimestampAuthority({ name: 'foreign tsa' });
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), foreign.witness(() => AT)]);
    expect(provenance(bundle)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('fails with ATTESTATION_INVALID, without throwing, when a certificate bundle has neither SET nor TSA time', async () => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT)]);
    const result = provenance(bundle);
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(JSON.stringify(result)).toMatch(/TIMESTAMP_ERROR/);
  });

  it('fails with ATTESTATION_INVALID when only a witness signature verifies (the log line is forged)', async () => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
    const forged = withCheckpoint(bundle, (cp) =>
      cp.replace(
        /^(\u2014 rekor\.v2\.vouch\.test:8443 )(\S{10})/m,
        (_, head: string, sig: string) => `${head}${sig.slice(0, 8)}${sig[8] === 'A' ? 'B' : 'A'}${sig[9]}`,
      ),
    );
    expect(forged).not.toEqual(bundle);
    expect(provenance(forged)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('fails with ATTESTATION_INVALID when the checkpoint carries witness cosignatures only', async () => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
    const witnessOnly = withCheckpoint(bundle, (cp) => cp.replace(/^\u2014 rekor\.v2\.vouch\.test:8443 \S+\n/m, ''));
    expect(checkpointOf(witnessOnly)).not.toMatch(/rekor\.v2\.vouch\.test:8443 /);
    expect(provenance(witnessOnly)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it('fails with ATTESTATION_INVALID when a witness signs as the log (its name on the log key hint)', async () => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
    const hint = hostPort.logId.subarray(0, 4);
    const impostor = withCheckpoint(bundle, (cp) => {
      const [note = ''] = cp.split('\n\n');
      const sig = nodeSign(null, Buffer.from(`${note}\n`), generateKeyPairSync('ed25519').privateKey);
      return `${note}\n\n\u2014 rekor.v2.vouch.test:8443 ${Buffer.concat([hint, sig]).toString('base64')}\n`;
    });
    expect(provenance(impostor)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });

  it.each([
    ['retired before the TSA time', { validUntil: new Date('2026-02-01T00:00:00Z') }],
    ['not yet valid at the TSA time', { validFrom: new Date('2026-04-01T00:00:00Z') }],
  ])('fails with ATTESTATION_INVALID when the log key was %s', async (_, validity) => {
    const log = createRekorV2Log({ origin: 'rekor.v2.vouch.test:8443', ...validity });
    const rootVerifier = new AttestationVerifier(trustRootSet([trustRootFromBytes('windowed', privateRoot(sigstore, [log], tsa))]));
    const bundle = await mintProvenance(sigstore, [log.witness(() => AT), tsa.witness(() => AT)]);
    const result = checkAttestations(privateInput(rootVerifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(JSON.stringify(result)).toMatch(/not valid at the timestamp/);
  });

  it('fails with ATTESTATION_INVALID when another trusted log signed the checkpoint of an entry that names this log', async () => {
    const bundle = clone(await mintProvenance(sigstore, [hostPath.witness(() => AT), tsa.witness(() => AT)])) as unknown as {
      verificationMaterial: { tlogEntries: { logId: { keyId: string } }[] };
    };
    bundle.verificationMaterial.tlogEntries[0]!.logId.keyId = hostPort.logId.toString('base64');
    const result = provenance(bundle);
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(JSON.stringify(result)).toMatch(/not signed by that log/);
  });

  it('accepts a checkpoint with the most signatures the guard allows, and refuses one more', async () => {
    expect(ATTESTATION_LIMITS.maxCheckpointSignatures).toBeGreaterThanOrEqual(16); // C2SP signed-note: MUST accept 16
    const witnesses = Array.from({ length: ATTESTATION_LIMITS.maxCheckpointSignatures - 1 }, (_, i) => `witness${i}.vouch.test`);
    const crowded = createRekorV2Log({ origin: 'rekor.v2.vouch.test:8443', witnesses });
    const oneMore = createRekorV2Log({ origin: 'rekor.v2.vouch.test:8443', witnesses: [...witnesses, 'witness-extra.vouch.test'] });
    const root = trustRootFromBytes('crowded', privateRoot(sigstore, [crowded, oneMore], tsa));
    const crowdedVerifier = new AttestationVerifier(trustRootSet([root]));
    const ok = await mintProvenance(sigstore, [crowded.witness(() => AT), tsa.witness(() => AT)]);
    expect(checkAttestations(privateInput(crowdedVerifier, [{ predicateType: PREDICATE_SLSA_V1, bundle: ok }]))).toMatchObject({ kind: 'verified' });
    const tooMany = await mintProvenance(sigstore, [oneMore.witness(() => AT), tsa.witness(() => AT)]);
    expect(checkAttestations(privateInput(crowdedVerifier, [{ predicateType: PREDICATE_SLSA_V1, bundle: tooMany }]))).toMatchObject({
      kind: 'failed',
      code: 'ATTESTATION_TOO_LARGE',
    });
  });

  it.each([
    ['a RegExp-hungry witness name', '(.*)*x'],
    ['an oversized witness name', `w${'a'.repeat(253)}.test`],
  ])('refuses %s before any verifier sees it', async (_, name) => {
    const bundle = await mintProvenance(sigstore, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
    const hostile = withCheckpoint(bundle, (cp) => cp.replace(/^\u2014 witness2\.vouch\.test /m, `\u2014 ${name} `));
    const started = process.hrtime.bigint();
    expect(provenance(hostile)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });

  it('fails closed (ATTESTATION_INVALID, no crash) on a DSSE envelope logged as hashedrekord 0.0.2: @sigstore/verify 3.x cannot match it', async () => {
    const asHashedrekord = createRekorV2Log({ origin: 'rekor.v2.vouch.test:8443', dsseAsHashedrekord: true });
    const rootVerifier = new AttestationVerifier(trustRootSet([trustRootFromBytes('hashedrekord-only', privateRoot(sigstore, [asHashedrekord], tsa))]));
    const bundle = await mintProvenance(sigstore, [asHashedrekord.witness(() => AT), tsa.witness(() => AT)]);
    expect(bundle.verificationMaterial.tlogEntries[0]).toMatchObject({ kindVersion: { kind: 'hashedrekord', version: '0.0.2' } });
    const result = checkAttestations(privateInput(rootVerifier, [{ predicateType: PREDICATE_SLSA_V1, bundle }]));
    expect(result).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(JSON.stringify(result)).toMatch(/TLOG_BODY_ERROR/);
  });

  it('mints Rekor v2 provenance from createPrivateSigstore({ rekorV2 }) that verifies with its own root', async () => {
    const v2 = await createPrivateSigstore({ clock: () => AT, rekorV2: { origin: 'registry.vouch.test/rekor', baseUrl: 'https://registry.vouch.test/rekor' } });
    const bundle = await v2.mintProvenance({ ...PKG, identity: ACME });
    expect(bundle.verificationMaterial.tlogEntries[0]).toMatchObject({ kindVersion: { kind: 'dsse', version: '0.0.2' } });
    expect(bundle.verificationMaterial.tlogEntries[0]?.inclusionPromise).toBeUndefined();
    const own = new AttestationVerifier(trustRootSet([trustRootFromBytes('v2', v2.trustedRootJSON)]));
    expect(checkAttestations(privateInput(own, [{ predicateType: PREDICATE_SLSA_V1, bundle }]))).toMatchObject({
      kind: 'verified',
      provenance: { trustRoot: 'v2', integratedTime: AT },
    });
  });

  describe('keyed bundles (registry publish and publisher attestations)', () => {
    const { signer, keys, publishStatement } = registryPublishKey(PKG, provenanceStatement({ ...PKG, identity: ACME }).subject);
    const publish = (bundle: unknown, expires: Date | null) =>
      checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISH_NPM, bundle }], { keys: keys(expires) }));

    it('verifies a publish attestation logged in Rekor v2, recording the TSA time', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
      expect(publish(bundle, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ kind: 'verified', publish: { keyid: signer.keyid, integratedTime: AT } });
    });

    it('fails with ATTESTATION_KEY_EXPIRED when the TSA time is at or after the key expired', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer, [hostPort.witness(() => AT), tsa.witness(() => AT)]);
      expect(publish(bundle, new Date('2026-02-01T00:00:00Z'))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
      expect(publish(bundle, AT)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
    });

    it('judges a Rekor v2 entry without a TSA token as untimed: the key must be unexpired now', async () => {
      const bundle = await buildKeyedBundle(publishStatement, signer, [hostPort.witness(() => AT)]);
      expect(publish(bundle, null)).toMatchObject({ kind: 'verified', publish: { integratedTime: null } });
      expect(publish(bundle, new Date('2026-06-01T00:00:00Z'))).toMatchObject({ kind: 'failed', code: 'ATTESTATION_KEY_EXPIRED' });
    });

    it('verifies a publisher attestation (the key its statement carries) logged in Rekor v2, with the TSA time', async () => {
      const publisher = keySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
      const publicKey = (publisher.publicKeyPem.match(/^[A-Za-z0-9+/=]+$/gm) ?? []).join('');
      const statement: InTotoStatement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: provenanceStatement({ ...PKG, identity: ACME }).subject,
        predicateType: PREDICATE_PUBLISHER,
        predicate: { name: PKG.name, version: PKG.version, publisherKey: { keyid: publisher.keyid, publicKey } },
      };
      const bundle = await buildKeyedBundle(statement, publisher, [hostPath.witness(() => AT), tsa.witness(() => AT)]);
      const result = checkAttestations(privateInput(verifier, [{ predicateType: PREDICATE_PUBLISHER, bundle }]));
      expect(result).toMatchObject({ kind: 'verified', publisher: { keyid: publisher.keyid, integratedTime: AT } });
    });

    it('fails with ATTESTATION_INVALID when the key-signed bundle carries a tampered TSA token', async () => {
      const bundle = clone(await buildKeyedBundle(publishStatement, signer, [hostPort.witness(() => AT), tsa.witness(() => AT)])) as unknown as {
        verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
      };
      const token = bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]!;
      token.signedTimestamp = flipByte(token.signedTimestamp, 5);
      expect(publish(bundle, null)).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    });
  });
});
