// npm's registry keys pinned from the Sigstore TUF seed (trust/npm-registry-keys.json), used for
// registry.npmjs.org whatever its keys endpoint or a mirror says: a mirror cannot swap or strip them.
import { readFileSync } from 'node:fs';
import { trustFilePath } from '../config/index.js';
import type { RegistryKey } from './types.js';

export type NpmKeyUsage = 'npm:signatures' | 'npm:attestations';

const NPM_REGISTRY_HOSTS = new Set(['registry.npmjs.org', 'registry.npmjs.com']);

let cached: { keyId: string; keyUsage: string; rawBytes: string; end: string | undefined }[] | undefined;

/** True for the public npm registry, whose keys vouch pins. */
export function isPublicNpmRegistry(registry: string): boolean {
  try {
    return NPM_REGISTRY_HOSTS.has(new URL(registry).host);
  } catch {
    return false;
  }
}

/** The pinned npm keys for one usage; `expires` is the TUF target's validFor.end. */
export function npmPinnedKeys(usage: NpmKeyUsage): RegistryKey[] {
  cached ??= readPinnedKeys();
  return cached.filter((k) => k.keyUsage === usage).map((k) => ({ keyid: k.keyId, key: k.rawBytes, expires: k.end ? new Date(k.end) : null }));
}

function readPinnedKeys() {
  const doc: unknown = JSON.parse(readFileSync(trustFilePath('npm-registry-keys.json'), 'utf8'));
  const keys = typeof doc === 'object' && doc !== null && 'keys' in doc && Array.isArray(doc.keys) ? doc.keys : [];
  return keys.flatMap((k: unknown) => {
    if (typeof k !== 'object' || k === null) return [];
    const entry = k as { keyId?: unknown; keyUsage?: unknown; publicKey?: { rawBytes?: unknown; validFor?: { end?: unknown } } };
    if (typeof entry.keyId !== 'string' || typeof entry.keyUsage !== 'string' || typeof entry.publicKey?.rawBytes !== 'string') return [];
    const end = entry.publicKey.validFor?.end;
    return [{ keyId: entry.keyId, keyUsage: entry.keyUsage, rawBytes: entry.publicKey.rawBytes, end: typeof end === 'string' ? end : undefined }];
  });
}
