// npm's `install-strategy=linked`: reify swaps the ideal tree for an isolated one (arborist's
// isolated-reifier: every package extracted once into node_modules/.store/<name>@<version>-<hash>/
// node_modules/<name>, symlinks everywhere else) and writes that. The packages are the ideal tree's, so
// the install plan vouch verified still names them; this maps each store folder to the verified package
// it holds (the reify boundary then reads its bytes from vouch's store by digest, as for any folder), and
// lists the store packages whose install scripts npm runs there.
import { resolve } from 'node:path';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { VouchError } from '../errors/index.js';
import type { AllowedExtraction, AllowedSource, ReifyBoundary } from './reify-boundary.js';

/** A package folder of arborist's isolated tree (lib/isolated-classes.js IsolatedNode). */
export interface IsolatedNode {
  name: string;
  location: string;
  path: string;
  resolved?: string;
  isInStore: boolean;
  isLink: boolean;
  hasInstallScript: boolean;
  package: Record<string, unknown>;
}

interface IsolatedTree {
  inventory: Map<string, IsolatedNode>;
  children: Map<string, IsolatedNode>;
}

interface IsolatedReifier {
  idealTree: Tree | null;
  createIsolatedTree(): Promise<IsolatedTree>;
}

/** Whether reify will write the linked (isolated) layout with these arborist options, as reify decides it. */
export function isLinkedStrategy(options: Record<string, unknown>): boolean {
  return options['global'] !== true && options['installStrategy'] === 'linked';
}

/**
 * Under install-strategy=linked, a package that ships npm-shrinkwrap.json is refused (CONFIG, exit 2)
 * before anything is written: the isolated reifier extracts and resolves it on its own, outside vouch's
 * install plan and reify boundary.
 */
export function assertLinkedSupported(options: Record<string, unknown>, tree: Tree): void {
  if (!isLinkedStrategy(options)) return;
  const shrinkwrapped = [...tree.inventory.values()]
    .filter((n) => n.hasShrinkwrap && !n.inert && !n.isProjectRoot)
    .map((n) => n.location)
    .sort();
  if (shrinkwrapped.length === 0) return;
  throw new VouchError(
    'CONFIG',
    `install-strategy=linked: ${shrinkwrapped.join(', ')} ship(s) npm-shrinkwrap.json, which npm's linked reifier fetches and resolves outside vouch's install plan`,
    {},
    "install this project with install-strategy=hoisted (npm's default); nothing was installed",
  );
}

/**
 * The isolated tree reify will write for `tree`, built by a second arborist with the same options (the
 * builder keeps per-instance state, so the instance that reifies must not build it first).
 */
export async function isolatedTree(options: Record<string, unknown>, tree: Tree): Promise<IsolatedNode[]> {
  assertLinkedSupported(options, tree);
  const reifier = new Arborist({ ...options }) as unknown as IsolatedReifier;
  reifier.idealTree = tree;
  const isolated = await reifier.createIsolatedTree();
  // children: the store packages and every symlink; inventory adds the workspaces.
  return [...new Set([...isolated.children.values(), ...isolated.inventory.values()])];
}

/**
 * The boundary with every store folder of `isolated` added: a store package is the ideal tree's package of
 * the same name, version and `resolved`, and may hold exactly what vouch allowed at that package's own
 * folders. A store package matching no allowed folder, or two that disagree, gets no entry (refused).
 */
export function withStoreFolders(boundary: ReifyBoundary, tree: Tree, isolated: readonly IsolatedNode[]): ReifyBoundary {
  const bySource = new Map<string, AllowedExtraction | AllowedSource | null>();
  for (const node of tree.inventory.values()) {
    if (node.isLink || node.isProjectRoot) continue;
    const allowed = boundary.allowed.get(resolve(node.path));
    if (!allowed) continue;
    const key = sourceKey(node.packageName ?? node.name, node.version, node.resolved ?? undefined);
    const seen = bySource.get(key);
    bySource.set(key, seen === undefined || sameAllowed(seen, allowed) ? allowed : null);
  }
  const allowed = new Map(boundary.allowed);
  for (const node of isolated) {
    if (!node.isInStore || node.isLink) continue;
    const entry = bySource.get(sourceKey(packageName(node), version(node), node.resolved));
    // Store packages carry no integrity: the boundary supplies the verified one (see reify-boundary.ts).
    if (entry) allowed.set(resolve(node.path), entry.kind === 'verified' ? { ...entry, storeFolder: true } : entry);
  }
  return { ...boundary, allowed };
}

/** The store packages of `isolated` with install scripts: where npm's linked reify runs them. */
export function storeScriptNodes(isolated: readonly IsolatedNode[]): Node[] {
  return isolated.filter((n) => n.isInStore && !n.isLink && n.hasInstallScript) as unknown as Node[];
}

function sameAllowed(a: AllowedExtraction | AllowedSource | null, b: AllowedExtraction | AllowedSource): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === 'verified' ? a.integrity === (b as AllowedExtraction).integrity : a.spec === (b as AllowedSource).spec;
}

const sourceKey = (name: string, version: string, resolved: string | undefined): string => `${name}@${version} ${resolved ?? ''}`;
const packageName = (node: IsolatedNode): string => (typeof node.package['name'] === 'string' ? node.package['name'] : node.name);
const version = (node: IsolatedNode): string => (typeof node.package['version'] === 'string' ? node.package['version'] : '');
