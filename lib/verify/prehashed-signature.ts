// A message signature checked over the artifact's digest alone, for callers who hold the digest and not
// the bytes (verifyBundle with `digest`). ECDSA signs a digest, so this is the same check sigstore-go makes
// with WithArtifactDigest; Ed25519 and RSA-PSS sign the message itself and cannot be checked this way.
// The digest comes from the caller (trusted); the bundle's messageDigest must equal it.
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { SignedEntity } from '@sigstore/verify';

export interface ArtifactDigest {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  bytes: Buffer;
}

type SignatureContent = SignedEntity['signature'];

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** @sigstore/verify's view of a message signature, with the signature verified over `digest`. */
export class DigestSignatureContent implements SignatureContent {
  readonly signature: Buffer;

  constructor(
    signature: Uint8Array,
    private readonly messageDigest: Uint8Array | undefined,
    private readonly digest: ArtifactDigest,
  ) {
    this.signature = Buffer.from(signature);
  }

  compareSignature(signature: Buffer): boolean {
    return equalBytes(signature, this.signature);
  }

  // The log entry's digest must be the caller's, and so must the bundle's own messageDigest.
  compareDigest(digest: Buffer): boolean {
    return equalBytes(digest, this.digest.bytes) && this.messageDigest !== undefined && equalBytes(Buffer.from(this.messageDigest), this.digest.bytes);
  }

  verifySignature(key: KeyObject): boolean {
    const jwk = key.export({ format: 'jwk' });
    const curve = jwk.kty === 'EC' && typeof jwk.crv === 'string' ? CURVES[jwk.crv as keyof typeof CURVES] : undefined;
    if (!curve || !jwk.x || !jwk.y) return false;
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    try {
      // Not low-S: Go and OpenSSL signers do not normalise S, and @sigstore/verify (node:crypto) accepts either.
      return curve.verify(this.signature, this.digest.bytes, point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  }
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
