// The one path every Sigstore bundle takes through vouch, whoever asks: the npm attestation check
// (attestations.ts) and the public verifyBundle (lib/api). First openBundle (bounds, parse, a format vouch
// knows), then the caller binds the content to what it expects, then verifySignedBundle (@sigstore/verify
// through the run's AttestationVerifier: signature, certificate chain, log entries, signed time).
// Untrusted: the whole bundle. Trusted: the roots, the key the caller names, the artifact or its digest.
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { truncate } from '../errors/index.js';
import { bundleDigest, type AttestationVerifier, type BundleKey, type BundleVerification, type SignedArtifact } from './attestation-verifier.js';
import { KNOWN_BUNDLE_MEDIA_TYPES } from './bundle-checks.js';
import { checkBundleBounds, type GuardCode } from './checkpoint-guard.js';

/** A bundle as served, bounded and parsed, with the digest vouch.lock and the verifier's cache key use. */
export interface OpenBundle {
  bundle: Bundle;
  /** `sha256:<hex>` of the bundle JSON (bundleDigest). */
  digest: string;
}

export type OpenedBundle = ({ ok: true } & OpenBundle) | { ok: false; code: GuardCode; message: string };

/** Who must have signed: the Fulcio certificate the bundle carries (keyless), or exactly this key. */
export type BundleSigner = { kind: 'certificate' } | { kind: 'key'; key: BundleKey };

/** Bounds, then @sigstore/bundle's parse, then the media type: never throws. */
export function openBundle(json: unknown): OpenedBundle {
  try {
    const bounds = checkBundleBounds(json);
    if (!bounds.ok) return bounds;
    const bundle = bundleFromJSON(json);
    if (!KNOWN_BUNDLE_MEDIA_TYPES.has(bundle.mediaType)) {
      return {
        ok: false,
        code: 'ATTESTATION_INVALID',
        message: `bundle media type ${JSON.stringify(truncate(bundle.mediaType, 80))} is not a Sigstore bundle format vouch knows`,
      };
    }
    return { ok: true, bundle, digest: bundleDigest(json) };
  } catch (err) {
    return { ok: false, code: 'ATTESTATION_INVALID', message: truncate(err instanceof Error ? err.message : String(err), 200) };
  }
}

/**
 * The signature check both paths share: keyless against the trust roots (identity read from the very
 * certificate verified), or with `signer.key`. `signed` is the artifact (or its digest) a message signature
 * covers; DSSE bundles carry what they sign. Never throws.
 */
export function verifySignedBundle(opened: OpenBundle, signer: BundleSigner, verifier: AttestationVerifier, signed?: SignedArtifact): BundleVerification {
  return signer.kind === 'certificate'
    ? verifier.verifyKeyless(opened.bundle, opened.digest, signed)
    : verifier.verifyWithKey(opened.bundle, opened.digest, signer.key, signed);
}
