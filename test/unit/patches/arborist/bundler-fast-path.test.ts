// lib/patches/arborist/bundler-fast-path.ts: with the fast path installed, every node's getBundler() is what
// arborist's own method answers: on a real lockfile without bundles, on a tree with a dependency
// bundle, and after a tree gains a bundling package (a new package on a node, a new node, the root's
// list edited in place) once the fast path has already answered "no bundles" for it.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { describe, expect, it } from 'vitest';
import {
  arboristBundlerClasses,
  arboristGetBundler,
  installBundlerFastPath,
  probeBundlerFastPath,
  type BundlerClasses,
} from '../../../../lib/patches/arborist/bundler-fast-path.js';
import { patchNotes } from '../../../../lib/patches/index.js';

const installedOnArborist = installBundlerFastPath(); // the probe ran on the arborist vouch runs

interface BundlerNode extends Node {
  getBundler(): BundlerNode | null;
  parent: BundlerNode | null;
}
type NodeConstructor = new (options: { pkg: Record<string, unknown>; parent: Node }) => BundlerNode;
const ArboristNode = createRequire(import.meta.url)('@npmcli/arborist/lib/node.js') as NodeConstructor;

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const lockfiles = {
  // the project's own package-lock.json: real, ~500 packages from the npm registry, no bundles
  vouch: here('../../../../'),
  bundled: here('../../../../fixtures/lockfiles/bundled/'),
  mixedSources: here('../../../../fixtures/lockfiles/mixed-sources/'),
};

const loadVirtual = (path: string) => new Arborist({ path }).loadVirtual() as Promise<Tree>;
const nodesOf = (tree: Tree) => [...tree.inventory.values()] as BundlerNode[];
const arboristAnswer = (node: BundlerNode) => arboristGetBundler.call(node as never) as BundlerNode | null;

/** location → bundler location (or null), as the installed method and as arborist's own method answer. */
function answers(tree: Tree): { fast: Record<string, string | null>; arborist: Record<string, string | null> } {
  const fast: Record<string, string | null> = {};
  const arborist: Record<string, string | null> = {};
  for (const node of nodesOf(tree)) {
    fast[node.location] = node.getBundler()?.location ?? null;
    arborist[node.location] = arboristAnswer(node)?.location ?? null;
  }
  return { fast, arborist };
}

describe('getBundler with the fast path', () => {
  it('answers as arborist on every node of real and bundling lockfiles', async () => {
    for (const [name, path] of Object.entries(lockfiles)) {
      const tree = await loadVirtual(path);
      const { fast, arborist } = answers(tree);
      expect(fast, name).toEqual(arborist);
      expect(Object.keys(fast).length, name).toBeGreaterThan(2);
    }
    const bundled = answers(await loadVirtual(lockfiles.bundled)).fast;
    // Not vacuous: the bundled copy is found, the registry copy of the same package is not.
    expect(bundled['node_modules/has-bundle/node_modules/inner']).toBe('node_modules/has-bundle');
    expect(bundled['node_modules/inner']).toBeNull();
  });

  it('sees a package that starts bundling after the tree was judged bundle-free', async () => {
    const tree = await loadVirtual(lockfiles.vouch);
    const nested = nodesOf(tree).find((n) => n.parent && !n.parent.isProjectRoot)!;
    const parent = nested.parent!;
    expect(nested.getBundler()).toBeNull(); // the fast path has judged this tree

    parent.package = { ...parent.package, bundleDependencies: [nested.name] };
    expect(nested.getBundler()).toBe(parent);
    expect(answers(tree).fast).toEqual(answers(tree).arborist);
  });

  it('sees a bundling node added to a tree judged bundle-free', async () => {
    const tree = await loadVirtual(lockfiles.mixedSources);
    expect(nodesOf(tree).every((n) => n.getBundler() === null)).toBe(true);

    const bundler = new ArboristNode({ pkg: { name: 'new-bundler', version: '1.0.0', bundleDependencies: ['carried'] }, parent: tree });
    const carried = new ArboristNode({ pkg: { name: 'carried', version: '1.0.0' }, parent: bundler });
    expect(carried.getBundler()).toBe(bundler);
    expect(answers(tree).fast).toEqual(answers(tree).arborist);
  });

  it("sees the root's bundleDependencies edited in place (npm install --save-bundle)", async () => {
    const tree = await loadVirtual(lockfiles.mixedSources);
    const top = nodesOf(tree).find((n) => n.parent === (tree as unknown as BundlerNode) && !n.isLink)!;
    expect(top.getBundler()).toBeNull();

    tree.package.bundleDependencies = [top.name];
    expect(top.getBundler()).toBe(tree);
    expect(answers(tree).fast).toEqual(answers(tree).arborist);
  });
});

/** A copy of arborist's Node and Inventory classes, as shipped (getBundler unpatched), with `edit` applied to Node's prototype. */
function arboristCopy(edit: (prototype: Record<string, unknown>) => void = () => undefined): BundlerClasses {
  const real = arboristBundlerClasses();
  const node = Object.defineProperties({}, Object.getOwnPropertyDescriptors(real.Node.prototype)) as Record<string, unknown>;
  node['getBundler'] = arboristGetBundler;
  edit(node);
  const inventory = Object.defineProperties({}, Object.getOwnPropertyDescriptors(real.Inventory.prototype));
  return {
    Node: { prototype: node as unknown as BundlerClasses['Node']['prototype'] },
    Inventory: { prototype: inventory as BundlerClasses['Inventory']['prototype'] },
  };
}

describe('the probe', () => {
  it('recognises the installed arborist, which then runs the fast path', () => {
    expect(installedOnArborist).toBe(true);
    expect(probeBundlerFastPath(arboristCopy())).toBeNull();
    expect(arboristBundlerClasses().Node.prototype.getBundler).not.toBe(arboristGetBundler);
  });

  it('declines an arborist whose getBundler changed, leaving its classes alone and noting why', () => {
    const changed = function getBundler(this: unknown, path: unknown = []) {
      return path === null ? this : null;
    };
    const copy = arboristCopy((prototype) => {
      prototype['getBundler'] = changed;
    });
    const addBefore = copy.Inventory.prototype.add;
    expect(installBundlerFastPath(copy)).toBe(false);
    expect(copy.Node.prototype.getBundler).toBe(changed);
    expect(copy.Inventory.prototype.add).toBe(addBefore);
    expect(patchNotes()).toContainEqual({ patch: 'arborist/bundler-fast-path', reason: expect.stringContaining('not a version checked') });
  });

  it('declines an arborist whose Node has no package accessor', () => {
    const copy = arboristCopy((prototype) => {
      Object.defineProperty(prototype, 'package', { value: {}, writable: true });
    });
    expect(probeBundlerFastPath(copy)).toBe('Node has no package accessor');
    expect(installBundlerFastPath(copy)).toBe(false);
  });
});
