// Runs @sigstore/verify on one bundle against the trust roots, and caches the outcome.
// The outcome is a pure function of (bundle bytes, trust roots, key): @sigstore/verify judges
// validity at the bundle's own signed timestamps and never reads the clock. So results are cached
// by those digests, as plain JSON data the caller may persist.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { X509Certificate } from '@sigstore/core';
import { Verifier, toSignedEntity, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { truncate } from '../errors/index.js';
import { installAsn1FastPaths } from '../patches/sigstore-core/asn1-fast-paths.js';
import { identityFromCertificate } from './identity.js';
import { DigestSignatureContent, type ArtifactDigest } from './prehashed-signature.js';
import { verifyEntriesWithoutSet } from './rekor-v2-entries.js';
import type { TrustRoot, TrustRootSet } from './trust-roots.js';
import type { ProvenanceIdentity } from './types.js';

/** What verifying one bundle established; plain JSON, safe to persist. */
export type BundleVerification =
  | {
      ok: true;
      /** Name of the trust root that verified it; null for a keyed bundle with no log entry or timestamp. */
      trustRoot: string | null;
      /** Earliest signed time in seconds (a SET's integratedTime or a TSA token's time), or null when nothing signed a time. */
      integratedTime: number | null;
      /** Keyless bundles only: the identity in the Fulcio certificate. */
      identity?: ProvenanceIdentity;
    }
  | { ok: false; message: string };

/** A key a keyed bundle must be signed with: the registry's (npm publish) or the publisher's own. */
export interface BundleKey {
  keyid: string;
  /** Base64 SPKI DER. */
  key: string;
  expires: Date | null;
}

/**
 * What a message-signature bundle signs, as the caller knows it: the artifact's bytes, or only its digest
 * (the signature is then checked over the digest itself). DSSE bundles carry their payload and need neither.
 */
export type SignedArtifact = { artifact: Uint8Array } | { digest: ArtifactDigest };

/** Which kind of signed time dated a bundle: a log's SET (integratedTime) or an RFC 3161 token. */
export type SignedTimeSource = 'tlog' | 'tsa';

const EMPTY_MATERIAL: TrustMaterial = {
  certificateAuthorities: [],
  timestampAuthorities: [],
  tlogs: [],
  ctlogs: [],
  publicKey: () => {
    throw new Error('no key');
  },
};

/**
 * Holds the trust roots (one Verifier each) and the verification cache for a run.
 * Create one per process; pass `cache` to reuse results from an earlier run.
 */
export class AttestationVerifier {
  /** Registries' own signing logs, added as this run checks them (registry-log-root.ts), by name. */
  private readonly logRoots = new Map<string, TrustRoot>();

  constructor(
    readonly roots: TrustRootSet,
    readonly cache: Map<string, BundleVerification> = new Map(),
  ) {
    installAsn1FastPaths(); // @sigstore/core's ASN.1 results without its per-node and per-byte allocations
  }

  /** Trusts a registry's signing log for the bundles logged in it (the registry's own publish attestations). */
  addLogRoot(root: TrustRoot): void {
    this.logRoots.set(root.name, root);
  }

  /** Digest of every root a bundle may verify against now (the configured ones and the registries' logs). */
  rootsDigest(): string {
    return this.allRoots().digest;
  }

  /** The configured roots, then the registries' logs; and a digest of them all for the cache keys. */
  private allRoots(): { roots: TrustRoot[]; digest: string } {
    if (this.logRoots.size === 0) return { roots: [...this.roots.roots], digest: this.roots.digest };
    const logs = [...this.logRoots.values()];
    const digest = createHash('sha256')
      .update(JSON.stringify([this.roots.digest, ...logs.map((r) => [r.name, r.digest])]))
      .digest('hex');
    return { roots: [...this.roots.roots, ...logs], digest };
  }

  /** Verifies a certificate (keyless) bundle: the first root that verifies it wins, public-good first. */
  verifyKeyless(bundle: Bundle, bundleDigest: string, signed?: SignedArtifact): BundleVerification {
    const all = this.allRoots();
    return this.cached(`${bundleDigest}|${all.digest}|keyless${signedCacheKey(signed)}`, () => {
      const candidates = rootsFor(bundle, all.roots);
      if (candidates.length === 0) return { ok: false, message: unknownLogMessage(bundle) };
      const errors: string[] = [];
      // Parsed once: the identity is read from the very certificate object the verifier checked.
      const entity = signedEntity(bundle, signed);
      for (const root of candidates) {
        const outcome = attempt(() => verifyEntity(root.verifier, entity, root.material));
        if (outcome === true) {
          return { ok: true, trustRoot: root.name, integratedTime: signedTime(bundle), identity: identityFromCertificate(leafCertificate(entity)) };
        }
        errors.push(`${root.name}: ${outcome}`);
      }
      return { ok: false, message: errors.join('; ') };
    });
  }

  /** Verifies a public-key bundle with exactly `key`; its validity window is enforced at the signed times. */
  verifyWithKey(bundle: Bundle, bundleDigest: string, key: BundleKey, signed?: SignedArtifact): BundleVerification {
    const keyDigest = createHash('sha256')
      .update(JSON.stringify([key.keyid, key.key, key.expires?.toISOString() ?? null]))
      .digest('hex');
    const all = this.allRoots();
    return this.cached(`${bundleDigest}|${all.digest}|${keyDigest}${signedCacheKey(signed)}`, () => {
      const publicKey = createPublicKey({ key: Buffer.from(key.key, 'base64'), format: 'der', type: 'spki' });
      const finder = keyFinder(key, publicKey);
      const material = bundle.verificationMaterial;
      const timed = material.tlogEntries.some((e) => e.inclusionPromise) || (material.timestampVerificationData?.rfc3161Timestamps.length ?? 0) > 0;
      if (material.tlogEntries.length === 0 && !timed) {
        // No log entry and no timestamp: nothing binds the signature to a time, so only the signature
        // is checked (the key's expiry cannot be judged; npm's publish bundles always carry a log entry).
        const outcome = attempt(() => new Verifier({ ...EMPTY_MATERIAL, publicKey: finder }, thresholds(0, 0)).verify(signedEntity(bundle, signed)));
        return outcome === true ? { ok: true, trustRoot: null, integratedTime: null } : { ok: false, message: outcome };
      }
      const candidates = rootsFor(bundle, all.roots);
      if (candidates.length === 0) return { ok: false, message: unknownLogMessage(bundle) };
      const errors: string[] = [];
      for (const root of candidates) {
        const verifier = new Verifier({ ...root.material, publicKey: finder }, thresholds(material.tlogEntries.length > 0 ? 1 : 0, timed ? 1 : 0));
        const outcome = attempt(() => verifyEntity(verifier, signedEntity(bundle, signed), root.material));
        if (outcome === true) return { ok: true, trustRoot: root.name, integratedTime: signedTime(bundle) };
        errors.push(`${root.name}: ${outcome}`);
      }
      return { ok: false, message: errors.join('; ') };
    });
  }

  private cached(key: string, run: () => BundleVerification): BundleVerification {
    const hit = this.cache.get(key);
    if (hit) return hit;
    let result: BundleVerification;
    try {
      result = run();
    } catch (err) {
      // Any exception inside verification is "not verified", never a pass (identity parsing included).
      result = { ok: false, message: errorMessage(err) };
    }
    this.cache.set(key, result);
    return result;
  }
}

/** sha256 of the bundle as served, `sha256:<hex>`: the cache key and the digest vouch.lock records. */
export function bundleDigest(bundleJson: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(bundleJson)).digest('hex')}`;
}

function thresholds(tlogThreshold: number, timestampThreshold: number) {
  return { ctlogThreshold: 0, tlogThreshold, timestampThreshold };
}

function keyFinder(key: BundleKey, publicKey: KeyObject): TrustMaterial['publicKey'] {
  return (hint) => {
    if (hint !== key.keyid) throw new Error(`key hint ${truncate(hint, 60)} is not ${key.keyid}`);
    // npm semantics: a key counts for signatures logged strictly before it expired.
    return { publicKey, validFor: (date: Date) => !key.expires || date < key.expires };
  };
}

/** Roots that list the log of every entry of the bundle (all roots when it has no log entry). */
function rootsFor(bundle: Bundle, roots: readonly TrustRoot[]): TrustRoot[] {
  const logIds = bundle.verificationMaterial.tlogEntries.map((e) => Buffer.from(e.logId?.keyId ?? []).toString('base64'));
  return roots.filter((root) => logIds.every((id) => root.logIds.has(id)));
}

function unknownLogMessage(bundle: Bundle): string {
  const ids = bundle.verificationMaterial.tlogEntries.map((e) => Buffer.from(e.logId?.keyId ?? []).toString('base64'));
  return `logged in a transparency log no trusted root lists (log id ${truncate(ids.join(', '), 60)})`;
}

/**
 * The earliest time the verifier checked, in seconds, and what signed it: a SET's integratedTime or an
 * RFC 3161 token's genTime (the only times @sigstore/verify 3.1.1 trusts). Rekor v2 entries sign no time
 * (integratedTime 0, no SET): their bundles are timed by a TSA. Meaningful only once verification succeeded.
 */
export function signedTimeOf(bundle: Bundle): { seconds: number; source: SignedTimeSource } | null {
  const times: { seconds: number; source: SignedTimeSource }[] = bundle.verificationMaterial.tlogEntries
    .filter((e) => e.inclusionPromise)
    .map((e) => ({ seconds: Number(e.integratedTime), source: 'tlog' }));
  for (const t of toSignedEntity(bundle).timestamps) {
    if (t.$case === 'timestamp-authority') times.push({ seconds: Math.floor(t.timestamp.signingTime.getTime() / 1000), source: 'tsa' });
  }
  const valid = times.filter((t) => Number.isSafeInteger(t.seconds) && t.seconds > 0);
  return valid.reduce<{ seconds: number; source: SignedTimeSource } | null>((earliest, t) => (earliest && earliest.seconds <= t.seconds ? earliest : t), null);
}

function signedTime(bundle: Bundle): number | null {
  return signedTimeOf(bundle)?.seconds ?? null;
}

/** The entity @sigstore/verify checks; a message signature known only by digest is checked over that digest. */
function signedEntity(bundle: Bundle, signed: SignedArtifact | undefined): SignedEntity {
  if (signed && 'artifact' in signed)
    return toSignedEntity(bundle, Buffer.from(signed.artifact.buffer, signed.artifact.byteOffset, signed.artifact.byteLength)); // a view, not a copy
  const entity = toSignedEntity(bundle);
  if (!signed || bundle.content.$case !== 'messageSignature') return entity;
  return {
    ...entity,
    signature: new DigestSignatureContent(bundle.content.messageSignature.signature, bundle.content.messageSignature.messageDigest?.digest, signed.digest),
  };
}

function signedCacheKey(signed: SignedArtifact | undefined): string {
  if (!signed) return '';
  if ('artifact' in signed) return `|artifact:${createHash('sha256').update(signed.artifact).digest('hex')}`;
  return `|digest:${signed.digest.algorithm}:${signed.digest.bytes.toString('hex')}`;
}

function leafCertificate(entity: SignedEntity): X509Certificate {
  if (entity.key.$case !== 'certificate') throw new Error('bundle has no certificate');
  return entity.key.certificate;
}

/** @sigstore/verify, then the bounds it skips for log entries without a SET (rekor-v2-entries.ts). */
function verifyEntity(verifier: Verifier, entity: SignedEntity, material: TrustMaterial): void {
  verifier.verify(entity);
  verifyEntriesWithoutSet(entity, material.tlogs);
}

/** Runs a verifier; true, or the reason it refused (sigstore's code and message). */
function attempt(verify: () => unknown): true | string {
  try {
    verify();
    return true;
  } catch (err) {
    return errorMessage(err);
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = 'code' in err && typeof err.code === 'string' ? `${err.code}: ` : '';
    return truncate(`${code}${err.message}`, 200);
  }
  return truncate(String(err), 200);
}
