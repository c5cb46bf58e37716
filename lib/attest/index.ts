// Signed verification summaries (SLSA VSA v1): `vouch verify --attest` builds and signs one over the
// lockfile (and optionally node_modules); `vouch verify-summary` checks one against the project as it is.
export {
  buildSummaryStatement,
  dependencyLevels,
  verifiedLevels,
  BUILT_IN_POLICY_URI,
  LISTED_ATTESTATIONS_MAX,
  PREDICATE_VSA_V1,
  VOUCH_LEVELS,
  VOUCH_SUMMARY_DETAILS,
  VOUCH_VERIFIER_ID,
  type FileDigest,
  type SubjectDigest,
  type SummaryDetails,
  type SummaryInput,
  type VerificationResult,
} from './summary.js';
export { isSubjectName, lockfileSubject, subjectDigest, trustFileDigests } from './project-files.js';
export { summarySigner, type SummarySigner, type SummarySignerOptions } from './sign-summary.js';
export { checkSummary, type SummaryCheck, type SummaryCheckOptions, type SummaryProblem, type SummaryProblemCode } from './check-summary.js';
