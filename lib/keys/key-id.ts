// Key ids in the form npm's registry keys use: the OpenSSH SHA256 fingerprint of the public key,
// i.e. "SHA256:" + unpadded base64(sha256(SSH wire-format public key blob)). Not a hash of the SPKI DER.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** The OpenSSH key type and wire blob for a P-256 or Ed25519 public key. */
export function sshPublicKeyBlob(key: KeyObject): { type: string; blob: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x && jwk.y) {
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    const type = 'ecdsa-sha2-nistp256';
    return { type, blob: Buffer.concat([sshString(type), sshString('nistp256'), sshString(point)]) };
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x) {
    const type = 'ssh-ed25519';
    return { type, blob: Buffer.concat([sshString(type), sshString(Buffer.from(jwk.x, 'base64url'))]) };
  }
  throw new Error(`unsupported public key type ${String(jwk.kty)}/${String(jwk.crv)}`);
}

/** `SHA256:<fingerprint>` of a public key given as a KeyObject, PEM, or base64 SPKI DER. */
export function keyIdOf(key: KeyObject | string): string {
  const { blob } = sshPublicKeyBlob(toPublicKey(key));
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts a KeyObject (public or private), a PEM, or base64 SPKI DER; returns the public key. */
export function toPublicKey(key: KeyObject | string): KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? createPublicKey(key) : key;
  if (key.includes('-----BEGIN')) return createPublicKey(key);
  return createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
