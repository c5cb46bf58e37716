// The reify boundary on its own, with real components (Verdaccio, a real npm lockfile, arborist's
// reify): the gate verifies the tree, then the boundary is handed one folder fewer than the plan has,
// as if the plan had missed a node. reify must refuse that package before writing it, roll back, and
// run no script; an optional package it refuses is skipped and the run still fails.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../../lib/config/index.js';
import { gateOptions } from '../../lib/cli/common-flags.js';
import { readTrustFiles, treeArborist } from '../../lib/cli/gate.js';
import { gatePlan } from '../../lib/cli/plan-gate.js';
import type { Output } from '../../lib/cli/output.js';
import { loadLockedTree, reifyVerified } from '../../lib/tree/index.js';
import { markerScript, writePackage } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
let markers: string;
const quiet: Output = { stdout: () => undefined, stderr: () => undefined, isTTY: false };

beforeAll(async () => {
  registry = await startRegistry();
  markers = await registry.tempDir('markers');
  const root = await registry.tempDir('packages');
  for (const name of ['kept', 'skipped', 'maybe']) {
    await registry.publish(await writePackage(root, { name, version: '1.0.0', scripts: { postinstall: markerScript(join(markers, name)) } }));
  }
});
afterAll(() => registry?.stop());

/** A project with a real lockfile, gated by vouch (install mode), with `drop`'s folder left out of the boundary. */
async function gatedWithout(drop: string, manifest: Record<string, unknown>) {
  const project = await registry.tempDir('project');
  await writeProject(project, manifest);
  const state = await registry.tempDir('npm-state');
  const lock = await registry.npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, stateDir: state });
  expect(lock.code).toBe(0);
  const env = await registry.npmEnv(state);
  const config = await loadNpmConfig(project, [], env);
  const opts = { ...gateOptions({}, config), locked: false };
  const arb = treeArborist(project, config, opts);
  await loadLockedTree(arb, project);
  const tree = await arb.buildIdealTree();
  const planned = await gatePlan(arb, tree, await readTrustFiles(project), config, opts, 'install', quiet);
  expect(planned.report.summary.denied).toBe(0);
  const allowed = new Map(planned.boundary.allowed);
  expect(allowed.delete(join(project, 'node_modules', drop))).toBe(true);
  return { project, run: () => reifyVerified(arb, tree, { ...planned.boundary, allowed }, { save: false, runScripts: true, omit: [] }) };
}

describe('the reify boundary', () => {
  it('refuses a required package vouch did not verify at that folder: REIFY_UNVERIFIED, node_modules rolled back, no script ran', async () => {
    const { project, run } = await gatedWithout('skipped', { dependencies: { kept: '1.0.0', skipped: '1.0.0' } });
    const before = await snapshotProject(project);
    await expect(run()).rejects.toMatchObject({ code: 'REIFY_UNVERIFIED' });
    expect(await snapshotProject(project)).toEqual(before);
    expect(existsSync(join(markers, 'kept'))).toBe(false);
    expect(existsSync(join(markers, 'skipped'))).toBe(false);
  });

  it('refuses an optional one too: arborist skips it, the run still fails with REIFY_UNVERIFIED, and it is not installed', async () => {
    const { project, run } = await gatedWithout('maybe', { dependencies: { kept: '1.0.0' }, optionalDependencies: { maybe: '1.0.0' } });
    await expect(run()).rejects.toMatchObject({ code: 'REIFY_UNVERIFIED' });
    expect(existsSync(join(project, 'node_modules', 'maybe'))).toBe(false);
    expect(existsSync(join(markers, 'maybe'))).toBe(false);
  });
});
