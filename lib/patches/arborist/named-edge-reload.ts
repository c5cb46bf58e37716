// Replaces @npmcli/arborist's Node.prototype[_reloadNamedEdges] (lib/node.js) with an indexed walk, and
// wraps Inventory.add, Node.addEdgeOut and the Node root setter to keep the index. Checked against
// arborist 9.9.3.
//
// When arborist places a node named N under a parent P, it calls P[_reloadNamedEdges](N): a walk of
// P's whole subtree (children, then fsChildren, depth first) that looks up an edge named N at every
// node (a case-insensitive, NFKD-normalising lookup) and reloads the ones whose resolution may have
// changed. Placing a package at the top walks the whole tree, so loading a lockfile is quadratic: on a
// 5,000-package tree, 3.1 s of loadVirtual's 3.7 s (a CPU profile of `vouch verify`; npm ci and
// `npm audit signatures` pay it too), against 0.1 s at 1,000.
//
// Only nodes with an edge named N can do anything in that walk. vouch keeps, per tree (its inventory),
// which nodes have an edge out of each name, visits those of them that are in P's subtree, in the
// order the walk would reach them, and applies arborist's own test and reload to each. The index is
// built from the inventory when first needed, then kept up to date as nodes join the inventory and as
// edges are added. It may name nodes that left or lost the edge; those are filtered out on use.
//
// The index only knows nodes in the inventory. While arborist moves a node that carries children into
// a new tree, those children are attached before they are in its inventory, so for the duration of
// such a move every walk is arborist's own.
//
// Probe: the walk's source is one of the versions checked (a digest: the indexed walk repeats its test
// and its order), and Node has addEdgeOut and a root accessor, Inventory an add method. Otherwise
// arborist's own walk runs and --verbose says so.
//
// test/unit/patches/arborist/named-edge-reload.test.ts loads real lockfiles with and without the fast
// path and compares every edge's resolution and the order of every reload.
import { notePatchDeclined, sourceDigest } from '../notes.js';
import { arboristRequire } from './require.js';

interface Edge {
  readonly name: string;
  readonly to: ArboristNode | null;
  reload(this: Edge, hard?: boolean): void;
}

interface ArboristNode {
  readonly name: string;
  readonly location: string;
  readonly root: ArboristNode;
  readonly parent: ArboristNode | null;
  readonly fsParent: ArboristNode | null;
  readonly inventory: Inventory;
  readonly children: Map<string, ArboristNode>;
  readonly fsChildren: Set<ArboristNode>;
  readonly edgesOut: Map<string, Edge>;
  resolve(this: ArboristNode, name: string): ArboristNode | null;
  addEdgeOut(this: ArboristNode, edge: Edge): void;
}

interface Inventory {
  get(location: string): ArboristNode | undefined;
  values(): IterableIterator<ArboristNode>;
  add(this: Inventory, node: ArboristNode): unknown;
}

type ReloadNamedEdges = (this: ArboristNode, name: string, rootLoc?: string) => void;

/** The arborist classes the indexed walk changes (the real ones, or a copy in tests). */
export interface ReloadClasses {
  Node: { prototype: ArboristNode };
  Inventory: { prototype: Inventory };
}

const PATCH = 'arborist/named-edge-reload';
/** Digests (sourceDigest) of Node.prototype[_reloadNamedEdges] in the arborist versions checked: 9.9.3. */
const CHECKED_WALK = new Set(['ef081b353c69eec4']);

/** arborist's own classes, as the arborist vouch runs loads them. */
export function arboristReloadClasses(): ReloadClasses {
  return { Node: arboristRequire('./node.js') as ReloadClasses['Node'], Inventory: arboristRequire('./inventory.js') as ReloadClasses['Inventory'] };
}

// arborist names the method with a module-private Symbol('_reloadNamedEdges'); its description finds it.
function reloadKeyOf(prototype: object): symbol | undefined {
  return Object.getOwnPropertySymbols(prototype).find((key) => key.description === '_reloadNamedEdges');
}

function walkOf(prototype: object): { key: symbol; walk: ReloadNamedEdges } | undefined {
  const key = reloadKeyOf(prototype);
  const walk = key === undefined ? undefined : (prototype as Record<symbol, unknown>)[key];
  return key !== undefined && typeof walk === 'function' ? { key, walk: walk as ReloadNamedEdges } : undefined;
}

/** The walk as arborist ships it, kept for the equivalence tests. */
export const arboristReloadNamedEdges: ReloadNamedEdges | undefined = walkOf(arboristReloadClasses().Node.prototype)?.walk;

/** Why the indexed walk cannot be installed on `classes`, or null when their internals are the ones checked. */
export function probeNamedEdgeReload(classes: ReloadClasses): string | null {
  const found = walkOf(classes.Node.prototype);
  if (!found) return 'Node has no _reloadNamedEdges method';
  const digest = sourceDigest(found.walk);
  if (!CHECKED_WALK.has(digest!)) return `Node[_reloadNamedEdges] is not a version checked (digest ${digest})`;
  const rootProperty = Object.getOwnPropertyDescriptor(classes.Node.prototype, 'root');
  if (!rootProperty?.get || !rootProperty.set) return 'Node has no root accessor';
  if (typeof classes.Node.prototype.addEdgeOut !== 'function') return 'Node has no addEdgeOut method';
  if (typeof classes.Inventory.prototype.add !== 'function') return 'Inventory has no add method';
  return null;
}

/** arborist's case-insensitive map key (lib/case-insensitive-map.js). */
function foldName(name: string): string {
  return name.normalize('NFKD').toLowerCase();
}

/** Per inventory: folded edge name → nodes that had an edge out of that name while in it. */
const edgeSources = new WeakMap<Inventory, Map<string, Set<ArboristNode>>>();

function addSource(index: Map<string, Set<ArboristNode>>, edgeName: string, node: ArboristNode): void {
  const key = foldName(edgeName);
  let nodes = index.get(key);
  if (!nodes) index.set(key, (nodes = new Set()));
  nodes.add(node);
}

function sourcesIn(inventory: Inventory): Map<string, Set<ArboristNode>> {
  let index = edgeSources.get(inventory);
  if (!index) {
    index = new Map();
    for (const node of inventory.values()) {
      for (const edgeName of node.edgesOut.keys()) addSource(index, edgeName, node);
    }
    edgeSources.set(inventory, index);
  }
  return index;
}

/** Moves of a node that carries children into another tree, in progress. */
let familyMoves = 0;

/**
 * `node`'s ancestors below `top`, outermost first, ending with `node`; `[]` when node is top, null
 * when the walk from top does not reach node.
 */
function pathBelow(top: ArboristNode, node: ArboristNode): ArboristNode[] | null {
  const path: ArboristNode[] = [];
  for (let current = node; current !== top; ) {
    path.push(current);
    const parent = current.parent;
    const up = parent && parent.children.get(current.name) === current ? parent : current.fsParent?.fsChildren.has(current) ? current.fsParent : null;
    if (!up) return null;
    current = up;
  }
  return path.reverse();
}

/** Each given child of `parent` → its position in the walk's order (children, then fsChildren). */
function siblingOrder(parent: ArboristNode, wanted: Set<ArboristNode>): Map<ArboristNode, number> {
  const order = new Map<ArboristNode, number>();
  let position = 0;
  for (const sibling of parent.children.values()) {
    if (wanted.has(sibling)) order.set(sibling, position);
    position++;
    if (order.size === wanted.size) return order;
  }
  for (const sibling of parent.fsChildren) {
    if (wanted.has(sibling)) order.set(sibling, position);
    position++;
  }
  return order;
}

/** Sorts paths (from pathBelow) into the depth-first order of the walk from `top`. */
function sortInWalkOrder(top: ArboristNode, paths: ArboristNode[][]): void {
  const orders = new Map<ArboristNode, Map<ArboristNode, number>>();
  const siblingsUnder = new Map<ArboristNode, Set<ArboristNode>>();
  for (const path of paths) {
    path.forEach((node, depth) => {
      const parent = depth === 0 ? top : path[depth - 1]!;
      let siblings = siblingsUnder.get(parent);
      if (!siblings) siblingsUnder.set(parent, (siblings = new Set()));
      siblings.add(node);
    });
  }
  const positionUnder = (parent: ArboristNode, node: ArboristNode): number => {
    let order = orders.get(parent);
    if (!order) orders.set(parent, (order = siblingOrder(parent, siblingsUnder.get(parent)!)));
    return order.get(node)!;
  };
  paths.sort((a, b) => {
    const shared = Math.min(a.length, b.length);
    for (let depth = 0; depth < shared; depth++) {
      if (a[depth] !== b[depth]) {
        const parent = depth === 0 ? top : a[depth - 1]!;
        return positionUnder(parent, a[depth]!) - positionUnder(parent, b[depth]!);
      }
    }
    return a.length - b.length;
  });
}

/** The indexed walk; `arboristWalk` for the cases the index does not cover. */
function reloadNamedEdgesIndexed(arboristWalk: ReloadNamedEdges): ReloadNamedEdges {
  return function reloadIndexed(this: ArboristNode, name: string, rootLoc: string = this.location): void {
    const inventory = this.root.inventory;
    if (familyMoves > 0 || typeof name !== 'string' || inventory.get(this.location) !== this) {
      arboristWalk.call(this, name, rootLoc);
      return;
    }
    reloadFromIndex(this, inventory, name, rootLoc);
  };
}

function reloadFromIndex(top: ArboristNode, inventory: Inventory, name: string, rootLoc: string): void {
  const sources = sourcesIn(inventory).get(foldName(name));
  if (!sources) return;
  const paths: ArboristNode[][] = [];
  for (const node of sources) {
    if (!node.edgesOut.get(name)) continue;
    const path = pathBelow(top, node);
    if (path) paths.push(path);
  }
  if (paths.length > 1) sortInWalkOrder(top, paths);
  for (const path of paths) {
    const node = path.length === 0 ? top : path[path.length - 1]!;
    // arborist's test and reload, as in its walk (lib/node.js [_reloadNamedEdges])
    const edge = node.edgesOut.get(name)!;
    const rootLocResolved = edge.to && edge.to.location === `${rootLoc}/node_modules/${edge.name}`;
    const sameResolved = node.resolve(name) === edge.to;
    if (rootLocResolved || !sameResolved) edge.reload(true);
  }
}

const installedOn = new WeakSet<object>();

/**
 * Installs the indexed walk in `classes` (arborist's own by default) when the probe recognises them;
 * otherwise leaves them alone and notes why. Idempotent; returns whether the indexed walk is in place.
 */
export function installNamedEdgeReload(classes: ReloadClasses = arboristReloadClasses()): boolean {
  const { Node, Inventory } = classes;
  if (installedOn.has(Node.prototype)) return true;
  const declined = probeNamedEdgeReload(classes);
  if (declined !== null) {
    notePatchDeclined(PATCH, declined);
    return false;
  }
  installedOn.add(Node.prototype);
  const { key, walk } = walkOf(Node.prototype)!;
  const rootProperty = Object.getOwnPropertyDescriptor(Node.prototype, 'root')!;

  const add = Inventory.prototype.add;
  Inventory.prototype.add = function addIndexing(this: Inventory, node: ArboristNode) {
    const result = add.call(this, node);
    const index = edgeSources.get(this);
    if (index) for (const edgeName of node.edgesOut.keys()) addSource(index, edgeName, node);
    return result;
  };
  const addEdgeOut = Node.prototype.addEdgeOut;
  Node.prototype.addEdgeOut = function addEdgeOutIndexing(this: ArboristNode, edge: Edge) {
    addEdgeOut.call(this, edge);
    const index = edgeSources.get(this.root.inventory);
    if (index) addSource(index, edge.name, this);
  };
  const setRoot = rootProperty.set!;
  Object.defineProperty(Node.prototype, 'root', {
    ...rootProperty,
    set(this: ArboristNode, root: ArboristNode | null) {
      const carriesFamily = this.children.size > 0 || this.fsChildren.size > 0;
      if (carriesFamily) familyMoves++;
      try {
        setRoot.call(this, root);
      } finally {
        if (carriesFamily) familyMoves--;
      }
    },
  });
  (Node.prototype as unknown as Record<symbol, ReloadNamedEdges>)[key] = reloadNamedEdgesIndexed(walk);
  return true;
}
