// lib/patches/arborist/named-edge-reload.ts: with the indexed walk installed, arborist reloads the same edges, in
// the same order, and ends with the same graph as with its own walk: when loading real lockfiles, when
// nodes are added, moved with their children, and removed afterwards.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { afterEach, describe, expect, it } from 'vitest';
import {
  arboristReloadClasses,
  arboristReloadNamedEdges,
  installNamedEdgeReload,
  probeNamedEdgeReload,
  type ReloadClasses,
} from '../../../../lib/patches/arborist/named-edge-reload.js';
import { patchNotes } from '../../../../lib/patches/index.js';

const installedOnArborist = installNamedEdgeReload(); // the probe ran on the arborist vouch runs

interface GraphNode extends Node {
  parent: GraphNode | null;
  root: GraphNode;
  children: Map<string, GraphNode>;
}
interface GraphEdge {
  readonly from: GraphNode | null;
  readonly name: string;
  readonly to: GraphNode | null;
  readonly valid: boolean;
  readonly error: string | null;
  reload(hard?: boolean): void;
}
type NodeConstructor = new (options: { pkg: Record<string, unknown>; parent: Node }) => GraphNode;

const arboristRequire = createRequire(import.meta.url);
const ArboristNode = arboristRequire('@npmcli/arborist/lib/node.js') as NodeConstructor;
const EdgeClass = arboristRequire('@npmcli/arborist/lib/edge.js') as { prototype: GraphEdge };
const nodePrototype = ArboristNode.prototype as unknown as Record<symbol, unknown>;
const reloadKey = Object.getOwnPropertySymbols(nodePrototype).find((key) => key.description === '_reloadNamedEdges')!;
const indexedReload = nodePrototype[reloadKey];

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const lockfiles = {
  // the project's own package-lock.json: real, ~500 packages from the npm registry, some nested
  vouch: here('../../../../'),
  // workspaces, links and file: dependencies (fsChildren)
  mixedSources: here('../../../../fixtures/lockfiles/mixed-sources/'),
  bundled: here('../../../../fixtures/lockfiles/bundled/'),
};

type Walk = 'indexed' | 'arborist';

/** Every edge reload during `work`, as "from>name", with the given walk installed. */
async function reloadsDuring<T>(walk: Walk, work: () => Promise<T>): Promise<{ result: T; reloads: string[] }> {
  nodePrototype[reloadKey] = walk === 'indexed' ? indexedReload : arboristReloadNamedEdges;
  const reload = EdgeClass.prototype.reload;
  const reloads: string[] = [];
  EdgeClass.prototype.reload = function logged(this: GraphEdge, hard?: boolean) {
    reloads.push(`${this.from?.location ?? '?'}>${this.name}${hard ? '!' : ''}`);
    reload.call(this, hard);
  };
  try {
    return { result: await work(), reloads };
  } finally {
    EdgeClass.prototype.reload = reload;
    nodePrototype[reloadKey] = indexedReload;
  }
}

/** Every node's edges out (with resolution and validity) and edges in (in their Set's order). */
function graphOf(tree: Tree): string[] {
  const lines: string[] = [];
  for (const node of tree.inventory.values() as IterableIterator<GraphNode>) {
    const edgesOut = node.edgesOut as unknown as Map<string, GraphEdge>;
    const edgesIn = node.edgesIn as unknown as Set<GraphEdge>;
    for (const edge of edgesOut.values()) lines.push(`${node.location} -${edge.name}-> ${edge.to?.location ?? 'MISSING'} ${edge.valid} ${edge.error}`);
    lines.push(`${node.location} <- ${[...edgesIn].map((edge) => `${edge.from?.location}:${edge.name}`).join(',')}`);
  }
  return lines;
}

const loadVirtual = (path: string) => new Arborist({ path }).loadVirtual() as Promise<Tree>;

afterEach(() => {
  nodePrototype[reloadKey] = indexedReload;
});

describe('named-edge reloads with the index', () => {
  it('loads real lockfiles with the same reloads, in the same order, and the same graph', async () => {
    for (const [name, path] of Object.entries(lockfiles)) {
      const arborist = await reloadsDuring('arborist', () => loadVirtual(path));
      const indexed = await reloadsDuring('indexed', () => loadVirtual(path));
      expect(indexed.reloads, name).toEqual(arborist.reloads);
      expect(graphOf(indexed.result), name).toEqual(graphOf(arborist.result));
      // Not vacuous: loading resolves edges through these reloads.
      expect(arborist.reloads.filter((r) => r.endsWith('!')).length, name).toBeGreaterThan(0);
    }
  });

  it('matches arborist when nodes are added, moved with their children, and removed', async () => {
    const edit = async (walk: Walk) =>
      reloadsDuring(walk, async () => {
        const tree = (await loadVirtual(lockfiles.vouch)) as unknown as GraphNode;
        const nodes = [...tree.inventory.values()] as GraphNode[];
        const nested = nodes.find((n) => n.parent && n.parent !== tree && n.parent.parent === tree)!;
        const carrier = nested.parent!;
        const dependent = nodes.find((n) => n !== carrier && (n.edgesOut as Map<string, unknown>).has(carrier.name))!;
        // a new package at the top that the carrier's dependents now resolve to, with a child of its own
        const shadow = new ArboristNode({ pkg: { name: `${carrier.name}-shadow`, version: '1.0.0', dependencies: { [nested.name]: '*' } }, parent: tree });
        new ArboristNode({ pkg: { name: nested.name, version: '9.9.9' }, parent: shadow });
        // move the carrier, children and all, under a dependent; then drop a top-level package
        carrier.parent = dependent;
        nodes.find((n) => n.parent === tree && n !== carrier && n !== shadow && n !== dependent)!.root = null as never;
        // bring in a package from another tree whose child depends back on it: while it moves, the child is
        // attached to this tree before it is in this tree's inventory
        const other = (await loadVirtual(lockfiles.mixedSources)) as unknown as GraphNode;
        const cycleA = new ArboristNode({ pkg: { name: 'cycle-a', version: '1.0.0', dependencies: { 'cycle-b': '*' } }, parent: other });
        new ArboristNode({ pkg: { name: 'cycle-b', version: '1.0.0', dependencies: { 'cycle-a': '*' } }, parent: cycleA });
        cycleA.parent = shadow;
        return tree as unknown as Tree;
      });
    const arborist = await edit('arborist');
    const indexed = await edit('indexed');
    expect(indexed.reloads).toEqual(arborist.reloads);
    expect(graphOf(indexed.result)).toEqual(graphOf(arborist.result));
  });

  it('reaches the dependents of a package placed at the top without looking at the whole tree', async () => {
    const caseInsensitiveMap = (arboristRequire('@npmcli/arborist/lib/case-insensitive-map.js') as { prototype: Map<string, unknown> }).prototype;
    const place = async (walk: Walk) => {
      const tree = (await loadVirtual(lockfiles.vouch)) as unknown as GraphNode;
      const top = [...tree.children.values()].find((n) => n.edgesIn.size > 1 && !n.isLink)!;
      const { name, version } = top.package as { name: string; version: string };
      top.root = null as never;
      const get = caseInsensitiveMap.get;
      let lookups = 0;
      caseInsensitiveMap.get = function counted(this: Map<string, unknown>, key: string) {
        lookups++;
        return get.call(this, key);
      };
      try {
        const { reloads } = await reloadsDuring(walk, async () => new ArboristNode({ pkg: { name, version }, parent: tree }));
        return { reloads, lookups, graph: graphOf(tree as unknown as Tree), size: tree.inventory.size };
      } finally {
        caseInsensitiveMap.get = get;
      }
    };
    const arborist = await place('arborist');
    const indexed = await place('indexed');
    expect(indexed.reloads).toEqual(arborist.reloads);
    expect(indexed.graph).toEqual(arborist.graph);
    expect(indexed.reloads.length).toBeGreaterThan(1); // its dependents were missing it, and now resolve
    expect(arborist.lookups).toBeGreaterThan(indexed.size); // arborist looks at every node
    expect(indexed.lookups).toBeLessThan(indexed.size / 10);
  });
});

/** A copy of arborist's Node and Inventory classes, as shipped (the walk unpatched), with `edit` applied to Node's prototype. */
function arboristCopy(edit: (prototype: Record<string | symbol, unknown>) => void = () => undefined): ReloadClasses {
  const real = arboristReloadClasses();
  const node = Object.defineProperties({}, Object.getOwnPropertyDescriptors(real.Node.prototype)) as Record<string | symbol, unknown>;
  node[reloadKey] = arboristReloadNamedEdges;
  edit(node);
  const inventory = Object.defineProperties({}, Object.getOwnPropertyDescriptors(real.Inventory.prototype));
  return {
    Node: { prototype: node as unknown as ReloadClasses['Node']['prototype'] },
    Inventory: { prototype: inventory as ReloadClasses['Inventory']['prototype'] },
  };
}

describe('the probe', () => {
  it('recognises the installed arborist, which then runs the indexed walk', () => {
    expect(installedOnArborist).toBe(true);
    expect(probeNamedEdgeReload(arboristCopy())).toBeNull();
    expect(indexedReload).not.toBe(arboristReloadNamedEdges);
  });

  it('declines an arborist whose walk changed, leaving its classes alone and noting why', () => {
    const changed = function reloadNamedEdges(this: unknown, name: string) {
      return name;
    };
    const copy = arboristCopy((prototype) => {
      prototype[reloadKey] = changed;
    });
    const addEdgeOut = copy.Node.prototype.addEdgeOut;
    expect(installNamedEdgeReload(copy)).toBe(false);
    expect((copy.Node.prototype as unknown as Record<symbol, unknown>)[reloadKey]).toBe(changed);
    expect(copy.Node.prototype.addEdgeOut).toBe(addEdgeOut);
    expect(patchNotes()).toContainEqual({ patch: 'arborist/named-edge-reload', reason: expect.stringContaining('not a version checked') });
  });

  it('declines an arborist without the walk', () => {
    const copy = arboristCopy((prototype) => {
      delete prototype[reloadKey];
    });
    expect(probeNamedEdgeReload(copy)).toBe('Node has no _reloadNamedEdges method');
    expect(installNamedEdgeReload(copy)).toBe(false);
  });
});
