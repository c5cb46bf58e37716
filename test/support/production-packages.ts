// What installing a package pulls in: the production closure of a package-lock.json's root, found the way
// Node and npm resolve each dependency (the nearest `node_modules/<name>` up from the dependent's folder),
// and a count of what an install actually put on disk.
//
// API
//   productionClosure(lock, from?) → the lock locations (`node_modules/a`, `node_modules/a/node_modules/b`,
//                             …) reachable from `from` (default '', the root; e.g. 'packages/x' for a
//                             workspace) through dependencies, optionalDependencies and peerDependencies;
//                             links (to workspaces or to the root) are not followed. Throws when a
//                             required dependency has no entry (a broken lock).
//   installedPackages(dir)  → the package folders under `<dir>/node_modules`, nested ones included
//                             (`@scope/name` counts once), as relative paths.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';

export interface LockEntry {
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface PackageLock {
  packages: Record<string, LockEntry>;
}

export function productionClosure(lock: PackageLock, from = ''): Set<string> {
  const reached = new Set<string>();
  const pending = [from];
  for (let location = pending.pop(); location !== undefined; location = pending.pop()) {
    const entry = lock.packages[location];
    if (!entry) throw new Error(`package-lock.json has no entry "${location}"`);
    for (const [name, required] of edges(entry)) {
      const found = resolveInLock(lock, location, name);
      if (found === undefined) {
        if (required) throw new Error(`package-lock.json: ${location || 'the root'} needs ${name}, which has no entry`);
        continue;
      }
      if (lock.packages[found]?.link || reached.has(found)) continue;
      reached.add(found);
      pending.push(found);
    }
  }
  return reached;
}

/** Each dependency name with whether it must be there (optional and optional-peer ones need not). */
function edges(entry: LockEntry): [string, boolean][] {
  const optionalPeer = (name: string) => entry.peerDependenciesMeta?.[name]?.optional === true;
  return [
    ...Object.keys(entry.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
    ...Object.keys(entry.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ...Object.keys(entry.peerDependencies ?? {}).map((n): [string, boolean] => [n, !optionalPeer(n)]),
  ];
}

/** Node's lookup: `<dir>/node_modules/<name>` for the dependent's folder and each folder above it. */
function resolveInLock(lock: PackageLock, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = posix.dirname(dir)) {
    if (dir === '.') dir = '';
    if (posix.basename(dir) !== 'node_modules') {
      const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
    }
    if (dir === '') return undefined;
  }
}

export async function installedPackages(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (modules: string, prefix: string): Promise<void> => {
    if (!existsSync(modules)) return;
    for (const item of await readdir(modules, { withFileTypes: true })) {
      if (item.name.startsWith('.')) continue;
      const names = item.name.startsWith('@') ? (await readdir(join(modules, item.name))).map((n) => `${item.name}/${n}`) : [item.name];
      for (const name of names) {
        const path = `${prefix}${name}`;
        found.push(path);
        await walk(join(modules, name, 'node_modules'), `${path}/node_modules/`);
      }
    }
  };
  await walk(join(dir, 'node_modules'), '');
  return found.sort();
}
