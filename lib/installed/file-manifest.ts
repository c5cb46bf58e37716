// The files a verified tarball extracts to, with each one's size and sha512: what a package folder on
// disk must hold. Made from verified bytes only (vouch's verified store, or npm's cache read by digest,
// which cacache re-hashes), and kept by integrity beside the evidence cache so a later run, offline in a
// container build stage, needs no tarball. Like the evidence cache, the folder is vouch's own: whoever can
// write it can write the evidence too.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PackageContents } from '../registry/package-contents.js';
import { compareStrings } from '../files/order.js'; // not the index: its JSON parsers would slow every admitted start

export interface FileManifest {
  /** The signed integrity of the tarball the list was made from. */
  integrity: string;
  /** Path in the package folder (forward slashes) → size and base64 sha512. */
  files: Record<string, { size: number; sha512: string }>;
}

// 1: the first format. A file of another version is ignored and made again.
const FORMAT_VERSION = 1;

/** The manifests under `<npm cache>/../_vouch/files`, one JSON file per integrity. */
export class ManifestStore {
  constructor(readonly path: string) {}

  /** The store that belongs to npm's cache folder (`<cache>/_cacache` → `<cache>/_vouch/files`). */
  static beside(npmCacheDir: string): ManifestStore {
    return new ManifestStore(join(vouchDir(npmCacheDir), 'files'));
  }

  async get(integrity: string): Promise<FileManifest | null> {
    try {
      const parsed = JSON.parse(await readFile(this.fileOf(integrity), 'utf8')) as { version?: unknown; integrity?: unknown; files?: unknown };
      if (parsed.version !== FORMAT_VERSION || parsed.integrity !== integrity || typeof parsed.files !== 'object' || parsed.files === null) return null;
      return { integrity, files: parsed.files as FileManifest['files'] };
    } catch {
      return null; // absent or unreadable: made again from the verified bytes
    }
  }

  /** Writes atomically; a read-only cache only costs the next run the tarball read. */
  async put(manifest: FileManifest): Promise<void> {
    const file = this.fileOf(manifest.integrity);
    try {
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ version: FORMAT_VERSION, ...manifest }));
      await rename(temp, file);
    } catch {
      // not writable (a read-only image): the manifest is made again next time
    }
  }

  private fileOf(integrity: string): string {
    return join(this.path, `${createHash('sha256').update(integrity).digest('hex')}.json`);
  }
}

/** vouch's folder beside npm's cache (`<cache>/_cacache` → `<cache>/_vouch`). */
export function vouchDir(npmCacheDir: string): string {
  return join(dirname(npmCacheDir), '_vouch');
}

/**
 * The manifest of `integrity`: from the store, else made (and stored) from verified bytes on this machine
 * (vouch's verified store, then npm's cache `npmCacheDir`); null when there are none. Bytes that no longer
 * hash to `integrity` fail the read (cacache checks), and so does a tarball that is not a package.
 */
export async function manifestFor(integrity: string, npmCacheDir: string, store = ManifestStore.beside(npmCacheDir)): Promise<FileManifest | null> {
  const stored = await store.get(integrity);
  if (stored) return stored;
  // Loaded only here: the admission preload's warm path never reads a tarball.
  const registry = await import('../registry/index.js');
  const verified = registry.VerifiedStore.beside(npmCacheDir);
  const reader = (await verified.has(integrity))
    ? verified.reader(integrity)
    : (await registry.npmCacheHas(npmCacheDir, integrity))
      ? registry.npmCacheReader(npmCacheDir, integrity)
      : null;
  if (!reader) return null;
  const manifest = manifestOf(integrity, await registry.readPackageContents(reader, integrity, { digests: true }));
  await store.put(manifest);
  return manifest;
}

function manifestOf(integrity: string, contents: PackageContents): FileManifest {
  const files: FileManifest['files'] = {};
  for (const [path, digest] of [...(contents.files ?? new Map())].sort(([a], [b]) => compareStrings(a, b))) files[path] = digest;
  return { integrity, files };
}
