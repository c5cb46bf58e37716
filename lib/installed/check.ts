// Every expected package folder of a project against the file list of its verified tarball, a bounded
// number of files read at once over all folders; a folder that matched before (by its files' metadata)
// matches again unread.
import { join } from 'node:path';
import pMap from 'p-map';
import { limitConcurrency } from '../concurrency/index.js';
import type { FileManifest } from './file-manifest.js';
import { compareFolder, hashFile, snapshotFolder, type FolderCache } from './folder-check.js';

/** A package folder (a lockfile location, relative to the project) and the signed integrity of what must be in it. */
export interface ExpectedFolder {
  location: string;
  integrity: string;
}

export type FolderCheck =
  | { kind: 'match'; location: string; integrity: string }
  | { kind: 'differs'; location: string; integrity: string; modified: string[]; missing: string[]; added: string[] }
  /** No file list: neither stored nor made from verified bytes (offline with an empty cache), or the bytes were unreadable. */
  | { kind: 'unknown'; location: string; integrity: string; reason: string };

export interface CheckOptions {
  /** The file list of an integrity, or null when there is none. */
  manifestOf: (integrity: string) => Promise<FileManifest | null>;
  /** Folders that matched before, by their files' states: matched again without reading a byte. */
  cache?: FolderCache;
  /** Files read at once, over all folders. Default 16. */
  readConcurrency?: number;
}

/** Checks every folder of `expected` under `root`, sorted by location. */
export async function checkInstalledFolders(root: string, expected: readonly ExpectedFolder[], opts: CheckOptions): Promise<FolderCheck[]> {
  const hash = limitConcurrency(hashFile, opts.readConcurrency ?? 16);
  const manifests = new Map<string, Promise<FileManifest | null>>(); // one per integrity
  const checks = await pMap(
    expected,
    async ({ location, integrity }): Promise<FolderCheck> => {
      const dir = join(root, location);
      try {
        const snapshot = snapshotFolder(dir);
        if (opts.cache?.matches(dir, integrity, snapshot)) return { kind: 'match', location, integrity };
        let manifest = manifests.get(integrity);
        if (!manifest) manifests.set(integrity, (manifest = opts.manifestOf(integrity)));
        const files = await manifest;
        if (!files)
          return {
            kind: 'unknown',
            location,
            integrity,
            reason: "no file list of its verified tarball is stored, and the tarball is not in vouch's or npm's cache",
          };
        const found = await compareFolder(dir, snapshot, files, hash);
        if (found.modified.length + found.missing.length + found.added.length > 0) return { kind: 'differs', location, integrity, ...found };
        opts.cache?.remember(dir, integrity, snapshot);
        return { kind: 'match', location, integrity };
      } catch (err) {
        return { kind: 'unknown', location, integrity, reason: `could not compare it: ${(err as Error).message}` };
      }
    },
    { concurrency: 8 },
  );
  return checks.sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}
