// The one model every foreign lockfile (pnpm-lock.yaml, yarn.lock, bun.lock) is read into: the entries it
// pins and the edges between them, then the same `Targets` the npm path hands to the evidence stage.
//
// Every entry is verified, reachable or not: an entry this reader could not connect to the project is still
// something the manager may install, so it is judged as a production dependency (fail closed). Reachability
// only decides the dev / optional flags that --omit and the reports use.
import { evidenceKey, type NonRegistryRef, type PackageRef, type SourceKind, type Targets } from '../types.js';
import { compareStrings as compare } from '../../files/index.js';

export type EdgeType = 'prod' | 'dev' | 'optional' | 'peer';

/** Where an entry's bytes come from, as its lockfile records it. */
export type LockedSource =
  | {
      kind: 'registry';
      /** npm's SRI integrity as the lockfile records it, or null. */
      integrity: string | null;
      /** The tarball URL the lockfile records, or null (the manager derives it from the registry). */
      resolved: string | null;
      /** The registry the manager fetches this entry from, with a trailing slash. */
      registry: string;
      /**
       * The lockfile binds the bytes with a checksum of its own, not npm's integrity (Yarn Berry's zip
       * checksum): vouch hashes the tarball the registry serves instead.
       */
      integrityFromTarball?: boolean;
    }
  | { kind: Exclude<SourceKind, 'registry'>; spec: string; unsupported?: string }
  /** The project's own code (a workspace): not a dependency to verify. */
  | { kind: 'workspace' };

export interface LockedEntry {
  /** Unique within the lockfile (its key there). */
  id: string;
  /** The registry name (alias resolved); for a source, the name it is installed under. */
  name: string;
  version: string;
  /** The folder name when it differs from `name` (an `npm:` alias). */
  alias?: string;
  source: LockedSource;
  /** Where the manager installs it, relative to the project. */
  location: string;
  /** Resolved edges to other entries (by id). */
  deps: { id: string; type: EdgeType }[];
  hasInstallScript?: boolean;
}

export interface LockedGraph {
  entries: ReadonlyMap<string, LockedEntry>;
  /** The project's (and its workspaces') direct dependencies. */
  roots: { id: string; type: EdgeType }[];
}

/** The targets of a foreign lockfile's graph, with npm's meaning of dev and optional. */
export function graphTargets(graph: LockedGraph, omit: readonly string[]): Targets {
  const all = reachable(graph, () => true);
  const prod = reachable(graph, (type) => type !== 'dev');
  const required = reachable(
    graph,
    (type) => type !== 'optional',
    (type) => type !== 'optional',
  );
  const packages = new Map<string, PackageRef>();
  const nonRegistry = new Map<string, NonRegistryRef>();
  for (const entry of graph.entries.values()) {
    // An entry nothing reaches is judged as a production dependency: the manager may still install it.
    const dev = all.has(entry.id) && !prod.has(entry.id);
    const optional = all.has(entry.id) && !required.has(entry.id);
    if ((dev && omit.includes('dev')) || (optional && omit.includes('optional'))) continue;
    const { source } = entry;
    if (source.kind === 'workspace') continue;
    if (source.kind === 'registry') addPackage(packages, entry, source, dev, optional);
    else
      addSource(nonRegistry, {
        name: entry.name,
        kind: source.kind,
        spec: source.spec,
        locations: [entry.location],
        ...(source.unsupported ? { unsupported: source.unsupported } : {}),
      });
  }
  return {
    packages: [...packages.values()].sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version) || compare(a.integrity ?? '', b.integrity ?? '')),
    nonRegistry: [...nonRegistry.values()].sort((a, b) => compare(a.name, b.name) || compare(a.spec, b.spec)),
  };
}

/** Entries reachable from the roots whose type passes `root`, through edges whose type passes `edge`. */
function reachable(graph: LockedGraph, root: (type: EdgeType) => boolean, edge: (type: EdgeType) => boolean = () => true): Set<string> {
  const ids = new Set<string>();
  const queue = graph.roots.filter((r) => root(r.type)).map((r) => r.id);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (ids.has(id)) continue;
    ids.add(id);
    for (const dep of graph.entries.get(id)?.deps ?? []) if (edge(dep.type)) queue.push(dep.id);
  }
  return ids;
}

function addPackage(
  packages: Map<string, PackageRef>,
  entry: LockedEntry,
  source: Extract<LockedSource, { kind: 'registry' }>,
  dev: boolean,
  optional: boolean,
): void {
  const key = evidenceKey({ registry: source.registry, name: entry.name, version: entry.version, integrity: source.integrity });
  const existing = packages.get(key);
  if (existing) {
    existing.locations = [...new Set([...existing.locations, entry.location])].sort();
    if (entry.alias && !existing.aliases.includes(entry.alias)) existing.aliases = [...existing.aliases, entry.alias].sort();
    existing.dev &&= dev;
    existing.optional &&= optional;
    existing.hasInstallScript ||= entry.hasInstallScript === true;
    return;
  }
  packages.set(key, {
    name: entry.name,
    version: entry.version,
    aliases: entry.alias ? [entry.alias] : [],
    locations: [entry.location],
    integrity: source.integrity,
    resolved: source.resolved,
    registry: source.registry,
    dev,
    optional,
    hasInstallScript: entry.hasInstallScript === true,
    ...(source.integrityFromTarball ? { integrityFromTarball: true } : {}),
  });
}

function addSource(refs: Map<string, NonRegistryRef>, ref: NonRegistryRef): void {
  const key = `${ref.name}|${ref.spec}`;
  const existing = refs.get(key);
  if (!existing) refs.set(key, ref);
  else {
    existing.locations = [...new Set([...existing.locations, ...ref.locations])].sort();
    if (ref.unsupported) existing.unsupported ??= ref.unsupported;
  }
}

/** `name@spec` split at the `@` that ends the name (scoped names start with one). */
export function splitIdent(ident: string): { name: string; spec: string } | null {
  const at = ident.indexOf('@', ident.startsWith('@') ? 1 : 0);
  if (at <= 0) return null;
  return { name: ident.slice(0, at), spec: ident.slice(at + 1) };
}

/** A registry URL with exactly one trailing slash. */
export const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);
