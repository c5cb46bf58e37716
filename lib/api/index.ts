// vouch's Node API: `import { verifyProject, verifyBundle } from 'vouch'`. Everything exported here is public
// and semver-stable (docs/api.md); nothing else in the package is, whatever its path.
export { verifyProject, type VerifyProjectOptions } from './verify-project.js';
export type { LockfileKind } from '../tree/lockfiles/kinds.js';
export {
  verifyBundle,
  type BundleContent,
  type BundleDigestOption,
  type BundleErrorCode,
  type BundleIdentity,
  type BundleLogEntry,
  type BundleSignerResult,
  type BundleVerified,
  type VerifyBundleOptions,
} from './verify-bundle.js';
export type { BundlePublicKey } from './bundle-key.js';
export type { TrustedRootInput } from './bundle-roots.js';
export { VouchError, type ErrorLocation, type ExitCode, type UsageCode, type UnreachableCode } from '../errors/index.js';
export type {
  ReportJson,
  PackageJson,
  SourceJson,
  SummaryJson,
  EvidenceJson,
  AttestationsJson,
  ProvenanceJson,
  KeyedJson,
} from '../cli/render/json.js';
export type { Decision, Finding, FindingCode, RegistrySummary, WaivedFinding } from '../policy/report.js';
export type {
  EvidenceStatus,
  IntegrityResult,
  SignatureResult,
  ProvenanceIdentity,
  AttestationCode,
  IntegrityCode,
  SignatureCode,
} from '../verify/types.js';
export type { Statement as InTotoStatement } from '../verify/bundle-checks.js';
