// What reify will write, computed with arborist's own Diff over the same tree and the same options
// reify is given: every node it extracts and every link it creates, after npm's omit, platform (inert
// optional nodes) and bundle filtering. The diff is taken against an empty node_modules, as `npm ci`
// starts from one, so it is the whole install (a superset of what `npm install` changes on disk).
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { arboristRequire } from '../patches/arborist/require.js';

interface Diff {
  action: 'ADD' | 'CHANGE' | 'REMOVE' | null;
  ideal: Node | null;
  children: Diff[];
}

interface DiffClass {
  calculate(options: { actual: Node; ideal: Tree; filterNodes: Node[]; shrinkwrapInflated: Set<Node>; omit: Set<string> }): Diff;
}

const Diff = arboristRequire('./diff.js') as DiffClass;

/** The arborist options the plan depends on, read from the instance that will reify. */
export interface PlanOptions {
  omit: readonly string[];
  /** Workspace names selected with `--workspace` (none: every workspace and the root). */
  workspaces: readonly string[];
  workspacesEnabled: boolean;
  includeWorkspaceRoot: boolean;
}

/**
 * What vouch learnt from verified tarballs that changes the plan, as reify learns it: the nodes whose
 * npm-shrinkwrap.json vouch has read into the tree (reify: #shrinkwrapInflated).
 *
 * Bundles need nothing here: a node a dependency bundles is never fetched on its own when node_modules
 * starts empty (arborist's Diff gives it no action). Only `npm install` over an older node_modules
 * fetches a bundled node its bundler's tarball lacks (reify: #bundleMissing); the reify boundary
 * (lib/tree/reify-boundary.ts) refuses such bytes, which vouch never verified.
 */
export interface PlanState {
  inflated: ReadonlySet<Node>;
}

export interface InstallPlan {
  /** Nodes reify extracts into their folder: registry, git, remote and file tarballs, packed directories. */
  extracted: Node[];
  /** Links reify creates: symlinks to workspaces or other folders. */
  links: Node[];
  /** Extracted nodes whose dependency shrinkwrap reify reads before their children are known. */
  shrinkwrapped: Node[];
}

/** arborist's reify options for the plan, from the arborist that will reify and the omit list it gets. */
export function planOptions(arb: Arborist, omit: readonly string[]): PlanOptions {
  // install-strategy=linked installs the same packages in another layout: lib/tree/linked.ts maps it.
  const { workspaces, workspacesEnabled, includeWorkspaceRoot } = arb.options;
  return {
    omit,
    workspaces: Array.isArray(workspaces) ? workspaces.filter((w): w is string => typeof w === 'string') : [],
    workspacesEnabled: workspacesEnabled !== false,
    includeWorkspaceRoot: includeWorkspaceRoot === true,
  };
}

/** The install plan of `tree`: reify's #diffTrees, then the nodes #unpackNewModules and the link step act on. */
export function installPlan(tree: Tree, options: PlanOptions, state: PlanState): InstallPlan {
  // A deep copy: arborist normalises a new Node's package in place (an optional dependency also listed in
  // `dependencies` is dropped there), which on a shared object would change the lockfile reify then writes.
  const empty = new Arborist.Node({ path: tree.path, realpath: tree.realpath, pkg: structuredClone(tree.package) });
  const diff = Diff.calculate({
    actual: empty,
    ideal: tree,
    filterNodes: filterNodes(tree, options),
    shrinkwrapInflated: new Set(state.inflated),
    omit: new Set(options.omit),
  });
  const plan: InstallPlan = { extracted: [], links: [], shrinkwrapped: [] };
  const visit = (d: Diff): void => {
    const node = d.ideal;
    if (node && (d.action === 'ADD' || d.action === 'CHANGE') && !node.isRoot && !node.isProjectRoot) addNode(plan, node, state);
    for (const child of d.children) visit(child);
  };
  visit(diff);
  return plan;
}

function addNode(plan: InstallPlan, node: Node, state: PlanState): void {
  if (node.isLink) {
    plan.links.push(node);
    return;
  }
  plan.extracted.push(node);
  if (node.hasShrinkwrap && !state.inflated.has(node)) plan.shrinkwrapped.push(node);
}

/** reify's filterNodes: with `--workspace`, only the selected workspaces (and the root's deps if asked). */
function filterNodes(tree: Tree, options: PlanOptions): Node[] {
  const nodes: Node[] = [];
  const includeWorkspaces = options.workspacesEnabled;
  const includeRootDeps = !includeWorkspaces || (options.includeWorkspaceRoot && options.workspaces.length > 0);
  if (includeWorkspaces) {
    for (const ws of options.workspaces) {
      const ideal = tree.children.get(ws);
      if (ideal) nodes.push(ideal);
    }
  }
  if (includeRootDeps) {
    for (const edge of tree.edgesOut.values()) if (edge.type !== 'workspace' && edge.to) nodes.push(edge.to);
  }
  return nodes;
}
