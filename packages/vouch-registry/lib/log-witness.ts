// Publish attestations the registry issues are logged before they are stored or served: a Sigstore witness
// that appends the bundle's Rekor v2 `dsse` 0.0.2 entry and an `attestation-issued` event to the signing log
// in one batch, and hands the bundle its tlog entry in the shape Rekor v2 gives: log ID = the log key's C2SP
// key ID, an inclusion promise (SET) signed by the log key, and an inclusion proof with the signed checkpoint
// it leads to. A stock @sigstore/verify given the registry's trusted root (trusted-root.ts) checks all of it.
import { createHash, createPublicKey } from 'node:crypto';
import { keyIdOf, type Witness } from './vouch-core.js';
import type { DsseEntryBody, SigningLog } from './signing-log.js';

type VerificationMaterial = Awaited<ReturnType<Witness['testify']>>;
type TlogEntry = NonNullable<VerificationMaterial['tlogEntries']>[number];

/** What the attestation is about, for the `attestation-issued` event. */
export interface AttestationSubject {
  name: string;
  version: string;
}

/** A witness that logs the DSSE bundle it is shown (one signature, by a P-256 registry key). */
export function logWitness(log: SigningLog, subject: AttestationSubject, now: () => Date = () => new Date()): Witness {
  return {
    testify: async (content, publicKeyPem) => {
      if (content.$case !== 'dsseEnvelope') throw new Error('the signing log records DSSE bundles only');
      const envelope = content.dsseEnvelope;
      const signature = envelope.signatures[0];
      if (envelope.signatures.length !== 1 || !signature) throw new Error('a logged DSSE envelope carries exactly one signature');
      const publicKey = createPublicKey(publicKeyPem);
      const digest = createHash('sha256').update(envelope.payload).digest();
      const entry = dsseEntryBody(digest, signature.sig, publicKey.export({ type: 'spki', format: 'der' }));
      const body = Buffer.from(JSON.stringify(entry)); // the bytes the log appends
      const integratedTime = Math.floor(now().getTime() / 1000);
      const expected = log.treeSize;
      const [index] = log.appendBatch([
        entry,
        {
          type: 'attestation-issued',
          name: subject.name,
          version: subject.version,
          keyid: keyIdOf(publicKey),
          digest: `sha256:${digest.toString('hex')}`,
          entry: expected,
        },
      ]);
      if (index !== expected) throw new Error(`the signing log appended at ${String(index)}, not ${expected}`);
      return { tlogEntries: [tlogEntry(log, index, integratedTime, body)] };
    },
  };
}

/** The Rekor v2 dsse 0.0.2 entry body, keys in the order the contract fixes (JSON.stringify keeps it). */
export function dsseEntryBody(payloadDigest: Uint8Array, signature: Uint8Array, spkiDer: Uint8Array): DsseEntryBody {
  return {
    apiVersion: '0.0.2',
    kind: 'dsse',
    spec: {
      dsseV002: {
        payloadHash: { algorithm: 'SHA2_256', digest: Buffer.from(payloadDigest).toString('base64') },
        signatures: [
          {
            content: Buffer.from(signature).toString('base64'),
            verifier: { publicKey: { rawBytes: Buffer.from(spkiDer).toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
          },
        ],
      },
    },
  };
}

/**
 * The SET's signed message as @sigstore/verify rebuilds it (tlog/set.ts): canonical JSON, keys sorted, of
 * the base64 body, the integrated time, the hex log ID and the index.
 */
export function setPayload(body: Uint8Array, integratedTime: number, logId: Uint8Array, logIndex: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      body: Buffer.from(body).toString('base64'),
      integratedTime,
      logID: Buffer.from(logId).toString('hex'),
      logIndex,
    }),
  );
}

function tlogEntry(log: SigningLog, index: number, integratedTime: number, body: Buffer): TlogEntry {
  const proof = log.proof(index);
  return {
    logIndex: String(index),
    logId: { keyId: log.keyId },
    kindVersion: { kind: 'dsse', version: '0.0.2' },
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: log.sign(setPayload(body, integratedTime, log.keyId, index)) },
    inclusionProof: {
      logIndex: String(index),
      rootHash: Buffer.from(proof.root),
      treeSize: String(proof.size),
      hashes: proof.hashes.map((h) => Buffer.from(h)),
      checkpoint: { envelope: proof.checkpoint },
    },
    canonicalizedBody: body,
  };
}
