// Lockfile edits npm would not have made from the manifests: how lockfile injection is reviewed. Pure:
// the head lockfile and the package.json files of both sides come in, facts come out.
//  - unrequested: an entry of node_modules that no dependency edge reaches from the package.json files
//    (root and workspaces) through the lockfile's own graph, resolved as Node and npm resolve;
//  - out of range: a direct dependency whose locked entry does not satisfy what package.json declares
//    (or is another package altogether, an alias the manifest never asked for);
//  - resolved changed: a version that stayed while its `resolved` or `integrity` changed.
import npa from 'npm-package-arg';
import semver from 'semver';
import type { PackageChange } from './changes.js';
import { isInNodeModules, isObject, resolveFrom, type LockEntry, type Lockfile } from './lockfile.js';

/** A package.json as read: the dependency fields the diff looks at. */
export type Manifest = Record<string, unknown>;

/** The project's manifests: the root's and each workspace folder's, by folder location (`packages/w`). */
export interface Manifests {
  root: Manifest | null;
  workspaces: ReadonlyMap<string, Manifest | null>;
}

export const DEPENDENCY_FIELDS = ['peerDependencies', 'devDependencies', 'dependencies', 'optionalDependencies'] as const;

/**
 * Entries of node_modules no package.json reaches. The roots are the project and its workspace folders
 * with their package.json dependencies (every kind: dev and peer too); from there the lockfile's own
 * `dependencies`, `optionalDependencies` and `peerDependencies` are followed, and links to their targets.
 */
export function unrequestedEntries(head: Lockfile, manifests: Manifests): LockEntry[] {
  const reached = new Set<string>();
  const queue: string[] = [];
  const visit = (location: string | null) => {
    if (location === null || reached.has(location)) return;
    reached.add(location);
    queue.push(location);
  };
  const roots: [string, Manifest | null][] = [['', manifests.root], ...manifests.workspaces];
  for (const [folder, manifest] of roots) {
    if (folder !== '') visit(folder);
    for (const name of Object.keys(declared(manifest))) visit(resolveFrom(head, folder, name));
  }
  // npm links each workspace into node_modules itself, whether or not anything depends on it.
  for (const entry of head.entries.values()) {
    if (entry.link && entry.resolved !== null && manifests.workspaces.has(entry.resolved)) visit(entry.location);
  }
  for (let location = queue.shift(); location !== undefined; location = queue.shift()) {
    const entry = head.entries.get(location);
    if (!entry) continue;
    if (entry.link) {
      if (entry.resolved !== null && head.entries.has(entry.resolved)) visit(entry.resolved);
      continue;
    }
    if (manifests.workspaces.has(location)) continue; // its dependencies came from its package.json above
    for (const name of Object.keys(entry.dependencies)) visit(resolveFrom(head, location, name));
  }
  return [...head.entries.values()]
    .filter((e) => isInNodeModules(e.location) && !reached.has(e.location))
    .sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0));
}

export interface OutOfRange {
  entry: LockEntry;
  /** The folder whose package.json declares it (`""` for the root). */
  declaredBy: string;
  field: (typeof DEPENDENCY_FIELDS)[number];
  spec: string;
  /** What the base package.json declared for it: null when it did not, equal to `spec` when unchanged. */
  baseSpec: string | null;
  /** Why the entry does not satisfy the spec. */
  reason: 'version' | 'name';
}

/**
 * Direct dependencies whose locked entry does not satisfy the head package.json (npm's own test,
 * npm-package-arg and semver as arborist's dep-valid reads them). Only registry specs (a version, a
 * range, an `npm:` alias) are judged; tags, git, file and URL specs are left to the rest of the gate.
 */
export function outOfRangeEntries(head: Lockfile, manifests: Manifests, base: Manifests): OutOfRange[] {
  const out: OutOfRange[] = [];
  const roots: [string, Manifest | null, Manifest | null][] = [
    ['', manifests.root, base.root],
    ...[...manifests.workspaces].map(([folder, m]): [string, Manifest | null, Manifest | null] => [folder, m, base.workspaces.get(folder) ?? null]),
  ];
  for (const [folder, manifest, baseManifest] of roots) {
    const before = declared(baseManifest);
    for (const [name, { spec, field }] of Object.entries(declared(manifest))) {
      const location = resolveFrom(head, folder, name);
      const entry = location === null ? undefined : head.entries.get(location);
      if (!entry || entry.link || entry.version === null) continue;
      const reason = unsatisfied(name, spec, entry);
      if (reason) out.push({ entry, declaredBy: folder, field, spec, baseSpec: before[name]?.spec ?? null, reason });
    }
  }
  return out.sort((a, b) => (a.entry.location < b.entry.location ? -1 : a.entry.location > b.entry.location ? 1 : 0));
}

/** Changes that kept the version but changed where it downloads from or which bytes it accepts. */
export function resolvedChanges(changes: readonly PackageChange[]): PackageChange[] {
  return changes.filter((c) => c.kind === 'changed' && !c.changed.includes('version') && c.changed.length > 0);
}

// The dependencies a manifest declares, the kind npm gives precedence to winning (optional over prod over dev over peer).
function declared(manifest: Manifest | null): Record<string, { spec: string; field: (typeof DEPENDENCY_FIELDS)[number] }> {
  const out: Record<string, { spec: string; field: (typeof DEPENDENCY_FIELDS)[number] }> = {};
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest?.[field];
    if (!isObject(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) if (typeof spec === 'string') out[name] = { spec, field };
  }
  return out;
}

function unsatisfied(name: string, spec: string, entry: LockEntry): 'version' | 'name' | null {
  let parsed: npa.Result;
  try {
    parsed = npa.resolve(name, spec);
  } catch {
    return null; // npm would refuse the manifest itself
  }
  let wanted: npa.Result = parsed;
  if (parsed.type === 'alias') {
    const sub = (parsed as npa.AliasResult).subSpec;
    if (sub.name !== entry.name) return 'name';
    wanted = sub;
  } else if (parsed.type === 'version' || parsed.type === 'range') {
    if (entry.name !== name) return 'name';
  }
  if (wanted.type !== 'version' && wanted.type !== 'range') return null;
  const range = wanted.fetchSpec ?? '';
  if (range === '*' || range === '') return null;
  // arborist's dep-valid: semver.satisfies(version, fetchSpec, true), loose
  return semver.satisfies(entry.version ?? '', range, true) ? null : 'version';
}
