// The verify stage: integrity, registry signatures, attestations and identity. Pure checks over
// fetched data; other stages import from here only.
export {
  checkAttestations,
  readAttestationResponse,
  type AdvertisedAttestations,
  type AttestationInput,
  type AttestationResponse,
} from './attestations.js';
export {
  AttestationVerifier,
  bundleDigest,
  signedTimeOf,
  type BundleKey,
  type BundleVerification,
  type SignedArtifact,
  type SignedTimeSource,
} from './attestation-verifier.js';
export { IN_TOTO_PAYLOAD_TYPE, npmPurl, readStatement, sha512Hex, type Statement } from './bundle-checks.js';
export { openBundle, verifySignedBundle, type BundleSigner, type OpenBundle, type OpenedBundle } from './sigstore-bundle.js';
export type { ArtifactDigest } from './prehashed-signature.js';
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
export { checkResolved, type NpmFetchConfig } from './resolved.js';
export { checkIntegrity } from './integrity.js';
export { checkSignatures } from './signatures.js';
export { isPublicNpmRegistry, npmPinnedKeys } from './npm-keys.js';
