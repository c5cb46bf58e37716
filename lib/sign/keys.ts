// Publisher key pairs: generated with @noble/curves, stored as PKCS#8 / SPKI PEM (node:crypto encodes),
// read back from a file or an environment variable. Private key bytes never leave this module as text
// except into the 0600 key file; errors name the file or variable, never its content.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { VouchError } from '../errors/index.js';
import { keyIdOf } from '../keys/index.js';

export const KEY_TYPES = ['ed25519', 'p256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** File names `vouch keygen` writes inside its folder. */
export const PRIVATE_KEY_FILE = 'vouch-publisher.key';
export const PUBLIC_KEY_FILE = 'vouch-publisher.pub';

export interface GeneratedKey {
  type: KeyType;
  keyid: string;
  privateKey: KeyObject;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** A fresh key pair: the secret comes from @noble/curves' CSPRNG-backed `randomSecretKey`. */
export function generateKey(type: KeyType): GeneratedKey {
  const privateKey = type === 'p256' ? p256Key() : ed25519Key();
  const publicKey = createPublicKey(privateKey);
  return { type, keyid: keyIdOf(publicKey), privateKey, publicKeyPem: spkiPem(publicKey) };
}

export interface WrittenKey {
  keyid: string;
  privateKeyFile: string;
  publicKeyFile: string;
  publicKeyPem: string;
}

/**
 * Writes the pair into `dir` (created 0700): the private key as PKCS#8 PEM with mode 0600, created
 * exclusively (O_EXCL), so an existing key is never overwritten; the public key PEM beside it.
 */
export async function writeKeyPair(dir: string, key: GeneratedKey): Promise<WrittenKey> {
  const privateKeyFile = join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = join(dir, PUBLIC_KEY_FILE);
  for (const file of [privateKeyFile, publicKeyFile]) {
    if (await exists(file)) {
      throw new VouchError(
        'KEY_FILE',
        `${file} already exists; vouch keygen never overwrites a key`,
        { file },
        'pass --out with another folder, or move the old key away once nothing signs with it',
      );
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await writeExclusive(privateKeyFile, pem, 0o600);
  await writeExclusive(publicKeyFile, key.publicKeyPem, 0o644);
  return { keyid: key.keyid, privateKeyFile, publicKeyFile, publicKeyPem: key.publicKeyPem };
}

/** Reads a private key (PKCS#8, SEC1 or PKCS#1 PEM, or base64 PKCS#8 DER) from a file. */
export async function readPrivateKeyFile(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VouchError('KEY_FILE', `cannot read key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { file });
  }
  return parsePrivateKey(text, `key file ${file}`);
}

/** Reads a private key from an environment variable (a CI secret): PEM, or base64 of PEM or PKCS#8 DER. */
export function readPrivateKeyEnv(name: string, env: NodeJS.ProcessEnv = process.env): KeyObject {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new VouchError(
      'KEY_FILE',
      `environment variable ${name} is not set or empty`,
      {},
      'store the PEM private key (vouch keygen) in a CI secret exposed as this variable',
    );
  }
  return parsePrivateKey(value, `environment variable ${name}`);
}

/** Reads a public key (SPKI PEM, or base64 SPKI DER) from a file. */
export async function readPublicKeyFile(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new VouchError('KEY_FILE', `cannot read public key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { file });
  }
  try {
    const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
    keyIdOf(key); // P-256 or Ed25519 only
    return key;
  } catch {
    throw new VouchError('KEY_FILE', `${file} is not a P-256 or Ed25519 public key (SPKI PEM)`, { file });
  }
}

/** True when a key file is readable by group or others (POSIX); callers warn about it. */
export async function isLooselyProtected(file: string): Promise<boolean> {
  if (process.platform === 'win32') return false;
  const info = await stat(file);
  return (info.mode & 0o077) !== 0;
}

export function spkiPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** Base64 SPKI DER, the form PublisherPredicate and the registry keys endpoint use. */
export function spkiBase64(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

function parsePrivateKey(text: string, label: string): KeyObject {
  let key: KeyObject;
  try {
    key = decodePrivateKey(text);
  } catch {
    // The parser's message could quote the input; say only where it came from.
    throw new VouchError(
      'KEY_FILE',
      `${label} does not hold a readable private key`,
      {},
      'expected a PEM private key as `vouch keygen` writes it (an encrypted key must be decrypted first)',
    );
  }
  const jwk = key.export({ format: 'jwk' });
  const supported = (jwk.kty === 'EC' && jwk.crv === 'P-256') || (jwk.kty === 'OKP' && jwk.crv === 'Ed25519');
  if (!supported) throw new VouchError('KEY_FILE', `${label} holds a ${String(jwk.kty)}/${String(jwk.crv ?? '')} key; vouch signs with P-256 or Ed25519`, {});
  return key;
}

function decodePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return createPrivateKey(trimmed);
  const bytes = Buffer.from(trimmed, 'base64');
  const decoded = bytes.toString('utf8');
  if (decoded.includes('-----BEGIN')) return createPrivateKey(decoded);
  return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
}

function ed25519Key(): KeyObject {
  const secret = ed25519.utils.randomSecretKey();
  const x = Buffer.from(ed25519.getPublicKey(secret)).toString('base64url');
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secret).toString('base64url'), x }, format: 'jwk' });
}

function p256Key(): KeyObject {
  const secret = p256.utils.randomSecretKey();
  const point = Buffer.from(p256.getPublicKey(secret, false));
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: Buffer.from(secret).toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
}

async function writeExclusive(file: string, text: string, mode: number): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new VouchError('KEY_FILE', `${file} already exists; vouch keygen never overwrites a key`, { file });
    throw new VouchError('KEY_FILE', `cannot create ${file} (${code ?? 'error'})`, { file });
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  await chmod(file, mode); // the umask may have narrowed or (for 0644) kept the mode; make it exact
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
