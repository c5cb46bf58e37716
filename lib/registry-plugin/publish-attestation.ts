// The registry's own publish attestation, shaped like npm's: an in-toto Statement v0.1 whose subject
// is the package URL and the hex sha512 of the tarball the registry received, signed with the
// registry's active key as a DSSE bundle (public-key hint = key id). No transparency log entry.
import { buildKeyedBundle, type InTotoStatement, type RawSigner } from '../sign/index.js';
import { PREDICATE_PUBLISH_NPM } from '../verify/types.js';
import type { StoredAttestation } from './attestations.js';
import { npmPurl } from './names.js';

export interface PublishFacts {
  name: string;
  version: string;
  /** Hex sha512 of the tarball bytes, computed by the registry. */
  sha512Hex: string;
  /** Registry URL without a trailing slash, as npm writes it (`https://registry.npmjs.org`). */
  registry: string;
}

export function publishStatement(facts: PublishFacts): InTotoStatement {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: npmPurl(facts.name, facts.version), digest: { sha512: facts.sha512Hex } }],
    predicateType: PREDICATE_PUBLISH_NPM,
    predicate: { name: facts.name, version: facts.version, registry: facts.registry },
  };
}

export async function buildPublishAttestation(signer: RawSigner, facts: PublishFacts): Promise<StoredAttestation> {
  const bundle = await buildKeyedBundle(publishStatement(facts), signer);
  return { predicateType: PREDICATE_PUBLISH_NPM, bundleText: JSON.stringify(bundle) };
}
