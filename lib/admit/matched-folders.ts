// The admission preload's memory of folders that matched their verified tarball, with the size, mtime,
// ctime and inode of every file they held then: a warm start lists and stats files, and reads none (nor
// any file list). A write to a file changes its ctime, which user code cannot set back; copying
// node_modules (a new image layer) changes inodes, so the first start there reads everything.
// Whoever can write this file can make an edit look checked: keep it where the app's user cannot write
// (VOUCH_ADMIT_CACHE), or turn it off (VOUCH_ADMIT_CACHE=off) to hash on every start.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FolderCache, FolderSnapshot } from '../installed/folder-check.js';

interface Stored {
  integrity: string;
  /** Relative path → [size, mtimeMs, ctimeMs, ino], or null for an entry that is not a regular file. */
  files: Record<string, [number, number, number, number] | null>;
}

const FORMAT_VERSION = 1;

export class MatchedFolders implements FolderCache {
  private readonly kept = new Map<string, Stored>();
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly stored: ReadonlyMap<string, Stored>,
  ) {}

  static async open(file: string): Promise<MatchedFolders> {
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; folders?: unknown };
      if (doc.version === FORMAT_VERSION && typeof doc.folders === 'object' && doc.folders !== null) {
        return new MatchedFolders(file, new Map(Object.entries(doc.folders as Record<string, Stored>)));
      }
    } catch {
      // absent or unreadable: a cold start
    }
    return new MatchedFolders(file, new Map());
  }

  matches(dir: string, integrity: string, snapshot: FolderSnapshot): boolean {
    const hit = this.stored.get(dir);
    if (hit?.integrity !== integrity || typeof hit.files !== 'object' || hit.files === null) return false;
    let count = 0;
    for (const key in hit.files) if (Object.hasOwn(hit.files, key)) count++;
    if (count !== snapshot.size) return false;
    for (const [path, s] of snapshot) {
      if (!Object.hasOwn(hit.files, path)) return false;
      const was = hit.files[path];
      if (s === null || was === null || was === undefined) {
        if (s !== was) return false;
      } else if (!Array.isArray(was) || was[0] !== s.size || was[1] !== s.mtimeMs || was[2] !== s.ctimeMs || was[3] !== s.ino) return false;
    }
    this.kept.set(dir, hit);
    return true;
  }

  remember(dir: string, integrity: string, snapshot: FolderSnapshot): void {
    this.kept.set(dir, { integrity, files: encode(snapshot) });
    this.dirty = true;
  }

  /** Keeps the folders seen this start (a removed package's entry goes); a read-only place only costs the next start. */
  async save(): Promise<void> {
    if (!this.dirty && this.kept.size === this.stored.size) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ version: FORMAT_VERSION, folders: Object.fromEntries(this.kept) }));
      await rename(temp, this.file);
    } catch {
      // not writable
    }
  }
}

function encode(snapshot: FolderSnapshot): Stored['files'] {
  const out: Stored['files'] = {};
  for (const [path, s] of snapshot) out[path] = s === null ? null : [s.size, s.mtimeMs, s.ctimeMs, s.ino];
  return out;
}
