// The files under a folder, by relative path ('/'-separated): sha256 of regular files, the stored target
// of symlinks. Symlinks are never followed.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type TreeEntry = { kind: 'file'; sha256: string } | { kind: 'link'; target: string } | { kind: 'dir' };

/** Every entry under `dir` (dirs included, so empty folders show), '' for `dir` itself excluded. */
export async function walkEntries(dir: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const visit = async (rel: string): Promise<void> => {
    const names = await readdir(join(dir, rel)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
      throw err;
    });
    for (const name of names.sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, path);
      const stat = await lstat(full);
      if (stat.isSymbolicLink()) out.set(path, { kind: 'link', target: await readlink(full) });
      else if (stat.isDirectory()) {
        out.set(path, { kind: 'dir' });
        await visit(path);
      } else
        out.set(path, {
          kind: 'file',
          sha256: createHash('sha256')
            .update(await readFile(full))
            .digest('hex'),
        });
    }
  };
  await visit('');
  return out;
}

/** Only the regular files under `dir`: path → sha256. */
export async function hashFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [path, entry] of await walkEntries(dir)) if (entry.kind === 'file') files.set(path, entry.sha256);
  return files;
}
