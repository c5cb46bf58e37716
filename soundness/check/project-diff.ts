// Two project trees compared entry by entry (vouch ci's against npm ci's, or a project before and after a
// denied run), leaving out what legitimately differs: npm's hidden lockfile and vouch's own vouch.lock.
import type { TreeEntry } from '../install/file-hashes.js';

const IGNORED = [/(^|\/)node_modules\/\.package-lock\.json$/, /^vouch\.lock$/];

/** Paths whose entries differ, sorted, at most `limit`. */
export function differingPaths(a: ReadonlyMap<string, TreeEntry>, b: ReadonlyMap<string, TreeEntry>, limit = 10): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  const out: string[] = [];
  for (const path of [...paths].sort()) {
    if (IGNORED.some((re) => re.test(path))) continue;
    if (describe(a.get(path)) !== describe(b.get(path))) out.push(path);
    if (out.length >= limit) break;
  }
  return out;
}

function describe(entry: TreeEntry | undefined): string {
  if (!entry) return 'absent';
  if (entry.kind === 'file') return `file ${entry.sha256}`;
  if (entry.kind === 'link') return `link ${entry.target}`;
  return 'dir';
}
