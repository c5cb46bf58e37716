// DSSE Sigstore bundles signed by a key (not a Fulcio certificate): npm's registry publish attestations
// and vouch's publisher attestations. Optional witnesses add a transparency-log entry (time binding).
import { DSSEBundleBuilder, type Signer, type Witness } from '@sigstore/sign';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import type { RawSigner } from './signer.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface InTotoStatement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: unknown;
}

/** Signs an in-toto statement as a DSSE bundle (v0.3) whose public-key hint is the signer's key id. */
export async function buildKeyedBundle(statement: InTotoStatement, signer: RawSigner, witnesses: Witness[] = []): Promise<SerializedBundle> {
  const sigstoreSigner: Signer = {
    async sign(data) {
      return {
        signature: await signer.sign(data),
        key: { $case: 'publicKey', publicKey: signer.publicKeyPem, hint: signer.keyid },
      };
    },
  };
  return buildBundle(statement, sigstoreSigner, witnesses);
}

/**
 * Signs an in-toto statement as a DSSE bundle (v0.3) with any Sigstore signer: a key signer (above) or
 * a FulcioSigner (keyless: the bundle then carries the short-lived certificate instead of a hint).
 */
export async function buildBundle(statement: InTotoStatement, signer: Signer, witnesses: Witness[] = []): Promise<SerializedBundle> {
  const bundle = await new DSSEBundleBuilder({ signer, witnesses }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type: IN_TOTO_PAYLOAD_TYPE,
  });
  return bundleToJSON(bundle);
}

/** The statement a serialized DSSE bundle carries (its payload, parsed); throws when there is none. */
export function statementOf(bundle: SerializedBundle): InTotoStatement {
  const payload = bundle.dsseEnvelope?.payload;
  if (typeof payload !== 'string') throw new Error('bundle has no DSSE payload');
  return JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as InTotoStatement;
}
