// One digest for a whole node_modules folder, so a signed summary can say which installed tree it saw and a
// deploy gate can tell when a file changed since. It hashes what is on disk; it judges nothing.
//
// The digest is sha256 over one line per entry, sorted by the byte order of the UTF-8 path:
//   regular file  `<path>\0file\0<hex sha256 of its bytes>\n`
//   symlink       `<path>\0link\0<target as readlink gives it>\n`   (never followed)
//   anything else `<path>\0other\0\n`                               (a socket, a FIFO: named, not read)
// `<path>` is relative to the folder holding node_modules, `/`-separated (`node_modules/a/index.js`).
// Every entry counts, npm's hidden lockfile `node_modules/.package-lock.json` and tools' caches
// (`node_modules/.cache`) too: what is in the folder is what code can load. Directories appear only
// through their entries (an empty one changes nothing); file modes are not hashed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';

export const TREE_DIGEST_FOLDER = 'node_modules';

/** Files hashed at once: enough to keep a disk busy, few enough to stay under open-file limits. */
const HASH_CONCURRENCY = 16;

export interface TreeDigest {
  /** Hex sha256 of the sorted entry lines. */
  sha256: string;
  /** How many entries the lines list (files, links and others). */
  entries: number;
}

type Entry = { path: string; kind: 'file' | 'link' | 'other'; absolute: string };

/** The digest of `<projectDir>/node_modules`; null when there is no such folder. */
export async function treeDigestOf(projectDir: string): Promise<TreeDigest | null> {
  const root = join(projectDir, TREE_DIGEST_FOLDER);
  const info = await lstat(root).catch(() => undefined);
  if (!info?.isDirectory()) return null;
  const entries = await listEntries(root, TREE_DIGEST_FOLDER);
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const lines = await pMap(entries, entryLine, { concurrency: HASH_CONCURRENCY });
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return { sha256: hash.digest('hex'), entries: entries.length };
}

async function listEntries(folder: string, relative: string): Promise<Entry[]> {
  const found: Entry[] = [];
  const pending: [string, string][] = [[folder, relative]];
  while (pending.length > 0) {
    const [dir, rel] = pending.pop()!;
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      const absolute = join(dir, dirent.name);
      const path = `${rel}/${dirent.name}`;
      if (dirent.isDirectory()) pending.push([absolute, path]);
      else found.push({ path, absolute, kind: dirent.isFile() ? 'file' : dirent.isSymbolicLink() ? 'link' : 'other' });
    }
  }
  return found;
}

async function entryLine(entry: Entry): Promise<string> {
  const value = entry.kind === 'file' ? await fileSha256(entry.absolute) : entry.kind === 'link' ? await readlink(entry.absolute) : '';
  return `${entry.path}\0${entry.kind}\0${value}\n`;
}

function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}
