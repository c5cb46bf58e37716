// The in-toto Statement v1 a maintainer signs: subject = the package purl and the hex sha512 of the
// exact tarball; predicate = SLSA provenance v1 when a CI describes the build, else vouch's publisher
// attestation naming the key. A key-signed statement always carries its public key (verify stage's
// contract): `publisherKey` in the publisher predicate, the PUBLISHER_KEY_BYPRODUCT in SLSA.
import npa from 'npm-package-arg';
import { withoutCredentials } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import { PREDICATE_PUBLISHER, PREDICATE_SLSA_V1, PUBLISHER_KEY_BYPRODUCT, type PublisherPredicate } from '../verify/index.js';
import { provenancePredicate, type CiProvider } from './ci-provenance.js';
import type { InTotoStatement } from './dsse.js';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

export interface StatementInput {
  name: string;
  version: string;
  /** Hex sha512 of the tarball. */
  sha512Hex: string;
  /** The CI that builds this (detectCi), or undefined on a maintainer's machine. */
  ci: CiProvider | undefined;
  env: NodeJS.ProcessEnv;
  /** Key-signed: the key that will sign (base64 SPKI DER). Keyless: undefined (the certificate names the signer). */
  publisherKey: { keyid: string; publicKey: string } | undefined;
  /** The registry the version is published to, when known. */
  registry?: string;
}

/** The purl npm writes for name@version (`pkg:npm/%40scope/name@1.2.3`). */
export function packagePurl(name: string, version: string): string {
  // npa.toPurl exists since npm-package-arg 10; @types/npm-package-arg predates it.
  return (npa as unknown as { toPurl(spec: npa.Result): string }).toPurl(npa.resolve(name, version));
}

export function buildStatement(input: StatementInput): InTotoStatement {
  if (!/^[0-9a-f]{128}$/.test(input.sha512Hex)) throw new Error('subject digest must be 128 hex characters of sha512');
  const subject = [{ name: packagePurl(input.name, input.version), digest: { sha512: input.sha512Hex } }];
  if (input.ci) {
    const predicate = provenancePredicate(input.ci, input.env);
    if (input.publisherKey) {
      predicate.runDetails.byproducts = [{ name: PUBLISHER_KEY_BYPRODUCT, content: input.publisherKey.publicKey, mediaType: 'application/pkix-spki' }];
    }
    return { _type: IN_TOTO_STATEMENT_V1, subject, predicateType: PREDICATE_SLSA_V1, predicate };
  }
  if (!input.publisherKey) {
    // npm refuses the same: outside a CI there is no build to describe and no OIDC identity to certify.
    throw new VouchError(
      'USAGE',
      'keyless signing needs a CI that describes the build (GitHub Actions or GitLab CI)',
      {},
      'sign with a publisher key (--key, --key-env or --signer-command) outside CI',
    );
  }
  const predicate: PublisherPredicate = {
    name: input.name,
    version: input.version,
    publisherKey: input.publisherKey,
    // Signed and published for anyone to read: the registry's identity, never a password from its URL.
    ...(input.registry ? { registry: withoutCredentials(input.registry) } : {}),
  };
  return { _type: IN_TOTO_STATEMENT_V1, subject, predicateType: PREDICATE_PUBLISHER, predicate };
}
