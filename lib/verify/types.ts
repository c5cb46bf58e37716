// Plain data the verify stage produces for one package: what each check found, nothing decided yet.
// The policy stage (lib/policy) turns these results into allow / warn / deny.
import type { PackageRef } from '../tree/types.js';

// ─── integrity ────────────────────────────────────────────────────────────────────────────

export type IntegrityCode =
  | 'INTEGRITY_MISSING' // the lockfile records no integrity
  | 'INTEGRITY_SHA1_ONLY' // only sha1 is known: reported, never trusted
  | 'INTEGRITY_MISMATCH' // lockfile integrity differs from the registry's signed dist.integrity
  | 'TARBALL_MISMATCH' // the fetched tarball's sha512 differs from the signed integrity
  | 'INTEGRITY_AMBIGUOUS' // npm would accept other bytes too: several hashes, or one npm checks instead of sha512
  | 'INTEGRITY_MALFORMED'; // a hash npm cannot read, or a signed dist.integrity that is not one sha512

export type IntegrityResult =
  | { kind: 'ok'; integrity: string; tarballChecked: boolean }
  | { kind: 'failed'; code: IntegrityCode; message: string; expected?: string; actual?: string };

// ─── registry signatures ──────────────────────────────────────────────────────────────────

/** A registry signing key as the keys endpoint (or the pinned npm TUF keys) describe it. */
export interface RegistryKey {
  keyid: string;
  /** Base64 SPKI DER, as `/-/npm/v1/keys` serves it. */
  key: string;
  expires: Date | null;
  /** vouch registries: when the operator revoked the key (every signature by it is void). */
  revoked?: Date | null;
  /** vouch registries: signatures of other registry keys over this one (a rotation: the old key vouches for the new). */
  endorsements?: { keyid: string; sig: string }[];
}

export type SignatureCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'KEY_UNKNOWN'
  | 'KEY_EXPIRED'
  | 'SIGNATURES_TOO_MANY' // more than SIGNATURES_MAX_PER_VERSION: refused before verifying any
  | 'SIGNATURE_NOT_LOGGED'; // the registry serves a signing log, and this signature is not proven in it

export type SignatureResult =
  | { kind: 'verified'; keyids: string[] }
  | { kind: 'no-keys' } // the registry publishes no keys: "unsigned registry", the policy decides
  | { kind: 'failed'; code: SignatureCode; keyid?: string; message: string };

// ─── attestations ─────────────────────────────────────────────────────────────────────────

export const PREDICATE_PUBLISH_NPM = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
export const PREDICATE_SLSA_V1 = 'https://slsa.dev/provenance/v1';
export const PREDICATE_SLSA_V02 = 'https://slsa.dev/provenance/v0.2';
/** vouch's maintainer-signed publish attestation: names the publisher key that signed the tarball. */
export const PREDICATE_PUBLISHER = 'https://vouch.dev/attestation/publisher/v0.1';
/**
 * A key-signed bundle (`vouch sign --key`) carries its publisher's public key inside the signed statement,
 * so evidence is self-contained: the verifier checks keyid = fingerprint(key) = DSSE keyid, then the
 * signature; the policy and vouch.lock pin the keyid. In the publisher predicate it is `publisherKey`;
 * in a key-signed SLSA v1 statement it is `predicate.runDetails.byproducts[]` entry with this name,
 * `content` = base64 SPKI DER.
 */
export const PUBLISHER_KEY_BYPRODUCT = 'https://vouch.dev/publisher-key';

/** The predicate of PREDICATE_PUBLISHER (in-toto Statement v1, subject = purl + tarball sha512). */
export interface PublisherPredicate {
  name: string;
  version: string;
  publisherKey: { keyid: string; publicKey: string /* base64 SPKI DER */ };
  /** Registry the maintainer published to, when known. */
  registry?: string;
}

/**
 * Who built a package, read from the Fulcio certificate extensions (OID 1.3.6.1.4.1.57264.1.*),
 * never from the predicate, which the build itself writes. Absent fields were absent in the cert.
 */
export interface ProvenanceIdentity {
  issuer: string;
  /** Certificate SAN (URI or email): for GitHub, the build signer workflow URI with its ref. */
  san: string;
  repository?: string; // .12 source repository URI
  repositoryId?: string; // .15 immutable repository id
  ownerId?: string; // .17 immutable owner id
  owner?: string; // .16 owner URI
  ref?: string; // .14 source repository ref
  commit?: string; // .13 source repository digest
  workflow?: string; // path of the build config (.18 without host, repo and ref), e.g. .github/workflows/release.yml
  buildConfigUri?: string; // .18 as found
  buildSignerUri?: string; // .9
  runnerEnvironment?: string; // .11 github-hosted | self-hosted
}

export interface ProvenanceEvidence {
  predicateType: string;
  identity: ProvenanceIdentity;
  /** Earliest signed time: a Rekor SET's integrated time or an RFC 3161 timestamp (Rekor v2); null when none. */
  integratedTime: Date | null;
  /** sha256 of the bundle JSON as served: the lock records it. */
  bundleDigest: string;
  /** Which trusted root verified it: 'public-good' or the path/name of a private root. */
  trustRoot: string;
}

/** A key-signed attestation: the registry's publish attestation or a maintainer's publisher attestation. */
export interface KeyedAttestationEvidence {
  predicateType: string;
  keyid: string;
  integratedTime: Date | null;
  bundleDigest: string;
  /** Where its log entry's inclusion proof places it (the checkpoint it verified against), when it has one. */
  logged?: LoggedEntry;
}

/** A bundle's log entry as its verified inclusion proof states it; the evidence stage checks it against the log it saw. */
export interface LoggedEntry {
  /** Base64 log id (for a registry's own log, its C2SP key ID). */
  logId: string;
  index: number;
  treeSize: number;
  /** Base64 root hash of the checkpoint the proof verified against. */
  rootHash: string;
  /**
   * The log is the signing registry's own, and the entry is proven in it as this run verified it (the evidence
   * stage sets this). Its time is the registry's word about itself: when it signed, or re-signed after a key
   * rotation; never a release time.
   */
  byRegistry?: boolean;
}

export type AttestationCode =
  | 'ATTESTATION_MISSING' // advertised in dist.attestations but not served (404, empty list)
  | 'ATTESTATION_INVALID' // the Sigstore bundle does not verify
  | 'ATTESTATION_SUBJECT' // statement subject is not this package's purl and sha512
  | 'ATTESTATION_STATEMENT' // statement or predicate type is wrong or inconsistent
  | 'ATTESTATION_KEY_UNKNOWN' // keyed bundle whose keyid no trusted key matches
  | 'ATTESTATION_KEY_EXPIRED' // keyed bundle logged after its key expired
  | 'ATTESTATION_TOO_LARGE' // bundle or response over the size bound
  | 'ATTESTATION_NOT_LOGGED'; // logged in the registry's own log, but not in the log this run verified (a split view)

export type AttestationResult =
  | { kind: 'none' } // the registry advertises no attestations for this version
  | {
      kind: 'verified';
      provenance?: ProvenanceEvidence;
      publish?: KeyedAttestationEvidence;
      publisher?: KeyedAttestationEvidence;
    }
  | { kind: 'failed'; code: AttestationCode; message: string; predicateType?: string };

// ─── where npm downloads it from ──────────────────────────────────────────────────────────

/** The lockfile `resolved` as npm would fetch it (after replace-registry-host), canonical URLs. */
export type ResolvedResult =
  | { kind: 'absent' } // no `resolved`: npm asks the registry for name@version
  | { kind: 'tarball'; url: string } // the registry's dist.tarball for this version
  | { kind: 'foreign-host'; url: string } // a host that is neither the registry's nor its tarball host
  | { kind: 'mismatch'; url: string; message: string }; // on the registry's host, but not this version's tarball

// ─── trust claims in the registry's metadata (unsigned) ────────────────────────────────────

/**
 * What the packument says about how one version was published. The registry writes these fields and
 * nobody signs them, so the policy only ever tightens a decision with them (docs/policy.md, "Trust tiers").
 */
export interface TierClaims {
  /** `_npmUser.approver`: a staged publish a maintainer approved (`npm stage approve`, 2FA). */
  approver?: true;
  /** `_npmUser.trustedPublisher`: published with OIDC trusted publishing, no long-lived token. */
  trustedPublisher?: true;
  /** `dist.attestations.provenance`: provenance is advertised (verified only for the version installed). */
  provenance?: true;
  /** The same field naming vouch's publisher predicate: a maintainer-signed publish (vouch registries). */
  publisher?: true;
  /** `dist.signatures` is not empty. */
  signed?: true;
}

/** One version's claims and the strongest claims earlier versions of the same package made. */
export interface RegistryClaims {
  /** 'full': the whole packument, with `_npmUser`; 'abbreviated': the install document, without it. */
  document: 'full' | 'abbreviated';
  own: TierClaims;
  /**
   * For each claim, the highest version below this one (by semver) that makes it and was not published
   * after it (by the packument's time, where both times are known): once among stable versions, once
   * among all. Enough for any "same line" baseline: the versions of a line below this one are the top of
   * the versions below it.
   */
  earlier: { version: string; claims: TierClaims }[];
}

// ─── the whole record for one package ─────────────────────────────────────────────────────

/** Why a package could not be verified at all (not a verification failure: exit 3 territory). */
export type UnverifiableCode =
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_ERROR'
  | 'OFFLINE_MISS'
  | 'VERSION_NOT_FOUND'
  | 'VERIFIER_ERROR'
  | 'VERIFICATION_BUDGET_EXCEEDED'; // the run's bound on signature and bundle verifications was spent

export interface PackageEvidence {
  ref: PackageRef;
  /** Set when evidence could not be gathered; the other fields are then absent. */
  unverifiable?: { code: UnverifiableCode; message: string };
  integrity?: IntegrityResult;
  signature?: SignatureResult;
  attestations?: AttestationResult;
  /** packument `time[version]`: unsigned, registry-supplied. */
  publishedAt?: Date | null;
  /** The registry's dist.integrity for this version. */
  registryIntegrity?: string;
  /** The registry's dist.tarball URL (unsigned: the bytes fetched from it are bound by integrity). */
  tarball?: string;
  /** Where npm would download the lockfile's `resolved` from, judged against `tarball`. */
  resolved?: ResolvedResult;
  /**
   * The signing registry's own log (vouch-registry) holds this version's registry signature: entry `index`,
   * proven in the checkpoint of `treeSize` this run verified (lib/registry/log-membership.ts). The log's audit
   * refuses a signature logged after its key's retirement entry, so a logged signature was made while its key
   * was the registry's: signature-trust counts it for a retired key.
   */
  registryLog?: { index: number; treeSize: number };
  /** Trust claims of the registry's metadata for this version and earlier ones: unsigned, only ever tightens. */
  registryClaims?: RegistryClaims;
}

/** What the evidence stage saw of one registry's signing keys. */
export interface RegistryKeysSeen {
  url: string;
  /**
   * served: its keys endpoint listed keys; pinned: vouch's own pins (registry.npmjs.org, from the
   * Sigstore TUF seed); none: it publishes no keys (404 / 400 / an empty list); unreachable.
   */
  state: 'served' | 'pinned' | 'none' | 'unreachable';
  keys: RegistryKey[];
  /** Its signing log, when it serves one (vouch-registry) and this run checked it (lib/registry/log-check.ts). */
  log?: SigningLogSeen;
}

export interface SigningLogSeen {
  /** consistent: it extends the newest checkpoint vouch saw before; inconsistent: rewritten, forked or shrunk. */
  state: 'consistent' | 'inconsistent';
  size: number;
  /** Why it is inconsistent, with both checkpoints. */
  problems: string[];
  /** Entries that break the log's rules (a signing event by a key after its retirement entry, a malformed entry). */
  invalidEntries?: string[];
  /** When consistent: the pinned log key and the checkpoint this run verified (vouch.lock records it). */
  checkpoint?: { key: string; size: number; root: string };
  /** When the policy names witnesses for this registry: who cosigned the checkpoint, and why that is not enough. */
  witnesses?: { require: number; cosigned: { name: string; time: Date }[]; problem?: string };
}

/** Report status per package, the five words `vouch verify` uses. */
export type EvidenceStatus = 'verified' | 'missing' | 'invalid' | 'unsigned-registry' | 'unverifiable';
