// Signers over raw bytes: a local key file (deterministic RFC 6979 for P-256 via @noble/curves, Ed25519
// is deterministic by construction). The same shape wraps external signers (KMS/HSM via a command).
import { createPrivateKey, createPublicKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { keyIdOf } from '../keys/index.js';

export interface RawSigner {
  /** `SHA256:` OpenSSH fingerprint of the public key. */
  keyid: string;
  /** SPKI PEM of the public key. */
  publicKeyPem: string;
  /** Signs `data` (the signer hashes it: ECDSA-SHA256 / Ed25519); returns a DER (ECDSA) or raw (Ed25519) signature. */
  sign(data: Buffer): Promise<Buffer>;
}

/** A signer over a private key held in this process. P-256 signatures are deterministic (RFC 6979). */
export function keySigner(privateKey: KeyObject | string): RawSigner {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const publicKey = createPublicKey(key);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyid = keyIdOf(publicKey);
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.d) {
    const secret = Buffer.from(jwk.d, 'base64url');
    return { keyid, publicKeyPem, sign: async (data) => signP256Deterministic(data, secret) };
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return { keyid, publicKeyPem, sign: async (data) => nodeSign(null, data, key) };
  }
  throw new Error(`unsupported private key type ${String(jwk.kty)}/${String(jwk.crv)}: use P-256 or Ed25519`);
}

/** ECDSA P-256 over SHA-256, DER, with RFC 6979 nonces: the same input always gives the same bytes. */
export function signP256Deterministic(data: Uint8Array, secret: Uint8Array): Buffer {
  return Buffer.from(p256.sign(data, secret, { format: 'der', extraEntropy: false, prehash: true }));
}
