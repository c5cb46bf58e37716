// The shape of vouch.lock, checked on every read, and the one source of its types (lib/lock/types.ts infers
// them from here). Unknown keys are errors: the file is written by vouch only, so anything it would not
// write is a hand edit or a bad merge, and never silently dropped. docs/lock.md.
import { z } from 'zod';

const text = z.string().regex(/\S/, { error: 'expected a non-empty string' });
const time = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 time' });
const sha256Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected "sha256:" and 64 lowercase hex digits' });

/**
 * The identity pinned for a package (trust on first use), from verified evidence only: the Fulcio
 * certificate of its provenance and the key of its publisher attestation. Fields in this order.
 */
export const IdentitySchema = z.strictObject({
  /** OIDC issuer of the provenance certificate. */
  issuer: text.optional(),
  /** Source repository URI (certificate extension .12). */
  repository: text.optional(),
  /** Immutable repository id (.15): survives renames, changes on delete-and-recreate. */
  repositoryId: text.optional(),
  /** Immutable owner id (.17). */
  ownerId: text.optional(),
  /** Build workflow path, e.g. .github/workflows/release.yml. */
  workflow: text.optional(),
  /** Certificate SAN, pinned only when the certificate names no repository (e.g. an e-mail identity). */
  san: text.optional(),
  /** Key id of the maintainer key that signed the publisher attestation. */
  publisherKey: text.optional(),
});

/** The strongest attestation a version carried: the baseline for provenance no-downgrade. */
export const AttestedSchema = z.enum(['provenance', 'publisher']);

/** One version, one line: integrity, registry key, attestation level, evidence digest. */
export const VersionSchema = z.strictObject({
  /**
   * The registry-signed dist.integrity the lockfile matched (absent only if an exception allowed none): only
   * the one sha512 the registry signed (weaker or several hashes are never verified).
   */
  integrity: z
    .string()
    .regex(/^sha512-[A-Za-z0-9+/]{86}==$/, { error: 'expected one sha512 SRI hash: "sha512-" and 88 base64 characters' })
    .optional(),
  /** Key id(s) of the registry signature, comma-separated when several signed; absent when unsigned. */
  registryKey: text.optional(),
  attested: AttestedSchema.optional(),
  /**
   * The pinned identity this version was accepted under, by digest (lib/policy/evidence.ts identityDigest):
   * the package's `identity`, or an approval's `from` / `to`. Present exactly when `attested` is.
   */
  identity: sha256Digest.optional(),
  /** `sha256:` + hex over the canonical evidence JSON (lib/policy/evidence.ts evidenceDigest). */
  evidence: sha256Digest,
});

/** `vouch approve`: who accepted what, when and why; re-pins the identity (from → to). */
export const ApprovalSchema = z.strictObject({
  approvedBy: text,
  /** ISO 8601 time of the approval. */
  approvedAt: time,
  reason: text,
  /** The semver range the approval was given for, when one was. */
  versions: text.optional(),
  from: IdentitySchema.optional(),
  to: IdentitySchema.optional(),
  /** Versions whose recorded entry was dropped so that they are recorded afresh (republished bytes). */
  forgot: z.array(text).optional(),
});

/**
 * A registry signing key vouch trusts for a registry: pinned on first use, endorsed by a key already
 * pinned (a rotation), or approved (`vouch approve --registry`). Revocation is pinned too: once seen, for good.
 */
export const RegistryKeySchema = z.strictObject({
  /** Base64 SPKI DER, as the keys endpoint serves it (its key id is its fingerprint). */
  key: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, { error: 'expected base64 SPKI DER' }),
  /** When the registry retired it (its `expires`), when it had. */
  expires: time.optional(),
  /** When the registry revoked it: every signature by it is void, whatever its time. */
  revoked: time.optional(),
});

/** `vouch approve --registry`: a person accepted the registry's keys as served (key ids before → after). */
export const RegistryApprovalSchema = z.strictObject({
  approvedBy: text,
  approvedAt: time,
  reason: text,
  from: z.array(text),
  to: z.array(text),
});

/**
 * A registry's signing log as vouch.lock remembers it, so a run with no cache (a fresh CI runner) still checks
 * that the log extends what an earlier run saw. The checkpoint moves only when the lock is written anyway.
 */
export const RegistryLogSchema = z.strictObject({
  /** The log's verifier key, `origin+id+base64(0x01 ‖ Ed25519 key)`. */
  key: z.string().regex(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/, { error: 'expected a log verifier key "origin+keyid+base64 key"' }),
  size: z.number().int().min(0),
  /** Base64 root hash of the tree of `size` entries. */
  root: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, { error: 'expected a base64 SHA-256 root hash' }),
});

export const RegistrySchema = z.strictObject({
  /** By key id. Empty when the registry served no keys (and then it may not start serving others unapproved). */
  keys: z.record(z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { error: 'expected a key id "SHA256:" + 43 base64 characters' }), RegistryKeySchema),
  approvals: z.array(RegistryApprovalSchema).optional(),
  /** Its signing log (vouch-registry): the log key pinned when first seen, and the newest checkpoint recorded. */
  log: RegistryLogSchema.optional(),
});

export const PackageSchema = z.strictObject({
  identity: IdentitySchema.optional(),
  approvals: z.array(ApprovalSchema).optional(),
  versions: z.record(z.string(), VersionSchema),
});

export const LockFileSchema = z.strictObject({
  lockVersion: z.literal(1, { error: 'expected lockVersion 1 (this vouch reads lock format 1 only)' }),
  /** By registry URL (with a trailing slash), for the registries whose keys vouch pins (not registry.npmjs.org: TUF pins those). */
  registries: z.record(z.url({ error: 'expected a registry URL' }), RegistrySchema).optional(),
  packages: z.record(z.string().min(1), PackageSchema),
});
