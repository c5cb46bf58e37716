// Shared inputs for the attestation tests: real npm attestation data (fixtures/real, byte copies) and
// the locked integrities of those versions. Integrities are copied here, not derived from the bundles:
// registry.npmjs.org dist.integrity (`npm view <pkg>@<v> dist.integrity`, 2026-11-25; the same values as
// fixtures/real/registry-signature-vectors.json where listed), and for gundam-visor@1.0.1 (unpublished
// since) the sha512 of fixtures/real/bundles/tarballs-gundam-visor-1.0.1.tgz.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GithubIdentity } from '../../../fixtures/scripts/private-sigstore.js';
import { npmPinnedKeys } from '../../../lib/verify/npm-keys.js';
import {
  AttestationVerifier,
  loadTrustRoots,
  PREDICATE_PUBLISH_NPM,
  PREDICATE_SLSA_V02,
  PREDICATE_SLSA_V1,
  type AttestationInput,
} from '../../../lib/verify/index.js';

export const fixture = (path: string): string => fileURLToPath(new URL(`../../../fixtures/${path}`, import.meta.url));
export const readJson = (path: string): unknown => JSON.parse(readFileSync(fixture(path), 'utf8'));

export interface RealCase {
  file: string;
  name: string;
  version: string;
  integrity: string;
  /** The predicate type dist.attestations.provenance advertises. */
  provenance: string;
  publishKeyid: string;
  repository: string;
  workflow: string;
}

const OLD_NPM_KEY = 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA';
const NEW_NPM_KEY = 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U';

export const INTEGRITY = {
  'playwright-cli@0.1.1': 'sha512-9k11ZfDwAfMVDDIuEVW1Wvs8SoDNXIY1dNQ+9C9/SS8ZmElkcxesu5eoL7vNa96ntibUGaq1TM2qQoqvdl/I9g==',
  'gundam-visor@1.0.1': 'sha512-jZ15cvZ2UWx1AUqgdOEa5gTZjwtk7Gclph4oOP89qxYhGPpxQz+zHhVQ0wvQ3snQhs4DK5RFe1g5AMUHrPOcQA==',
  'sigstore@2.3.1': 'sha512-8G+/XDU8wNsJOQS5ysDVO0Etg9/2uA5gR9l4ZwijjlwxBcrU6RPfwi2+jJmbP+Ap1Hlp/nVAaEO4Fj22/SL2gQ==',
  'sigstore@2.0.0': 'sha512-RtTi90xIdzFmQAAKb9+Ki1nx4IR2Z5c+mFn3dN0xuPHgk3gTt3f7ZqKsZ9UFQP40ZAlm7un8LMyjhwgrTIXNPA==',
  'sigstore@1.3.0': 'sha512-dhdv+jOAi1RgLHw13lxumk3rlgZtumUz9QrCNPTx9MazUnUV3BfAb74oYAMPQQ7uaeogB5vTosbz3POzKbEHUQ==',
  'sigstore@1.0.0': 'sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==',
  'sigstore@0.4.0': 'sha512-KCwMX6k20mQyFkNYG2XT3lwK9u1P36wS9YURFd85zCXPrwrSLZCEh7/vMBFNYcJXRiBtGDS+T4/RZZF493zABA==',
  'tuf-js@1.0.0': 'sha512-1dxsQwESDzACJjTdYHQ4wJ1f/of7jALWKfJEHSBWUQB/5UTJUx9SW6GHXp4mZ1KvdBRJCpGjssoPFGi4hvw8/A==',
} as const;

const SIGSTORE_JS = 'https://github.com/sigstore/sigstore-js';

/** Full registry responses: GET /-/npm/v1/attestations/<name>@<version>. */
export const REAL_RESPONSES: RealCase[] = [
  {
    file: 'real/bundles/01-playwright-cli-0.1.1.attestations.json',
    name: '@playwright/cli',
    version: '0.1.1',
    integrity: INTEGRITY['playwright-cli@0.1.1'],
    provenance: PREDICATE_SLSA_V1,
    publishKeyid: NEW_NPM_KEY,
    repository: 'https://github.com/microsoft/playwright-cli',
    workflow: '.github/workflows/publish.yml',
  },
  {
    file: 'real/bundles/04-gundam-visor-1.0.1.attestations.json',
    name: 'gundam-visor',
    version: '1.0.1',
    integrity: INTEGRITY['gundam-visor@1.0.1'],
    provenance: PREDICATE_SLSA_V1,
    publishKeyid: OLD_NPM_KEY,
    repository: 'https://github.com/ramonpetgrave64/gundam-visor',
    workflow: '.github/workflows/npm-publish.yml',
  },
  {
    file: 'real/bundles/05-sigstore-2.3.1.attestations.json',
    name: 'sigstore',
    version: '2.3.1',
    integrity: INTEGRITY['sigstore@2.3.1'],
    provenance: PREDICATE_SLSA_V1,
    publishKeyid: OLD_NPM_KEY,
    repository: SIGSTORE_JS,
    workflow: '.github/workflows/release.yml',
  },
  {
    file: 'real/bundles/09-sigstore-0.4.0.attestations.json',
    name: 'sigstore',
    version: '0.4.0',
    integrity: INTEGRITY['sigstore@0.4.0'],
    provenance: PREDICATE_SLSA_V02,
    publishKeyid: OLD_NPM_KEY,
    repository: SIGSTORE_JS,
    workflow: '.github/workflows/publish.yml',
  },
  {
    file: 'real/attestations-sigstore@0.4.0.json',
    name: 'sigstore',
    version: '0.4.0',
    integrity: INTEGRITY['sigstore@0.4.0'],
    provenance: PREDICATE_SLSA_V02,
    publishKeyid: OLD_NPM_KEY,
    repository: SIGSTORE_JS,
    workflow: '.github/workflows/publish.yml',
  },
  {
    file: 'real/attestations-sigstore@1.0.0.json',
    name: 'sigstore',
    version: '1.0.0',
    integrity: INTEGRITY['sigstore@1.0.0'],
    provenance: PREDICATE_SLSA_V02,
    publishKeyid: OLD_NPM_KEY,
    repository: SIGSTORE_JS,
    workflow: '.github/workflows/publish.yml',
  },
  {
    file: 'real/attestations-tuf-js@1.0.0.json',
    name: 'tuf-js',
    version: '1.0.0',
    integrity: INTEGRITY['tuf-js@1.0.0'],
    provenance: PREDICATE_SLSA_V02,
    publishKeyid: OLD_NPM_KEY,
    repository: 'https://github.com/theupdateframework/tuf-js',
    workflow: '.github/workflows/publish.yml',
  },
];

/** Stand-alone bundles (`.sigstore` files), wrapped into a one-entry response by the tests. */
export const REAL_BUNDLES = [
  {
    file: 'real/bundles/02-playwright-cli-0.1.1.provenance.sigstore.json',
    name: '@playwright/cli',
    version: '0.1.1',
    integrity: INTEGRITY['playwright-cli@0.1.1'],
    predicateType: PREDICATE_SLSA_V1,
  },
  {
    file: 'real/bundles/03-playwright-cli-0.1.1.publish.sigstore.json',
    name: '@playwright/cli',
    version: '0.1.1',
    integrity: INTEGRITY['playwright-cli@0.1.1'],
    predicateType: PREDICATE_PUBLISH_NPM,
  },
  {
    file: 'real/bundles/06-sigstore-2.0.0.provenance.sigstore.json',
    name: 'sigstore',
    version: '2.0.0',
    integrity: INTEGRITY['sigstore@2.0.0'],
    predicateType: PREDICATE_SLSA_V1,
  },
  {
    file: 'real/bundles/07-sigstore-1.3.0.provenance.sigstore.json',
    name: 'sigstore',
    version: '1.3.0',
    integrity: INTEGRITY['sigstore@1.3.0'],
    predicateType: PREDICATE_SLSA_V02,
  },
  {
    file: 'real/bundles/08-sigstore-1.3.0.publish.sigstore.json',
    name: 'sigstore',
    version: '1.3.0',
    integrity: INTEGRITY['sigstore@1.3.0'],
    predicateType: PREDICATE_PUBLISH_NPM,
  },
] as const;

/** npm's pinned attestation keys (trust/npm-registry-keys.json), what the caller passes for registry.npmjs.org. */
export const npmKeys = () => npmPinnedKeys('npm:attestations');

/** The clock the tests pass (unit tests never read the wall clock). */
export const TEST_NOW = new Date('2026-11-25T00:00:00Z');

let shared: AttestationVerifier | undefined;
/** One verifier over the shipped public-good root, shared by a test file (as one process shares it). */
export const publicGoodVerifier = (): AttestationVerifier => (shared ??= new AttestationVerifier(loadTrustRoots()));

/** An input for a real registry response served for `name@version`. */
export function realInput(
  c: { name: string; version: string; integrity: string; provenance?: string },
  body: unknown,
  overrides: Partial<AttestationInput> = {},
): AttestationInput {
  return {
    name: c.name,
    version: c.version,
    integrity: c.integrity,
    advertised: {
      url: `https://registry.npmjs.org/-/npm/v1/attestations/${c.name}@${c.version}`,
      ...(c.provenance ? { provenance: { predicateType: c.provenance } } : {}),
    },
    response: { kind: 'found', body },
    keys: npmKeys(),
    verifier: publicGoodVerifier(),
    now: TEST_NOW,
    ...overrides,
  };
}

/** A GitHub Actions identity of the private Sigstore fixtures (fixtures/scripts/private-sigstore.ts). */
export const ACME: GithubIdentity = {
  repository: 'acme/widget',
  repositoryId: '700000001',
  ownerId: '900000001',
  ref: 'refs/tags/v1.0.0',
  commit: '1111111111111111111111111111111111111111',
  workflowPath: '.github/workflows/release.yml',
};
/** The package the private fixtures attest, and the time they are signed at. */
export const PKG = { name: '@acme/widget', version: '1.0.0', integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}` };
export const AT = new Date('2026-03-01T12:00:00Z');

/** The attestation check's input for PKG with `attestations` served, judged at TEST_NOW. */
export function privateInput(
  verifier: AttestationVerifier,
  attestations: { predicateType: string; bundle: unknown }[],
  extra: Partial<AttestationInput> = {},
): AttestationInput {
  return {
    ...PKG,
    advertised: { url: 'http://127.0.0.1/-/npm/v1/attestations/@acme/widget@1.0.0' },
    response: { kind: 'found', body: { attestations } },
    keys: [],
    verifier,
    now: TEST_NOW,
    ...extra,
  };
}
