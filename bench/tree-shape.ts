// What a generated tree looks like, for the report: counts, depth, fan-out, nesting, tarball sizes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { treeId, type TreePackage, type TreePlan } from '../test/support/tree.js';
import { summarize } from './stats.js';

export interface TreeShape {
  /** Distinct name@version (what vouch verifies). */
  versions: number;
  names: number;
  scoped: number;
  withProvenance: number;
  /** Package entries in package-lock.json (locations; what npm audit signatures walks). */
  lockfileEntries: number;
  /** Of those, entries nested under another package's node_modules. */
  nestedEntries: number;
  directDependencies: number;
  /** Shortest dependency path from the project, in edges (direct dependencies are depth 1). */
  depth: { median: number; max: number };
  fanOut: { mean: number; max: number };
  packedBytes: { median: number; p95: number; max: number; total: number };
}

export async function describeTree(plan: TreePlan, project: string, packedSizes: readonly number[]): Promise<TreeShape> {
  const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const locations = Object.keys(lock.packages).filter((k) => k !== '');
  const depths = [...depthsOf(plan).values()];
  const fanOuts = plan.packages.map((p) => Object.keys(p.dependencies).length);
  const sizes = [...packedSizes].sort((a, b) => a - b);
  return {
    versions: plan.packages.length,
    names: new Set(plan.packages.map((p) => p.name)).size,
    scoped: plan.packages.filter((p) => p.name.startsWith('@')).length,
    withProvenance: plan.packages.filter((p) => p.provenance).length,
    lockfileEntries: locations.length,
    nestedEntries: locations.filter((k) => k.lastIndexOf('node_modules/') > 0).length,
    directDependencies: Object.keys(plan.rootDependencies).length,
    depth: { median: summarize(depths).median, max: Math.max(...depths) },
    fanOut: { mean: round(fanOuts.reduce((a, b) => a + b, 0) / fanOuts.length), max: Math.max(...fanOuts) },
    packedBytes: {
      median: summarize(sizes).median,
      p95: sizes[Math.floor(0.95 * (sizes.length - 1))] ?? 0,
      max: sizes.at(-1) ?? 0,
      total: sizes.reduce((a, b) => a + b, 0),
    },
  };
}

/** Breadth-first from the root's dependencies; each caret range names exactly one planned version. */
function depthsOf(plan: TreePlan): Map<string, number> {
  const byName = new Map<string, TreePackage[]>();
  for (const p of plan.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const resolve = (name: string, range: string) => byName.get(name)?.find((p) => semver.satisfies(p.version, range));
  const depth = new Map<string, number>();
  let frontier = Object.entries(plan.rootDependencies)
    .map(([n, r]) => resolve(n, r))
    .filter((p) => p !== undefined);
  for (const p of frontier) depth.set(treeId(p.name, p.version), 1);
  for (let d = 2; frontier.length > 0; d++) {
    const next: TreePackage[] = [];
    for (const p of frontier) {
      for (const [n, r] of Object.entries(p.dependencies)) {
        const dep = resolve(n, r);
        if (dep && !depth.has(treeId(dep.name, dep.version))) {
          depth.set(treeId(dep.name, dep.version), d);
          next.push(dep);
        }
      }
    }
    frontier = next;
  }
  return depth;
}

const round = (x: number): number => Math.round(x * 100) / 100;
