// Replaces @npmcli/arborist's Node.prototype.getBundler (lib/node.js), and notes bundleDependencies as
// nodes join an Inventory or get a package. Checked against arborist 9.9.3.
//
// arborist's Node.getBundler answers "which package bundles this node?" (inBundle, inDepBundle). It walks
// the node's parent and, recursively, every package that depends on it, checking each parent's
// bundleDependencies, and remembers what it visited in an array it searches on every step. Edge checks,
// the diff, reify and the lockfile save call it for every node, several times: on a 5,000-package
// tree, 93 s of `vouch ci`'s 156 s (a CPU profile; npm ci spends the same), growing with the cube of
// the tree size.
//
// The walk can only find a bundler when some package of that tree lists bundleDependencies, which most
// trees never do. This answers null at once for such trees, and leaves every other call to arborist's
// own method, so every answer is the one arborist gives. Per tree (its inventory), vouch knows whether
// any member's package lists bundleDependencies: scanned once when first asked, then kept up to date
// as nodes join the inventory or get a new package. The root's own list is read on every call, since
// `npm install --save-bundle` edits it in place (the only other in-place edit, `npm audit fix`'s, which
// vouch never runs, assigns the package again afterwards).
//
// Probe: getBundler's source is one of the versions checked (a digest; the fast path relies on its logic
// reading nothing but bundleDependencies), and Node has a package accessor and Inventory an add method.
// Otherwise arborist's own getBundler runs and --verbose says so.
//
// test/unit/patches/arborist/bundler-fast-path.test.ts compares the answers with arborist's on real trees.
import { notePatchDeclined, sourceDigest } from '../notes.js';
import { arboristRequire } from './require.js';

interface ArboristNode {
  readonly root: ArboristNode;
  readonly inventory: Inventory;
  readonly package: unknown;
  getBundler(this: ArboristNode, path?: unknown): ArboristNode | null;
}

interface Inventory {
  values(): IterableIterator<ArboristNode>;
  add(this: Inventory, node: ArboristNode): unknown;
}

/** The arborist classes the fast path changes (the real ones, or a copy in tests). */
export interface BundlerClasses {
  Node: { prototype: ArboristNode };
  Inventory: { prototype: Inventory };
}

const PATCH = 'arborist/bundler-fast-path';
/** Digests (sourceDigest) of Node.prototype.getBundler in the arborist versions checked: 9.9.3. */
const CHECKED_GET_BUNDLER = new Set(['faa54cee2b096838']);

/** Whether a package's bundleDependencies can name anything: the only test getBundler makes of it. */
function listsBundles(pkg: unknown): boolean {
  const bundled = typeof pkg === 'object' && pkg !== null ? (pkg as { bundleDependencies?: unknown }).bundleDependencies : undefined;
  return Array.isArray(bundled) && bundled.length > 0;
}

/** Per inventory: does a member's package list bundleDependencies? Absent until first asked. */
const bundling = new WeakMap<Inventory, boolean>();

function treeMayBundle(root: ArboristNode): boolean {
  if (listsBundles(root.package)) return true;
  let known = bundling.get(root.inventory);
  if (known === undefined) {
    known = false;
    for (const node of root.inventory.values()) {
      if (listsBundles(node.package)) {
        known = true;
        break;
      }
    }
    bundling.set(root.inventory, known);
  }
  return known;
}

/** A node joined `inventory`, or got a new package while in it. */
function noteBundles(inventory: Inventory | undefined, pkg: unknown): void {
  if (inventory && bundling.get(inventory) === false && listsBundles(pkg)) bundling.set(inventory, true);
}

/** arborist's own classes, as the arborist vouch runs loads them. */
export function arboristBundlerClasses(): BundlerClasses {
  return { Node: arboristRequire('./node.js') as BundlerClasses['Node'], Inventory: arboristRequire('./inventory.js') as BundlerClasses['Inventory'] };
}

/** Node.prototype.getBundler as arborist ships it, kept for the equivalence tests. */
export const arboristGetBundler: ArboristNode['getBundler'] = arboristBundlerClasses().Node.prototype.getBundler;

/** Why the fast path cannot be installed on `classes`, or null when their internals are the ones checked. */
export function probeBundlerFastPath(classes: BundlerClasses): string | null {
  const digest = sourceDigest(classes.Node.prototype.getBundler);
  if (digest === null || !CHECKED_GET_BUNDLER.has(digest)) return `Node.getBundler is not a version checked (digest ${digest ?? 'none'})`;
  const packageProperty = Object.getOwnPropertyDescriptor(classes.Node.prototype, 'package');
  if (!packageProperty?.get || !packageProperty.set) return 'Node has no package accessor';
  if (typeof classes.Inventory.prototype.add !== 'function') return 'Inventory has no add method';
  return null;
}

const installedOn = new WeakSet<object>();

/**
 * Installs the fast path in `classes` (arborist's own by default) when the probe recognises them;
 * otherwise leaves them alone and notes why. Idempotent; returns whether the fast path is in place.
 */
export function installBundlerFastPath(classes: BundlerClasses = arboristBundlerClasses()): boolean {
  const { Node, Inventory } = classes;
  if (installedOn.has(Node.prototype)) return true;
  const declined = probeBundlerFastPath(classes);
  if (declined !== null) {
    notePatchDeclined(PATCH, declined);
    return false;
  }
  installedOn.add(Node.prototype);
  const getBundler = Node.prototype.getBundler;
  const add = Inventory.prototype.add;
  Inventory.prototype.add = function addNoting(this: Inventory, node: ArboristNode) {
    const result = add.call(this, node);
    noteBundles(this, node.package);
    return result;
  };
  const packageProperty = Object.getOwnPropertyDescriptor(Node.prototype, 'package')!;
  const setPackage = packageProperty.set!;
  Object.defineProperty(Node.prototype, 'package', {
    ...packageProperty,
    set(this: ArboristNode, pkg: unknown) {
      setPackage.call(this, pkg);
      noteBundles(this.root.inventory, pkg);
    },
  });
  Node.prototype.getBundler = function getBundlerFast(this: ArboristNode, path?: unknown): ArboristNode | null {
    // Only the outermost call decides; arborist's recursion (with its `path`) runs unchanged.
    if (path === undefined && !treeMayBundle(this.root)) return null;
    return getBundler.call(this, path);
  };
  return true;
}
