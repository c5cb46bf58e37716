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
// test/unit/tree/bundler-fast-path.test.ts compares the answers with arborist's on real trees.
import { arboristRequire } from './arborist-require.js';

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

interface NodeClass {
  prototype: ArboristNode;
}

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

const Node = arboristRequire('./node.js') as NodeClass;
const InventoryClass = arboristRequire('./inventory.js') as { prototype: Inventory };

/** Node.prototype.getBundler as arborist ships it, kept for the equivalence tests. */
export const arboristGetBundler: ArboristNode['getBundler'] = Node.prototype.getBundler;

function getBundlerFast(this: ArboristNode, path?: unknown): ArboristNode | null {
  // Only the outermost call decides; arborist's recursion (with its `path`) runs unchanged.
  if (path === undefined && !treeMayBundle(this.root)) return null;
  return arboristGetBundler.call(this, path);
}

let installed = false;

/** Installs the fast path in the arborist vouch loads. Idempotent. */
export function installBundlerFastPath(): void {
  if (installed) return;
  installed = true;
  const add = InventoryClass.prototype.add;
  InventoryClass.prototype.add = function addNoting(this: Inventory, node: ArboristNode) {
    const result = add.call(this, node);
    noteBundles(this, node.package);
    return result;
  };
  const packageProperty = Object.getOwnPropertyDescriptor(Node.prototype, 'package');
  if (!packageProperty?.get || !packageProperty.set) throw new Error('arborist Node has no package accessor: the bundler fast path needs updating');
  const setPackage = packageProperty.set;
  Object.defineProperty(Node.prototype, 'package', {
    ...packageProperty,
    set(this: ArboristNode, pkg: unknown) {
      setPackage.call(this, pkg);
      noteBundles(this.root.inventory, pkg);
    },
  });
  Node.prototype.getBundler = getBundlerFast;
}
