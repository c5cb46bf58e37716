// Consumer projects for install/ci/approve tests: write one, copy one, and fingerprint its files so a
// test can assert "byte-for-byte unchanged" (a denied install) or "the same as npm ci" (a clean one).
//
// API
//   writeProject(dir, manifest)      → writes <dir>/package.json (two-space JSON, final newline) for a
//                                      consumer named "consumer" at 1.0.0 plus `manifest` (dependencies, …).
//   copyProject(from, to)            → a copy of a project folder (symlinks kept as symlinks), to start
//                                      several tests from one installed state.
//   snapshotProject(dir)             → the sorted fingerprint of package.json, package-lock.json,
//                                      vouch.lock, vouch.policy.json and everything under node_modules/:
//                                      one FileEntry per path (absent top-level files included, so a file
//                                      appearing is a difference too).
//   snapshotTree(dir, { ignore? })   → the same for every path under `dir` (e.g. a node_modules folder),
//                                      paths relative to it; `ignore` drops relative paths.
//   readJson(file)                   → the parsed file, or undefined when it does not exist.
//   FileEntry: { path, kind: 'file' | 'dir' | 'link' | 'absent', mode?, sha256?, target? }
//     mode: permission bits (octal string) of files and dirs; sha256: hex of a file's bytes;
//     target: a symlink's target as stored.
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileEntry {
  path: string;
  kind: 'file' | 'dir' | 'link' | 'absent';
  mode?: string;
  sha256?: string;
  target?: string;
}

export const PROJECT_FILES = ['package.json', 'package-lock.json', 'vouch.lock', 'vouch.policy.json'] as const;

export async function writeProject(dir: string, manifest: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, ...manifest }, null, 2)}\n`);
}

export async function copyProject(from: string, to: string): Promise<string> {
  await cp(from, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  return to;
}

export async function snapshotProject(dir: string): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const file of PROJECT_FILES) entries.push(await entryOf(join(dir, file), file));
  entries.push(...(await snapshotTree(join(dir, 'node_modules'), { prefix: 'node_modules' })));
  return entries.sort(byPath);
}

export async function snapshotTree(dir: string, opts: { ignore?: readonly string[]; prefix?: string } = {}): Promise<FileEntry[]> {
  const ignore = new Set(opts.ignore ?? []);
  const entries: FileEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = await readdir(join(dir, rel)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && rel === '') return null;
      throw err;
    });
    if (names === null) return;
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      if (ignore.has(path)) continue;
      const entry = await entryOf(join(dir, path), opts.prefix ? `${opts.prefix}/${path}` : path);
      entries.push(entry);
      if (entry.kind === 'dir') await walk(path);
    }
  };
  if ((await entryOf(dir, '')).kind === 'absent') return opts.prefix ? [{ path: opts.prefix, kind: 'absent' }] : [];
  await walk('');
  return entries.sort(byPath);
}

export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function entryOf(file: string, path: string): Promise<FileEntry> {
  const stat = await lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!stat) return { path, kind: 'absent' };
  const mode = (stat.mode & 0o7777).toString(8);
  if (stat.isSymbolicLink()) return { path, kind: 'link', target: await readlink(file) };
  if (stat.isDirectory()) return { path, kind: 'dir', mode };
  return {
    path,
    kind: 'file',
    mode,
    sha256: createHash('sha256')
      .update(await readFile(file))
      .digest('hex'),
  };
}

const byPath = (a: FileEntry, b: FileEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
