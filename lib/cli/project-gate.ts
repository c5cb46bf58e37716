// The read-only gate over a project, for verify, explain, approve and policy init: the install plan of
// what `npm ci` would install from the lockfile (or the ideal tree of `vouch install <add…>`), or the
// packages on disk with --installed. Nothing is written to the project.
import { basename } from 'node:path';
import type Arborist from '@npmcli/arborist';
import type { Node, Tree } from '@npmcli/arborist';
import { omitList, type NpmConfig } from '../config/index.js';
import type { Report } from '../policy/index.js';
import type { Gathered } from '../registry/evidence.js';
import { assertLockfileInSync, detectLockfile, listTargets, loadLockedTree, projectArborist, type ProjectLockfile } from '../tree/index.js';
import type { Targets } from '../tree/types.js';
import { buildJudgedTree, decide, gather, readTrustFiles, treeArborist, type GateInputs, type GateOptions } from './gate.js';
import { checkInstalledFiles } from './installed-files.js';
import type { Output } from './output.js';
import { boundHeapGrowthFor } from './heap-growth.js';
import { gatePlan } from './plan-gate.js';
import { gateForeignLockfile } from './foreign-lockfile-gate.js';

export interface TreeGate extends Gathered {
  report: Report;
  inputs: GateInputs;
  targets: Targets;
  /** The lockfile judged (absent with --installed). */
  lockfile?: ProjectLockfile;
}

/**
 * The whole read-only pipeline over the project: lockfile mode judges what `npm ci` would install under
 * the same config (loadVirtual, then buildIdealTree, then the install plan); --installed judges node_modules.
 */
export async function gateProjectTree(
  opts: GateOptions,
  config: NpmConfig,
  installed: boolean,
  out: Output,
  mode: 'verify' | 'verify-tarballs' = 'verify',
): Promise<TreeGate> {
  const inputs = await readTrustFiles(opts.cwd);
  if (installed) {
    const arb = projectArborist(opts.cwd, config);
    const tree = await arb.loadActual();
    const only = config.workspaces ? workspaceNodes(arb, tree, config) : undefined;
    const targets = listTargets(tree, config, omitList(config), only);
    const gathered = await gather(targets, inputs, config, opts, out);
    // The files on disk, not only npm's record of them (lib/cli/installed-files.ts).
    const files = await checkInstalledFiles(tree, gathered, config, opts);
    const checked = { ...gathered, evidence: files.evidence };
    return { ...checked, report: decide(targets, checked, inputs, opts, files.folders), inputs, targets };
  }
  const lockfile = await detectLockfile(opts.cwd, opts.lockfileKind);
  if (lockfile.kind !== 'npm') return withIgnoredNotice({ ...(await gateForeignLockfile(lockfile, inputs, config, opts, out, mode)), inputs, lockfile });
  // Large trees get the heap bound before arborist loads them, or the peak comes before the bound does.
  const locked = new Map((await loadLockedTree(treeArborist(opts.cwd, config, opts), opts.cwd, opts.embedded ? undefined : boundHeapGrowthFor)).inventory);
  // A fresh arborist builds the ideal tree, as npm ci's does (it re-derives the lockfile's dev / optional flags).
  const gated = await gateBuiltTree(
    treeArborist(opts.cwd, config, opts),
    {},
    inputs,
    config,
    opts,
    out,
    (tree) => assertLockfileInSync(locked, tree, opts.cwd),
    mode,
  );
  return withIgnoredNotice({ ...gated, lockfile });
}

/**
 * The same over the tree `vouch install <add…>` would install (arborist's ideal tree, nothing written):
 * what approve judges when the version to approve is not in the lockfile yet.
 */
export async function gateIdealTree(opts: GateOptions, config: NpmConfig, add: string[], out: Output): Promise<TreeGate> {
  const inputs = await readTrustFiles(opts.cwd);
  return gateBuiltTree(treeArborist(opts.cwd, config, opts), { add }, inputs, config, opts, out);
}

async function gateBuiltTree(
  arb: Arborist,
  build: { add?: string[] },
  inputs: GateInputs,
  config: NpmConfig,
  opts: GateOptions,
  out: Output,
  check?: (tree: Tree) => void,
  mode: 'verify' | 'verify-tarballs' = 'verify',
): Promise<TreeGate> {
  const built = await buildJudgedTree(arb, build, inputs, opts);
  if (built.kind === 'denied') {
    // A source the policy denies, met while building the tree: judged, never fetched.
    const targets: Targets = { packages: [], nonRegistry: [built.ref] };
    const gathered: Gathered = { evidence: [], registries: [] };
    return { ...gathered, report: decide(targets, gathered, inputs, opts), inputs, targets };
  }
  check?.(built.tree);
  const planned = await gatePlan(arb, built.tree, inputs, config, opts, mode, out);
  return { ...planned.gathered, report: planned.report, inputs, targets: planned.targets };
}

/** Other managers' lockfiles beside the one judged are named, never silently passed over. */
function withIgnoredNotice(gate: TreeGate): TreeGate {
  const ignored = gate.lockfile?.ignored ?? [];
  if (ignored.length === 0 || !gate.lockfile) return gate;
  const names = ignored.map((f) => basename(f)).join(', ');
  const notice = `verified ${basename(gate.lockfile.file)} (${gate.lockfile.kind}); also present, not read: ${names} (choose with --lockfile-kind)`;
  return { ...gate, report: { ...gate.report, notices: [notice, ...gate.report.notices] } };
}

/** The nodes the selected workspaces depend on, as `npm audit signatures -w` selects them. */
function workspaceNodes(arb: Arborist, tree: Tree, config: NpmConfig): ReadonlySet<Node> {
  const select = arb as unknown as { workspaceDependencySet(tree: Tree, names: string[], includeRoot: boolean): Set<Node> };
  return select.workspaceDependencySet(tree, [...(config.workspaces?.keys() ?? [])], config.flat['includeWorkspaceRoot'] === true);
}
