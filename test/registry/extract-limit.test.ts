// lib/patches/pacote/extract-limit.ts through a real reify: vouch gates a project of 40 packages from the
// test registry, then arborist's own reify installs it with vouch's boundary in place. arborist starts
// all 40 extractions at once; with the bound, at most EXTRACT_CONCURRENCY run together, and
// node_modules is byte for byte what the real `npm ci` makes from the same lockfile.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateOptions } from '../../lib/cli/common-flags.js';
import { readTrustFiles, treeArborist } from '../../lib/cli/gate.js';
import { gatePlan } from '../../lib/cli/plan-gate.js';
import type { Output } from '../../lib/cli/output.js';
import { loadNpmConfig } from '../../lib/config/index.js';
import { EXTRACT_CONCURRENCY } from '../../lib/patches/pacote/extract-limit.js';
import { arboristPacote, type Extract } from '../../lib/patches/pacote/hooks.js';
import { loadLockedTree, reifyVerified } from '../../lib/tree/index.js';
import { writePackages } from '../support/packages.js';
import { snapshotTree, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const PACKAGES = 40;
let registry: TestRegistry;
const quiet: Output = { stdout: () => undefined, stderr: () => undefined, isTTY: false };
const names = Array.from({ length: PACKAGES }, (_, i) => `many-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const dirs = await writePackages(
    root,
    names.map((name) => ({ name, version: '1.0.0', files: { 'data.bin': { size: 64 * 1024 } } })),
  );
  for (const dir of dirs) await registry.publish(dir);
});
afterAll(() => registry?.stop());

/** arborist's pacote.extract, counting the calls in flight, for the duration of `task`. */
async function countingExtractions<T>(task: () => Promise<T>): Promise<{ result: T; maxInFlight: number; calls: number }> {
  const pacote = arboristPacote();
  const real = pacote.extract;
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const counting: Extract = async (spec, dest, opts) => {
    calls++;
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await real(spec, dest, opts);
    } finally {
      inFlight--;
    }
  };
  pacote.extract = counting; // the reify boundary wraps this one, so it sees only calls the bound let through
  try {
    return { result: await task(), maxInFlight, calls };
  } finally {
    pacote.extract = real;
  }
}

describe('the extraction bound in a real reify', () => {
  it(`runs at most ${EXTRACT_CONCURRENCY} extractions at once and installs what npm ci installs`, async () => {
    const project = await registry.tempDir('project');
    await writeProject(project, { dependencies: Object.fromEntries(names.map((n) => [n, '1.0.0'])) });
    const state = await registry.tempDir('npm-state');
    const lock = await registry.npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, stateDir: state });
    expect(lock.code, lock.stderr).toBe(0);
    const config = await loadNpmConfig(project, [], await registry.npmEnv(state, { retries: 'npm-default' }));
    const opts = { ...gateOptions({}, config), locked: false };
    const arb = treeArborist(project, config, opts);
    await loadLockedTree(arb, project);
    const tree = await arb.buildIdealTree();
    const planned = await gatePlan(arb, tree, await readTrustFiles(project), config, opts, 'install', quiet);
    expect(planned.report.summary.denied).toBe(0);

    const { maxInFlight, calls } = await countingExtractions(() => reifyVerified(arb, tree, planned.boundary, { save: false, runScripts: false, omit: [] }));
    expect(calls).toBe(PACKAGES);
    expect(maxInFlight).toBe(EXTRACT_CONCURRENCY); // reached, never passed

    const npmCi = await registry.tempDir('npm-ci');
    await writeFile(join(npmCi, 'package.json'), await readFile(join(project, 'package.json')));
    await writeFile(join(npmCi, 'package-lock.json'), await readFile(join(project, 'package-lock.json')));
    const ci = await registry.npm(['ci', '--ignore-scripts'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') });
    expect(ci.code, ci.stderr).toBe(0);
    const ours = await snapshotTree(join(project, 'node_modules'));
    expect(ours.filter((e) => e.path.endsWith('/data.bin'))).toHaveLength(PACKAGES);
    expect(ours).toEqual(await snapshotTree(join(npmCi, 'node_modules')));
  });
});
