// What an install wrote into a project, read back from disk: every written file assigned to the package
// folder it belongs to (the deepest node_modules/<name> or node_modules/@scope/<name> above it, or a
// lockfile location outside node_modules such as a link target), the symlinks npm made for packages,
// and whatever was written anywhere else. npm's and vouch's bookkeeping (.package-lock.json, .bin links,
// vouch.lock) is left out.
import { posix } from 'node:path';
import type { TreeEntry } from './file-hashes.js';

export interface InstalledTree {
  /** Package folder location (as a lockfile key) → written files: path inside it → sha256. */
  folders: Map<string, Map<string, string>>;
  /** Package folder location → where its symlink points, relative to the project root. */
  links: Map<string, string>;
  /** Written paths that belong to no package folder, or are not what a package folder holds. */
  strays: string[];
}

/** Compares the project before and after the install; `locations` are the lockfile's keys. */
export function readInstalledTree(before: ReadonlyMap<string, TreeEntry>, after: ReadonlyMap<string, TreeEntry>, locations: Iterable<string>): InstalledTree {
  const outside = [...locations].filter((l) => l !== '' && !l.includes('node_modules/'));
  const tree: InstalledTree = { folders: new Map(), links: new Map(), strays: [] };
  for (const [path, entry] of after) {
    if (entry.kind === 'dir' || isBookkeeping(path) || sameEntry(before.get(path), entry)) continue;
    const folder = packageFolderOf(path, outside);
    if (entry.kind === 'link') {
      if (folder === path) tree.links.set(path, posix.normalize(posix.join(posix.dirname(path), entry.target)));
      else tree.strays.push(path);
      continue;
    }
    if (folder === null || folder === path) {
      tree.strays.push(path);
      continue;
    }
    const files = tree.folders.get(folder) ?? new Map<string, string>();
    files.set(path.slice(folder.length + 1), entry.sha256);
    tree.folders.set(folder, files);
  }
  return tree;
}

/** The package folder holding another one (a bundler, or a dependent), or null at the top. */
export function parentFolderOf(folder: string, outsideLocations: readonly string[] = []): string | null {
  const at = folder.lastIndexOf('/node_modules/');
  return at < 0 ? null : packageFolderOf(folder.slice(0, at), outsideLocations);
}

/** The deepest package folder holding `path` (possibly `path` itself), or null. */
export function packageFolderOf(path: string, outsideLocations: readonly string[] = []): string | null {
  const segments = path.split('/');
  let folder: string | null = null;
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i] !== 'node_modules') continue;
    const name = segments[i + 1] ?? '';
    if (name.startsWith('.')) continue;
    const end = name.startsWith('@') ? i + 2 : i + 1;
    if (end < segments.length) folder = segments.slice(0, end + 1).join('/');
  }
  if (folder !== null) return folder;
  const holders = outsideLocations.filter((l) => path === l || path.startsWith(`${l}/`));
  return holders.sort((a, b) => b.length - a.length)[0] ?? null;
}

function isBookkeeping(path: string): boolean {
  return path === 'vouch.lock' || /(^|\/)node_modules\/\.package-lock\.json$/.test(path) || /(^|\/)node_modules\/\.bin(\/|$)/.test(path);
}

function sameEntry(a: TreeEntry | undefined, b: TreeEntry): boolean {
  if (!a || a.kind !== b.kind) return false;
  if (a.kind === 'file' && b.kind === 'file') return a.sha256 === b.sha256;
  if (a.kind === 'link' && b.kind === 'link') return a.target === b.target;
  return true;
}
