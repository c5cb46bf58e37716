// The policy stage: vouch.policy.json (schema, loading with every problem located, the built-in
// default) and the pure decision evaluate(evidence, policy, lock, now) → Report.
export { loadPolicy, parsePolicy, checkPolicyDocument, MAX_POLICY_BYTES } from './parse.js';
export {
  builtInPolicy,
  policyFromFile,
  normalizeRegistryUrl,
  needsPublishTime,
  needsTierClaims,
  requiredWitnesses,
  DEFAULT_POLICY_NOTICE,
  DEFAULT_MIN_RELEASE_AGE_DAYS,
  FILE_DEFAULTS,
  POLICY_FILE,
  POLICY_SCHEMA_REF,
  schemaRefFor,
  type Policy,
  type LoadedPolicy,
  type PolicyDefaults,
  type RegistryPolicy,
  type TierSetting,
} from './policy.js';
export {
  PolicyFileSchema,
  SIGNATURE_MODES,
  PROVENANCE_MODES,
  TIER_MODES,
  WAIVABLE_CODES,
  type PolicyFile,
  type PolicyRuleEntry,
  type PolicyIdentity,
  type PolicyPublisherKey,
  type PolicyException,
  type PolicySources,
  type SignatureMode,
  type ProvenanceMode,
  type TierMode,
  type WaivableCode,
} from './schema.js';
export { policySchemaJson, policySchemaText } from './schema-json.js';
export { evaluate, decide, summarize, type EvaluateInput } from './evaluate.js';
export { changeAlertFindings, resolveChangeAlerts, CHANGE_ALERT_DEFAULTS, type ChangeAlertSettings } from './change-alerts.js';
export type { InstalledFolder } from './installed-files.js';
export { resolveSettings, globMatches, type Settings, type Setting } from './match.js';
export { applyExceptions, EXPIRY_WARNING_DAYS } from './exceptions.js';
export {
  statusOf,
  identityOf,
  attestedOf,
  releaseTimeOf,
  evidenceDigest,
  identityDigest,
} from './evidence.js';
export { TIERS, tierViewOf, tierWords, verifiedTierOf, type Tier, type TierView } from './tiers.js';
export {
  IDENTITY_FIELDS,
  PROVENANCE_FIELDS,
  identityChanges,
  extendIdentity,
  identityExtends,
  approvalIdentities,
  identityMismatches,
  type IdentityRequirement,
} from './identity.js';
export { addException, type NewException } from './edit.js';
export type * from './report.js';
export { decidedByRegistry } from './unsigned-registries.js';
export { policyDate } from './findings.js';
