// The data in vouch.lock: what vouch verified and pinned, per package and per version. Written by
// vouch only (people change it through `vouch approve`), reviewed in pull requests. docs/lock.md.

/**
 * The identity pinned for a package (trust on first use), from verified evidence only: the Fulcio
 * certificate of its provenance and the key of its publisher attestation. Fields in this order.
 */
export interface LockIdentity {
  /** OIDC issuer of the provenance certificate. */
  issuer?: string;
  /** Source repository URI (certificate extension .12). */
  repository?: string;
  /** Immutable repository id (.15): survives renames, changes on delete-and-recreate. */
  repositoryId?: string;
  /** Immutable owner id (.17). */
  ownerId?: string;
  /** Build workflow path, e.g. .github/workflows/release.yml. */
  workflow?: string;
  /** Certificate SAN, pinned only when the certificate names no repository (e.g. an e-mail identity). */
  san?: string;
  /** Key id of the maintainer key that signed the publisher attestation. */
  publisherKey?: string;
}

export const IDENTITY_FIELDS = ['issuer', 'repository', 'repositoryId', 'ownerId', 'workflow', 'san', 'publisherKey'] as const;
/** The fields that come from the provenance certificate (the rest come from the publisher attestation). */
export const PROVENANCE_FIELDS = ['issuer', 'repository', 'repositoryId', 'ownerId', 'workflow', 'san'] as const;

/** The strongest attestation a version carried: the baseline for provenance no-downgrade. */
export type Attested = 'provenance' | 'publisher';

/** One version, one line: integrity, registry key, attestation level, evidence digest. */
export interface LockVersion {
  /** The registry-signed dist.integrity the lockfile matched (absent only if an exception allowed none). */
  integrity?: string;
  /** Key id(s) of the registry signature, comma-separated when several signed; absent when unsigned. */
  registryKey?: string;
  attested?: Attested;
  /**
   * The pinned identity this version was accepted under, by digest (lib/policy/evidence.ts identityDigest):
   * the package's `identity`, or an approval's `from` / `to`. Present exactly when `attested` is.
   */
  identity?: string;
  /** `sha256:` + hex over the canonical evidence JSON (lib/policy/evidence.ts evidenceDigest). */
  evidence: string;
}

/** `vouch approve`: who accepted what, when and why; re-pins the identity (from → to). */
export interface LockApproval {
  approvedBy: string;
  /** ISO 8601 time of the approval. */
  approvedAt: string;
  reason: string;
  /** The semver range the approval was given for, when one was. */
  versions?: string;
  from?: LockIdentity;
  to?: LockIdentity;
  /** Versions whose recorded entry was dropped so that they are recorded afresh (republished bytes). */
  forgot?: string[];
}

export interface LockPackage {
  identity?: LockIdentity;
  approvals?: LockApproval[];
  versions: Record<string, LockVersion>;
}

/**
 * A registry signing key vouch trusts for a registry: pinned on first use, endorsed by a key already
 * pinned (a rotation), or approved (`vouch approve --registry`). Revocation is pinned too: once seen, for good.
 */
export interface LockRegistryKey {
  /** Base64 SPKI DER, as the keys endpoint serves it (its key id is its fingerprint). */
  key: string;
  /** When the registry retired it (its `expires`), when it had. */
  expires?: string;
  /** When the registry revoked it: every signature by it is void, whatever its time. */
  revoked?: string;
}

/** `vouch approve --registry`: a person accepted the registry's keys as served (key ids before → after). */
export interface LockRegistryApproval {
  approvedBy: string;
  approvedAt: string;
  reason: string;
  from: string[];
  to: string[];
}

export interface LockRegistry {
  /** By key id. Empty when the registry served no keys (and then it may not start serving others unapproved). */
  keys: Record<string, LockRegistryKey>;
  approvals?: LockRegistryApproval[];
  /** Its signing log (vouch-registry): the log key pinned when first seen, and the newest checkpoint recorded. */
  log?: LockRegistryLog;
}

/**
 * A registry's signing log as vouch.lock remembers it, so a run with no cache (a fresh CI runner) still checks
 * that the log extends what an earlier run saw. The checkpoint moves only when the lock is written anyway.
 */
export interface LockRegistryLog {
  /** The log's verifier key, `origin+id+base64(0x01 ‖ Ed25519 key)`. */
  key: string;
  size: number;
  /** Base64 root hash of the tree of `size` entries. */
  root: string;
}

export interface Lock {
  lockVersion: 1;
  /** By registry URL (with a trailing slash), for the registries whose keys vouch pins (not registry.npmjs.org: TUF pins those). */
  registries?: Record<string, LockRegistry>;
  packages: Record<string, LockPackage>;
}

/** A lock as read from disk: the parsed data, the stored text (null when the file is absent), the path. */
export interface LoadedLock {
  lock: Lock;
  text: string | null;
  file: string;
}

export const LOCK_FILE = 'vouch.lock';

export const emptyLock = (): Lock => ({ lockVersion: 1, packages: {} });
