// Turns an arborist tree into verification targets: one PackageRef per unique name@version@integrity,
// alias-aware, with the registry npm would use; git/file/remote/directory dependencies and links listed,
// never dropped. For an install, the nodes come from the install plan (install-plan.ts): exactly what
// reify will extract or link.
import npa from 'npm-package-arg';
import type { Node, Tree } from '@npmcli/arborist';
import { registryFor, type NpmConfig } from '../config/index.js';
import type { InstallPlan } from './install-plan.js';
import { nonRegistrySource } from './source-guard.js';
import { evidenceKey, type NonRegistryRef, type PackageRef, type SourceKind, type Targets } from './types.js';
import { compareStrings as compare } from '../files/index.js';

/** The targets of an install plan: every node reify extracts, and every link it creates that is not a workspace. */
export function planTargets(tree: Tree, plan: InstallPlan, config: NpmConfig): Targets {
  const collected = new Collected();
  for (const node of plan.extracted) collected.addNode(node, config);
  for (const link of plan.links) collected.addLink(link, tree);
  return collected.targets();
}

/**
 * The targets of a tree on disk (`vouch verify --installed`): every package folder under node_modules,
 * skipping the root, project folders (workspaces, linked directories: judged through their links) and
 * dependency-bundled nodes, whose bytes are their bundler's. `only`: the nodes of the selected workspaces
 * (arborist's workspaceDependencySet, as `npm audit signatures -w` filters).
 */
export function listTargets(tree: Tree, config: NpmConfig, omit: readonly string[] = [], only?: ReadonlySet<Node>): Targets {
  const collected = new Collected();
  const bundling = hasDependencyBundles(tree);
  for (const node of tree.inventory.values()) {
    if (isOmitted(node, omit) || (only && !only.has(node))) continue;
    // install-strategy=linked: a store folder holds packages (listed themselves); a link into one is the layout.
    if (STORE_FOLDER.test(node.location) || (node.isLink && isStorePackage(node.target as Node | null | undefined))) continue;
    if (node.isLink) collected.addLink(node, tree);
    else if (!node.isProjectRoot && !node.isRoot && isInNodeModules(node) && !(bundling && node.inDepBundle)) collected.addNode(node, config);
  }
  return collected.targets();
}

/** Packages and other sources seen so far, merged by name@version@integrity and by name and spec. */
class Collected {
  private readonly packages = new Map<string, PackageRef>();
  private readonly nonRegistry = new Map<string, NonRegistryRef>();

  addNode(node: Node, config: NpmConfig): void {
    const kind = sourceKind(node);
    if (kind === 'registry') addPackage(this.packages, node, config);
    else
      addNonRegistry(this.nonRegistry, {
        name: node.name,
        kind,
        spec: node.resolved ?? [...node.edgesIn].map((e) => e.spec)[0] ?? '',
        locations: [node.location],
      });
  }

  /** A link to a workspace is the project's own code; to any other folder, a directory source. */
  addLink(link: Node, tree: Tree): void {
    const target = link.target as Node | null | undefined;
    if (target && isWorkspaceFolder(target, tree)) return;
    const spec = link.resolved ?? (target ? `file:${target.location}` : '');
    const ref: NonRegistryRef = { name: link.name, kind: 'directory', spec, locations: [link.location] };
    // npm links only to folders of the project (workspaces, file: directories); a link onto a package
    // folder of node_modules comes from an edited lockfile, and its target's bytes would be judged as a
    // registry package while the link hides where they are used.
    if (!target || isInNodeModules(target)) ref.unsupported = 'the link points at a package folder inside node_modules, not at a workspace or a directory';
    addNonRegistry(this.nonRegistry, ref);
  }

  targets(): Targets {
    return {
      packages: [...this.packages.values()].sort(byNameVersion),
      nonRegistry: [...this.nonRegistry.values()].sort((a, b) => compare(a.name, b.name) || compare(a.spec, b.spec)),
    };
  }
}

/** node_modules/.store/<name>@<version>-<hash>: a folder of npm's linked layout (isolated-reifier), not a package. */
const STORE_FOLDER = /^node_modules\/\.store\/[^/]+$/;

/** A package folder of npm's linked layout: node_modules/.store/<key>/node_modules/<name>, read from disk itself. */
function isStorePackage(target: Node | null | undefined): boolean {
  return !!target && !target.isLink && /^node_modules\/\.store\/[^/]+\/node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(target.location);
}

/** Whether a node's folder is inside some node_modules (a package), not a folder of the project itself. */
function isInNodeModules(node: Node): boolean {
  return /(^|\/)node_modules\//.test(node.location);
}

function isWorkspaceFolder(target: Node, tree: Tree): boolean {
  if (target.isWorkspace) return true;
  for (const path of tree.workspaces?.values() ?? []) if (path === target.path || path === target.realpath) return true;
  return false;
}

/**
 * The git and remote-tarball dependencies arborist would contact just to build the ideal tree (git
 * ls-remote and clone, a tarball download): `vouch install` arguments and the root manifest's declared
 * dependencies. Listed so they are judged before arborist runs and an unallowed source is never
 * contacted. An argument without a name (`github:o/r`) is named by its spec: nothing else is known yet.
 */
export function fetchedSources(specs: readonly string[], manifest: Record<string, unknown>): NonRegistryRef[] {
  const refs: NonRegistryRef[] = [];
  // Only what arborist would fetch to build the tree; file and directory specs are read locally.
  const add = (ref: NonRegistryRef | null, location: string | null) => {
    if (ref?.kind === 'git' || ref?.kind === 'remote') refs.push({ ...ref, locations: location ? [location] : [] });
  };
  for (const spec of specs) add(nonRegistrySource(spec), null);
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (typeof spec === 'string') add(nonRegistrySource(parseSpec(name, spec)), `node_modules/${name}`);
    }
  }
  return refs.sort((a, b) => compare(a.name, b.name) || compare(a.spec, b.spec));
}

/**
 * Whether any package of the tree bundles dependencies. arborist's `inDepBundle` walks every path up
 * the tree for each node (a third of `vouch ci`'s own time on 1,000 packages) and can only be true when
 * some package lists bundleDependencies, which most trees never do.
 */
function hasDependencyBundles(tree: Tree): boolean {
  for (const node of tree.inventory.values()) {
    const bundled: unknown = node.package.bundleDependencies;
    if (Array.isArray(bundled) && bundled.length > 0) return true;
  }
  return false;
}

function isOmitted(node: Node, omit: readonly string[]): boolean {
  return (omit.includes('dev') && node.dev) || (omit.includes('optional') && node.optional) || (omit.includes('peer') && node.peer);
}

/** The name the registry signed: the alias target for `npm:` specs, else the folder name. Never the manifest's `name`. */
export function registryName(node: Node): string {
  for (const edge of node.edgesIn) {
    const spec = parseSpec(edge.name, edge.spec);
    if (spec?.type === 'alias') {
      const target = (spec as npa.AliasResult).subSpec.name;
      if (target) return target;
    }
  }
  // No edge says (extraneous or root-less tree): the lockfile records aliases as a `name` differing from the folder.
  const lockedName = typeof node.package.name === 'string' ? node.package.name : undefined;
  return node.edgesIn.size === 0 && lockedName ? lockedName : node.name;
}

export function sourceKind(node: Node): SourceKind {
  const resolved = node.resolved ?? '';
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved)) return 'git';
  if (resolved.startsWith('file:')) return resolved.endsWith('.tgz') || resolved.endsWith('.tar.gz') ? 'file' : 'directory';
  const specTypes = [...node.edgesIn].map((e) => parseSpec(e.name, e.spec)?.type).filter((t) => t !== undefined);
  if (specTypes.includes('git')) return 'git';
  if (specTypes.includes('remote')) return 'remote';
  if (specTypes.includes('file')) return 'file';
  if (specTypes.includes('directory')) return 'directory';
  return 'registry';
}

/** npa.resolve, once per distinct name and spec (each is asked for several times per node, and parsing is costly). */
const parsedSpecs = new Map<string, npa.Result | undefined>();

function parseSpec(name: string, spec: string): npa.Result | undefined {
  const key = `${name}\0${spec}`;
  if (parsedSpecs.has(key)) return parsedSpecs.get(key);
  let parsed: npa.Result | undefined;
  try {
    parsed = npa.resolve(name, spec);
  } catch {
    parsed = undefined;
  }
  parsedSpecs.set(key, parsed);
  return parsed;
}

function addPackage(packages: Map<string, PackageRef>, node: Node, config: NpmConfig): void {
  const name = registryName(node);
  const registry = registryFor(name, config);
  const key = evidenceKey({ registry, name, version: node.version, integrity: node.integrity ?? null });
  const existing = packages.get(key);
  if (existing) {
    existing.locations = [...existing.locations, node.location].sort();
    if (node.name !== name && !existing.aliases.includes(node.name)) existing.aliases = [...existing.aliases, node.name].sort();
    existing.dev &&= node.dev;
    existing.optional &&= node.optional;
    return;
  }
  packages.set(key, {
    name,
    version: node.version,
    aliases: node.name !== name ? [node.name] : [],
    locations: [node.location],
    integrity: node.integrity ?? null,
    resolved: node.resolved ?? null,
    registry,
    dev: node.dev,
    optional: node.optional,
    hasInstallScript: node.hasInstallScript,
  });
}

function addNonRegistry(refs: Map<string, NonRegistryRef>, ref: NonRegistryRef): void {
  const key = `${ref.name}|${ref.spec}`;
  const existing = refs.get(key);
  if (!existing) refs.set(key, ref);
  else {
    existing.locations = [...existing.locations, ...ref.locations].sort();
    if (ref.unsupported) existing.unsupported ??= ref.unsupported;
  }
}

function byNameVersion(a: PackageRef, b: PackageRef): number {
  return compare(a.name, b.name) || compare(a.version, b.version) || compare(a.integrity ?? '', b.integrity ?? '');
}
