// The admission preload's memory of file digests, keyed by each file's size, mtime, ctime and inode, so a
// warm start stats files and hashes none. A write to a file changes its ctime, which user code cannot
// set back; copying node_modules (a new image layer) changes inodes, so the first start there hashes.
// Whoever can write this file can make an edit look checked: keep it where the app's user cannot write
// (VOUCH_ADMIT_CACHE), or turn it off (VOUCH_ADMIT_CACHE=off) to hash on every start.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DigestCache, FileState } from '../installed/index.js';

type Stored = [size: number, mtimeMs: number, ctimeMs: number, ino: number, sha512: string];

const FORMAT_VERSION = 1;

export class FileDigestCache implements DigestCache {
  private readonly used = new Map<string, Stored>();
  private dirty = false;

  private constructor(private readonly file: string, private readonly stored: ReadonlyMap<string, Stored>) {}

  static async open(file: string): Promise<FileDigestCache> {
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; files?: unknown };
      if (doc.version === FORMAT_VERSION && typeof doc.files === 'object' && doc.files !== null) {
        return new FileDigestCache(file, new Map(Object.entries(doc.files as Record<string, Stored>)));
      }
    } catch {
      // absent or unreadable: a cold start
    }
    return new FileDigestCache(file, new Map());
  }

  get(file: string, s: FileState): string | undefined {
    const hit = this.stored.get(file);
    if (!Array.isArray(hit) || hit[0] !== s.size || hit[1] !== s.mtimeMs || hit[2] !== s.ctimeMs || hit[3] !== s.ino || typeof hit[4] !== 'string') return undefined;
    this.used.set(file, hit);
    return hit[4];
  }

  set(file: string, s: FileState, sha512: string): void {
    this.used.set(file, [s.size, s.mtimeMs, s.ctimeMs, s.ino, sha512]);
    this.dirty = true;
  }

  /** Keeps the files seen this start (a removed package's entries go); a read-only place only costs the next start. */
  async save(): Promise<void> {
    if (!this.dirty && this.used.size === this.stored.size) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify({ version: FORMAT_VERSION, files: Object.fromEntries(this.used) }));
      await rename(temp, this.file);
    } catch {
      // not writable
    }
  }
}
