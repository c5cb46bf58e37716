// One package folder on disk against the files its verified tarball extracts to: which files were
// modified, which are missing, which were added. Contents are compared, never modes (npm makes bin
// files executable). The folder's own `node_modules` holds other packages, each checked as itself.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileManifest } from './file-manifest.js';

export interface FolderDifferences {
  /** Paths in the package folder (forward slashes), sorted. */
  modified: string[];
  missing: string[];
  added: string[];
}

/** What a file's digest is remembered by: any write changes ctime, which no one sets by hand. */
export interface FileState {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** Digests of files hashed before, valid while their metadata is unchanged (the admission preload's warm start). */
export interface DigestCache {
  get(file: string, state: FileState): string | undefined;
  set(file: string, state: FileState, sha512: string): void;
}

/** Reads a file's base64 sha512; shared so that all folders together keep a bounded number of reads in flight. */
export type Hasher = (file: string, size: number) => Promise<string>;

/** Files up to this size are read whole (one call); larger ones are streamed. */
const READ_WHOLE_MAX_BYTES = 1024 * 1024;

export async function hashFile(file: string, size: number): Promise<string> {
  if (size <= READ_WHOLE_MAX_BYTES) return createHash('sha512').update(await readFile(file)).digest('base64');
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** Compares the folder `dir` with `manifest`. */
export async function compareFolder(dir: string, manifest: FileManifest, hash: Hasher, cache?: DigestCache): Promise<FolderDifferences> {
  const onDisk = await listFolder(dir);
  const modified: string[] = [];
  const missing: string[] = [];
  // Files a tarball carries under node_modules/ are bundled packages: arborist keeps them as their own nodes.
  const expectedFiles = Object.entries(manifest.files).filter(([path]) => !path.startsWith('node_modules/'));
  await Promise.all(expectedFiles.map(async ([path, expected]) => {
    const kind = onDisk.get(path);
    if (kind === undefined) return void missing.push(path);
    if (kind !== 'file') return void modified.push(path); // a link or a folder where a file was
    const file = join(dir, path);
    const stat = await lstat(file).catch(() => null);
    if (!stat?.isFile()) return void missing.push(path);
    if (stat.size !== expected.size) return void modified.push(path);
    const state: FileState = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
    let digest = cache?.get(file, state);
    if (digest === undefined) {
      digest = await hash(file, stat.size);
      cache?.set(file, state, digest);
    }
    if (digest !== expected.sha512) modified.push(path);
  }));
  const added = [...onDisk.keys()].filter((path) => !(path in manifest.files));
  return { modified: modified.sort(), missing: missing.sort(), added: added.sort() };
}

/** Every entry under `dir` that is not a folder (files, links, …), by relative path; the root `node_modules` is skipped. */
async function listFolder(dir: string): Promise<Map<string, 'file' | 'other'>> {
  const out = new Map<string, 'file' | 'other'>();
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(relative === '' ? dir : join(dir, relative), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && relative === '') return [];
      throw err;
    });
    await Promise.all(entries.map(async (entry) => {
      if (relative === '' && entry.name === 'node_modules') return;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      out.set(path, entry.isFile() ? 'file' : 'other');
    }));
  };
  await walk('');
  return out;
}
