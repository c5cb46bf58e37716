// Before the timed runs of one N: record vouch.lock for each tree (`vouch ci --update-lock`, the way a
// project adopts vouch) into the project templates, and install the signatures-only tree once with
// `npm ci` for `npm audit signatures`, which audits node_modules: once from the registry, and once
// through the latency proxy (a lockfile resolving at the proxy, so its tarballs came through it).
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runNpm } from '../test/support/npm.js';
import { runVouch } from '../test/support/vouch.js';
import { TREE_KINDS } from './bench-tree.js';
import { copyProject, stateFor, type ScenarioContext } from './scenarios.js';

export async function prepareProjects(ctx: ScenarioContext, log: (line: string) => void): Promise<void> {
  for (const kind of TREE_KINDS) {
    const project = await copyProject(ctx, kind, `${kind}-record`);
    const { env } = await stateFor(ctx, `${kind}-record`, 'loopback');
    await rm(join(project, 'vouch.lock'), { force: true });
    const started = performance.now();
    const result = await runVouch(['ci', '--update-lock', '--trusted-root', ctx.tree.trustedRoot], { cwd: project, env, timeoutMs: 30 * 60_000 });
    if (result.code !== 0) throw new Error(`vouch ci --update-lock (${kind}) failed (${result.code}):\n${result.stderr}\n${result.stdout.slice(-3000)}`);
    await copyFile(join(project, 'vouch.lock'), join(ctx.tree.projects[kind].template, 'vouch.lock'));
    await rm(project, { recursive: true, force: true });
    log(`recorded vouch.lock for the ${kind} tree (vouch ci --update-lock, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  for (const via of ['loopback', 'proxy'] as const) {
    const installed = await copyProject(ctx, 'sig', via === 'proxy' ? 'sig-installed-proxy' : 'sig-installed', via);
    const { env } = await stateFor(ctx, `sig-install-${via}`, via);
    const result = await runNpm(['ci'], installed, env);
    if (result.code !== 0) throw new Error(`npm ci of the sig tree (${via}) failed (${result.code}):\n${result.stderr}`);
  }
  log('installed the sig tree with npm ci, from the registry and through the proxy (what npm audit signatures audits)');
}
