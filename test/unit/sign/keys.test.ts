import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import {
  KEY_TYPES,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  generateKey,
  keySigner,
  readPrivateKeyEnv,
  readPrivateKeyFile,
  readPublicKeyFile,
  writeKeyPair,
} from '../../../lib/sign/index.js';
import { keyIdOf } from '../../../lib/keys/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-keys-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('generateKey', () => {
  it.each(KEY_TYPES)('makes a %s key whose key id is the OpenSSH fingerprint of its public key', (type) => {
    const key = generateKey(type);
    expect(key.keyid).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyIdOf(key.publicKeyPem)).toBe(key.keyid);
    expect(keyIdOf(createPublicKey(key.privateKey))).toBe(key.keyid);
    expect(key.privateKey.asymmetricKeyType).toBe(type === 'p256' ? 'ec' : 'ed25519');
  });

  it('never returns the same key twice', () => {
    expect(generateKey('ed25519').keyid).not.toBe(generateKey('ed25519').keyid);
    expect(generateKey('p256').keyid).not.toBe(generateKey('p256').keyid);
  });
});

describe('writeKeyPair', () => {
  it('writes the private key as PKCS#8 PEM with mode 0600 and the public key PEM beside it', async () => {
    const key = generateKey('p256');
    const written = await writeKeyPair(join(dir, 'keys'), key);
    expect(written.privateKeyFile).toBe(join(dir, 'keys', PRIVATE_KEY_FILE));
    expect((await stat(written.privateKeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    const pem = await readFile(written.privateKeyFile, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keyIdOf(createPrivateKey(pem))).toBe(key.keyid);
    expect(await readFile(join(dir, 'keys', PUBLIC_KEY_FILE), 'utf8')).toBe(key.publicKeyPem);
  });

  it('refuses with KEY_FILE when a key is already there, leaving it untouched', async () => {
    const first = await writeKeyPair(dir, generateKey('ed25519'));
    const before = await readFile(first.privateKeyFile);
    await expect(writeKeyPair(dir, generateKey('ed25519'))).rejects.toMatchObject({ code: 'KEY_FILE' });
    expect(await readFile(first.privateKeyFile)).toEqual(before);
  });

  it('refuses when only the public key file exists', async () => {
    await writeFile(join(dir, PUBLIC_KEY_FILE), 'x');
    await expect(writeKeyPair(dir, generateKey('ed25519'))).rejects.toMatchObject({ code: 'KEY_FILE' });
  });
});

describe('reading keys', () => {
  it('reads back a written key file and signs with the same key id', async () => {
    const key = generateKey('ed25519');
    const written = await writeKeyPair(dir, key);
    expect(keySigner(await readPrivateKeyFile(written.privateKeyFile)).keyid).toBe(key.keyid);
    expect(keyIdOf(await readPublicKeyFile(written.publicKeyFile))).toBe(key.keyid);
  });

  it('reads a key from the environment as PEM, base64 of the PEM, or base64 PKCS#8 DER', () => {
    const key = generateKey('p256');
    const pem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    for (const value of [pem, Buffer.from(pem).toString('base64'), der]) {
      expect(keyIdOf(readPrivateKeyEnv('K', { K: value }))).toBe(key.keyid);
    }
  });

  it('fails with KEY_FILE naming the variable, not its content, when it holds no key', () => {
    const secretish = 'not-a-key-but-secret-0123456789';
    let error: unknown;
    try {
      readPrivateKeyEnv('SIGNING_KEY', { SIGNING_KEY: secretish });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(VouchError);
    expect((error as VouchError).code).toBe('KEY_FILE');
    expect((error as VouchError).message).toContain('SIGNING_KEY');
    expect((error as VouchError).message).not.toContain(secretish);
    expect(() => readPrivateKeyEnv('MISSING', {})).toThrow(VouchError);
  });

  it('refuses key types vouch cannot sign with (RSA)', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(join(dir, 'rsa.pem'), rsa);
    await expect(readPrivateKeyFile(join(dir, 'rsa.pem'))).rejects.toMatchObject({ code: 'KEY_FILE' });
  });

  it('fails with KEY_FILE for a missing file', async () => {
    await expect(readPrivateKeyFile(join(dir, 'nope.key'))).rejects.toMatchObject({ code: 'KEY_FILE' });
    await expect(readPublicKeyFile(join(dir, 'nope.pub'))).rejects.toMatchObject({ code: 'KEY_FILE' });
  });
});
