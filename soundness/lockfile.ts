// package-lock.json (v3) as the mutations see it: plain data, every field npm reads kept as written.
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  name?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  bundleDependencies?: string[] | boolean;
  hasShrinkwrap?: boolean;
  os?: string[];
  cpu?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export const cloneLock = (lock: Lockfile): Lockfile => structuredClone(lock);

/** The package name an entry installs: its `name` (aliases, link targets) or the folder's. */
export function packageNameOf(location: string, entry: LockEntry): string {
  return entry.name ?? folderNameOf(location);
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`; a location outside node_modules → its last segment. */
export function folderNameOf(location: string): string {
  const at = location.lastIndexOf('node_modules/');
  return at < 0 ? location.slice(location.lastIndexOf('/') + 1) : location.slice(at + 'node_modules/'.length);
}

/** The location of the package folder that holds this one (`''` for the root or a workspace's). */
export function parentLocation(location: string): string {
  const at = location.lastIndexOf('/node_modules/');
  return at < 0 ? '' : location.slice(0, at);
}

/** Entries fetched from the registry: a version, not a link, not inside another package's bundle. */
export function registryEntries(lock: Lockfile): [string, LockEntry][] {
  return Object.entries(lock.packages).filter(
    ([location, e]) =>
      location.includes('node_modules/') &&
      !e.link &&
      !e.inBundle &&
      typeof e.version === 'string' &&
      (e.resolved === undefined || /^https?:/.test(e.resolved)),
  );
}

/** Workspace folders: the targets of the lockfile's links that lie outside node_modules. */
export function workspaceFolders(lock: Lockfile): string[] {
  return Object.values(lock.packages)
    .filter((e) => e.link && typeof e.resolved === 'string' && !e.resolved.includes('node_modules'))
    .map((e) => e.resolved as string);
}

/** The tarball path npm derives for name@version on a registry (no `resolved` in the lockfile). */
export function registryTarballPath(name: string, version: string): string {
  return `/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
}
