// One package folder on disk against the files its verified tarball extracts to: which files were
// modified, which are missing, which were added. Contents are compared, never modes (npm makes bin
// files executable). The folder's own `node_modules` holds other packages, each checked as itself.
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, type Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileManifest } from './file-manifest.js';

export interface FolderDifferences {
  /** Paths in the package folder (forward slashes), sorted. */
  modified: string[];
  missing: string[];
  added: string[];
}

/** A file's metadata: any write to it changes its ctime, which no one can set back by hand. */
export interface FileState {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** Every entry of a folder that is not a folder, by relative path: a regular file's state, or null (a link, a socket, …). */
export type FolderSnapshot = ReadonlyMap<string, FileState | null>;

/**
 * Folders found to match before, by the state of every file they held then (the admission preload's warm
 * start): the same files with the same states match again without a byte read.
 */
export interface FolderCache {
  matches(dir: string, integrity: string, snapshot: FolderSnapshot): boolean;
  remember(dir: string, integrity: string, snapshot: FolderSnapshot): void;
}

/** Reads a file's base64 sha512; shared so that all folders together keep a bounded number of reads in flight. */
export type Hasher = (file: string, size: number) => Promise<string>;

/** Files up to this size are read whole (one call); larger ones are streamed. */
const READ_WHOLE_MAX_BYTES = 1024 * 1024;

export async function hashFile(file: string, size: number): Promise<string> {
  if (size <= READ_WHOLE_MAX_BYTES)
    return createHash('sha512')
      .update(await readFile(file))
      .digest('base64');
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** Compares the folder with `manifest`, from a snapshot taken before (so a file written since differs from it next time). */
export async function compareFolder(dir: string, snapshot: FolderSnapshot, manifest: FileManifest, hash: Hasher): Promise<FolderDifferences> {
  const modified: string[] = [];
  const missing: string[] = [];
  // Files a tarball carries under node_modules/ are bundled packages: arborist keeps them as their own nodes.
  const expected = Object.entries(manifest.files).filter(([path]) => !path.startsWith('node_modules/'));
  await Promise.all(
    expected.map(async ([path, want]) => {
      const state = snapshot.get(path);
      if (state === undefined) return void missing.push(path);
      // A link or a device where a file was, or another size: no need to read it.
      if (state === null || state.size !== want.size) return void modified.push(path);
      if ((await hash(join(dir, path), state.size)) !== want.sha512) modified.push(path);
    }),
  );
  const added = [...snapshot.keys()].filter((path) => !(path in manifest.files));
  return { modified: modified.sort(), missing: missing.sort(), added: added.sort() };
}

/**
 * Lists `dir` (its root `node_modules` left out) and stats every file, synchronously: tens of thousands
 * of small calls cost several times more through the thread pool, and nothing else runs meanwhile.
 */
export function snapshotFolder(dir: string): Map<string, FileState | null> {
  const out = new Map<string, FileState | null>();
  const walk = (relative: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(relative === '' ? dir : join(dir, relative), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && relative === '') return; // no folder: every file missing
      throw err;
    }
    for (const entry of entries) {
      if (relative === '' && entry.name === 'node_modules') continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (!entry.isFile()) out.set(path, null);
      else {
        const s = lstatSync(join(dir, path));
        out.set(path, s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino } : null);
      }
    }
  };
  walk('');
  return out;
}
