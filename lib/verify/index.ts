// The verify stage: integrity, registry signatures, attestations and identity. Pure checks over
// fetched data; other stages import from here only.
export {
  checkAttestations,
  readAttestationResponse,
  type AdvertisedAttestations,
  type AttestationInput,
  type AttestationResponse,
} from './attestations.js';
export { AttestationVerifier, bundleDigest, type BundleKey, type BundleVerification } from './attestation-verifier.js';
export { npmPurl, sha512Hex } from './bundle-checks.js';
export { ATTESTATION_LIMITS, checkCheckpoint, checkBundleBounds } from './checkpoint-guard.js';
export { identityFromCertificate, workflowPath } from './identity.js';
export {
  ENDORSEMENT_CONTEXT,
  ENDORSEMENTS_MAX_PER_KEY,
  checkEndorsement,
  endorsementMessage,
  endorsersOf,
  keyIdMatches,
  signEndorsement,
  type EndorsableKey,
  type KeyEndorsement,
} from './key-endorsement.js';
export { SIGNATURES_MAX_PER_VERSION } from './signatures.js';
export {
  PUBLIC_GOOD,
  loadTrustRoots,
  publicGoodRoot,
  trustRootFromBytes,
  trustRootSet,
  type TrustRoot,
  type TrustRootSet,
} from './trust-roots.js';
export { registryLogRoot } from './registry-log-root.js';
export * from './types.js';
