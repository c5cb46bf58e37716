// The policy stage's output, which every renderer (text, JSON, SARIF) and every command reads.
import type { LockRegistry } from '../lock/types.js';
import type { NonRegistryRef, PackageRef } from '../tree/types.js';
import type { EvidenceStatus, PackageEvidence } from '../verify/types.js';

export type Decision = 'allow' | 'warn' | 'deny';

/**
 * Stable finding codes (a contract: they reach JSON and SARIF; add, never rename).
 * Evidence codes come straight from lib/verify; policy codes are decided here.
 */
export type FindingCode =
  // evidence
  | 'INTEGRITY_MISSING'
  | 'INTEGRITY_SHA1_ONLY'
  | 'INTEGRITY_MISMATCH'
  | 'TARBALL_MISMATCH'
  | 'INTEGRITY_AMBIGUOUS'
  | 'INTEGRITY_MALFORMED'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'KEY_UNKNOWN'
  | 'KEY_EXPIRED'
  | 'UNSIGNED_REGISTRY'
  | 'SIGNATURES_TOO_MANY'
  | 'SIGNATURE_NOT_LOGGED'
  | 'ATTESTATION_MISSING'
  | 'ATTESTATION_INVALID'
  | 'ATTESTATION_SUBJECT'
  | 'ATTESTATION_STATEMENT'
  | 'ATTESTATION_KEY_UNKNOWN'
  | 'ATTESTATION_KEY_EXPIRED'
  | 'ATTESTATION_TOO_LARGE'
  | 'ATTESTATION_NOT_LOGGED'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_ERROR'
  | 'OFFLINE_MISS'
  | 'VERSION_NOT_FOUND'
  | 'VERIFIER_ERROR'
  | 'VERIFICATION_BUDGET_EXCEEDED'
  // policy
  | 'SOURCE_NOT_ALLOWED' // git / file / remote-tarball dependency not allowed by name
  | 'REGISTRY_KEY_ADDED' // the registry serves a key nothing pinned or endorsed
  | 'REGISTRY_KEY_REMOVED' // a pinned key is no longer listed
  | 'REGISTRY_KEY_INVALID' // a listed key id is not the fingerprint of its key
  | 'REGISTRY_KEYS_MISSING' // a registry with pinned keys serves none
  | 'LOG_INCONSISTENT' // the registry's signing log does not extend the one vouch saw before (rewritten, forked)
  | 'LOG_ENTRY_INVALID' // the registry's signing log records a signing event its rules forbid (a key signing after its retirement)
  | 'LOG_UNWITNESSED' // the policy requires k witnesses to cosign the registry's log checkpoint, and fewer did
  | 'KEY_REVOKED' // signed only by a key its registry revoked
  | 'KEY_EXPIRED_UNTIMED' // signed by a retired key, and no signed time places the signature before it retired
  | 'SIGNATURE_DOWNGRADE' // earlier versions were registry-signed, this one is not
  | 'LINK_UNSUPPORTED' // a link npm never writes (onto a package folder): vouch cannot model it, so it denies
  | 'PROVENANCE_MISSING' // provenance: require, and none verified
  | 'PROVENANCE_DOWNGRADE' // an earlier version (by semver) had provenance, this one has none
  | 'TIER_DOWNGRADE' // an earlier version of the same release line had a higher trust tier
  | 'IDENTITY_MISMATCH' // a rule requires a repository / workflow / issuer ... that differs
  | 'IDENTITY_CHANGED' // the identity pinned in vouch.lock differs (trust on first use)
  | 'PUBLISHER_KEY_MISMATCH' // signed by a publisher key the policy does not pin
  | 'PUBLISHER_KEY_REVOKED' // signed by a revoked publisher key
  | 'PUBLISHER_KEY_EXPIRED' // signed after the key's validUntil
  | 'RELEASE_TOO_NEW' // younger than minReleaseAge
  // vouch diff: what a lockfile pull request changed that npm would not have written from the manifests
  | 'LOCKFILE_UNREQUESTED' // an entry no package.json reaches through the lockfile's dependency graph
  | 'LOCKFILE_OUT_OF_RANGE' // a direct dependency locked outside the range (or to another name than) package.json declares
  | 'LOCKFILE_RESOLVED_CHANGED' // `resolved` or `integrity` changed while the version stayed
  | 'EXCEPTION_EXPIRED' // an exception that would have applied has expired
  | 'EXCEPTION_EXPIRING' // an exception that applies expires soon
  | 'LOCK_MISSING_ENTRY' // vouch ci: the lockfile has a version vouch.lock does not record
  | 'RESOLVED_FOREIGN_HOST' // the lockfile's `resolved` names a host other than the signing registry's
  | 'RESOLVED_MISMATCH' // `resolved` is on the registry's host but is not this version's dist.tarball
  | 'BIN_COLLISION' // two packages link the same command into one node_modules/.bin
  | 'BIN_TOOLCHAIN' // a package links node, npm, npx or corepack into node_modules/.bin
  // verify --installed: the files in a package folder against its verified tarball's (lib/policy/installed-files.ts)
  | 'INSTALLED_FILE_MODIFIED' // a file differs from the verified tarball's
  | 'INSTALLED_FILE_MISSING' // a file of the verified tarball is not on disk
  | 'INSTALLED_FILE_ADDED' // a file the verified tarball does not have (by an install script: per scriptAddedFiles)
  | 'INSTALLED_FILES_UNKNOWN' // the folder could not be checked: no file list of its verified tarball (fail closed)
  // change alerts: an update compared with the version it replaces (lib/policy/change-alerts.ts)
  | 'INSTALL_SCRIPT_ADDED' // it has install scripts, the version it replaces had none (vouch diff: or a package new to the lockfile has them)
  | 'INSTALL_SCRIPT_CHANGED' // an install script's text differs from the replaced version's
  | 'BIN_ADDED' // it links a command the replaced version did not
  | 'DEPENDENCIES_ADDED' // it depends on packages the replaced version did not
  | 'PUBLISHER_CHANGED' // another npm user published it, or no longer by trusted publishing
  | 'QUICK_RELEASE'; // published within quickReleaseHours of the version it replaces

export interface Finding {
  code: FindingCode;
  severity: 'deny' | 'warn';
  message: string;
  /**
   * The policy rule that fired, as a JSON path into vouch.policy.json (`rules[0].provenance`,
   * `defaults.signatures`), `default.<setting>` for the built-in policy, or `vouch.lock:<path>`.
   */
  rule?: string;
  /** What to do next, naming a command where one exists. */
  hint?: string;
}

/** A finding an exception in vouch.policy.json waives: shown, but not counted in the decision. */
export interface WaivedFinding extends Finding {
  /** JSON path of the exception, e.g. exceptions["left-pad"][0]. */
  waivedBy: string;
}

/** One registry package's outcome: what the evidence showed, what the policy decided, and why. */
export interface PackageVerdict {
  kind: 'package';
  ref: PackageRef;
  status: EvidenceStatus;
  decision: Decision;
  findings: Finding[];
  /** Findings exceptions waived; absent when none. The decision already ignores them. */
  waived?: WaivedFinding[];
  evidence: PackageEvidence;
}

/** A git / file / remote-tarball dependency: unverifiable by nature, allowed only by name. */
export interface SourceVerdict {
  kind: 'source';
  ref: NonRegistryRef;
  status: 'unverifiable';
  decision: Decision;
  findings: Finding[];
  /** Findings exceptions waived; absent when none. */
  waived?: WaivedFinding[];
}

export type Verdict = PackageVerdict | SourceVerdict;

export interface RegistrySummary {
  url: string;
  /**
   * 'served': the keys endpoint answered with keys; 'pinned': keys vouch pins itself (registry.npmjs.org,
   * from the Sigstore TUF seed); 'none': the registry publishes no keys; 'unreachable'.
   */
  keys: 'served' | 'pinned' | 'none' | 'unreachable';
  keyids: string[];
  /** The registry's own verdict: its keys against what vouch.lock and vouch.policy.json pin. */
  decision: Decision;
  findings: Finding[];
}

export interface Report {
  /** Sorted by name, then version (deterministic whatever the fetch order). */
  verdicts: Verdict[];
  registries: RegistrySummary[];
  /** By registry URL: what vouch.lock pins after an allowed run (trusted keys, revocations, approvals). */
  registryPins: Record<string, LockRegistry>;
  /** By registry URL: the keys as served now, for `vouch approve --registry`. */
  registryServed: Record<string, LockRegistry>;
  /** Said once per run, e.g. which built-in policy was used. */
  notices: string[];
  summary: { total: number; allowed: number; warned: number; denied: number; unverifiable: number };
}
