// One worker: its own hostile proxy in front of the shared registry (so registry-side edits of one case
// never reach the other worker's), its npm configuration, per tree a project template whose lockfile
// names this proxy, and a warm npm cache made by installing the unmutated tree (npm ci, vouch verify,
// vouch ci) once.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHostileRegistry, type HostileRegistry } from '../../test/support/hostile-registry.js';
import type { TestRegistry } from '../../test/support/registry.js';
import { REGISTRY_PLACEHOLDER } from '../corpus/layout.js';
import type { CorpusTree } from '../corpus/load.js';
import type { Lockfile } from '../lockfile.js';
import { toolEnv, writeNpmConfig, type NpmConfig } from './npm-config.js';
import { runNpm, runVouch, type ToolRun } from './tools.js';

export interface WorkerTree {
  tree: CorpusTree;
  /** package.json (+ workspaces) and the lockfile naming this worker's proxy. */
  template: string;
  /** That lockfile, parsed. */
  lock: Lockfile;
  /** An npm cache (and vouch's evidence cache beside it) after installing the unmutated tree. */
  warmCache: string;
}

export interface Worker {
  index: number;
  root: string;
  proxy: HostileRegistry;
  config: NpmConfig;
  trees: Map<string, WorkerTree>;
  close(): Promise<void>;
}

export async function startWorker(index: number, root: string, registry: TestRegistry, trees: readonly CorpusTree[]): Promise<Worker> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const proxy = await startHostileRegistry(registry.url);
  try {
    const config = await writeNpmConfig(root, proxy.url, registry.token);
    const prepared = new Map<string, WorkerTree>();
    for (const tree of trees) prepared.set(tree.name, await prepareTree(root, tree, proxy.url, config));
    return { index, root, proxy, config, trees: prepared, close: () => proxy.close() };
  } catch (err) {
    await proxy.close();
    throw err;
  }
}

async function prepareTree(root: string, tree: CorpusTree, registryUrl: string, config: NpmConfig): Promise<WorkerTree> {
  const template = join(root, 'templates', tree.name);
  await cp(tree.projectDir, template, { recursive: true, verbatimSymlinks: true });
  const lockFile = join(template, 'package-lock.json');
  const text = (await readFile(lockFile, 'utf8')).replaceAll(REGISTRY_PLACEHOLDER, registryUrl);
  await writeFile(lockFile, text);
  const warmCache = join(root, 'warm', tree.name, 'cache');
  await mkdir(warmCache, { recursive: true });
  const env = toolEnv(config, warmCache);
  const runs: [string, (dir: string) => Promise<ToolRun>][] = [
    ['npm ci', (dir) => runNpm(['ci'], dir, env)],
    ['vouch verify', (dir) => runVouch(['verify', '--format', 'json'], dir, env)],
    ['vouch ci', (dir) => runVouch(['ci', '--update-lock', '--format', 'json'], dir, env)],
  ];
  for (const [label, run] of runs) {
    const dir = join(root, 'warm', tree.name, label.replace(' ', '-'));
    await cp(template, dir, { recursive: true, verbatimSymlinks: true });
    const result = await run(dir);
    if (label === 'npm ci' && result.code !== 0)
      throw new Error(`${tree.name}: npm ci of the unmutated tree failed (${result.code}):\n${result.stderr.slice(-3000)}`);
    await rm(dir, { recursive: true, force: true });
  }
  return { tree, template, lock: JSON.parse(text) as Lockfile, warmCache };
}
