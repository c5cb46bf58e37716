// Shared by the registry-plugin unit tests: key files, temp folders, signature checks.
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VouchError } from '../../../lib/errors/index.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vouch-plugin-unit-'));
}

/** Writes a fresh P-256 private key (PKCS#8 PEM) and returns its path and key. */
export function p256KeyFile(dir: string, name: string): { file: string; key: KeyObject } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, name);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, key: privateKey };
}

export function verifiesWith(key: KeyObject, message: string, sigBase64: string): boolean {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return verify('sha256', Buffer.from(message), pub, Buffer.from(sigBase64, 'base64'));
}

/** The VouchError code `fn` throws (undefined when it does not throw). */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof VouchError ? err.code : `not a VouchError: ${String(err)}`;
  }
  return undefined;
}
