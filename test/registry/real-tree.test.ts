// Issue 14's acceptance on a real tree: express 4 and friends (79 real tarballs from registry.npmjs.org,
// fixtures/soundness/web-app), served by the test registry through a proxy that marks every tarball
// `Cache-Control: no-store`, with a lockfile written under omit-lockfile-registry-resolved (no `resolved`).
// `vouch ci --update-lock` installs the node_modules `npm ci` installs, cold and warm npm cache, with npm's
// default retry settings.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_PLACEHOLDER, treeProjectDir } from '../../soundness/corpus/layout.js';
import { loadCorpus } from '../../soundness/corpus/load.js';
import { startCorpusRegistry } from '../../soundness/corpus/publish.js';
import { startHostileRegistry, type HostileRegistry } from '../support/hostile-registry.js';
import { npmEnv, runNpm } from '../support/npm.js';
import { snapshotTree } from '../support/project.js';
import type { TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

let work: string;
let registry: TestRegistry;
let hostile: HostileRegistry;
let cases = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-real-tree-'));
  const corpus = await loadCorpus(join(work, 'corpus'));
  registry = await startCorpusRegistry(join(work, 'storage'), corpus.tarballs, () => undefined);
  hostile = await startHostileRegistry(registry.url);
  hostile.on((path) => path.endsWith('.tgz'), { kind: 'headers', headers: { 'cache-control': 'no-store' } });
}, 180_000);

afterAll(async () => {
  await hostile?.close();
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

/** A copy of the web-app project resolved without `resolved` fields, its lockfile naming the proxy. */
async function project(label: string): Promise<string> {
  const dir = join(work, `${label}-${++cases}`);
  await cp(treeProjectDir('web-app-no-resolved'), dir, { recursive: true });
  const lockFile = join(dir, 'package-lock.json');
  const lock = await readFile(lockFile, 'utf8');
  expect(lock).not.toContain('"resolved"');
  await writeFile(lockFile, lock.replaceAll(REGISTRY_PLACEHOLDER, hostile.url));
  return dir;
}

/** npm's environment on the proxy with npm's own retry settings, its cache in `state`. */
const env = (state: string) => npmEnv(state, { url: hostile.url, token: registry.token }, { retries: 'npm-default' });
const modules = (dir: string) => snapshotTree(join(dir, 'node_modules'), { ignore: ['.package-lock.json'] });

describe('a real 87-entry tree (express 4) behind Cache-Control: no-store, lockfile without resolved', () => {
  let npmModules: Awaited<ReturnType<typeof modules>>;
  let warmState: string;

  beforeAll(async () => {
    const dir = await project('npm');
    warmState = join(work, 'warm-state');
    const npm = await runNpm(['ci'], dir, await env(warmState));
    expect(npm.code, npm.stderr).toBe(0);
    npmModules = await modules(dir);
    expect(npmModules.filter((e) => e.kind === 'dir' && /^(@[^/]+\/)?[^/@][^/]*$/.test(e.path)).length).toBeGreaterThan(70);
  }, 180_000);

  for (const cache of ['cold', 'warm'] as const) {
    it(`vouch ci --update-lock installs exactly npm ci's node_modules (${cache} npm cache)`, async () => {
      const dir = await project(`vouch-${cache}`);
      const state = join(work, `state-${cache}-${cases}`);
      if (cache === 'warm') await cp(warmState, state, { recursive: true });
      const run = await runVouch(['ci', '--update-lock', '--format', 'json'], { cwd: dir, env: await env(state), timeoutMs: 120_000 });
      expect(run.stderr).not.toContain('internal error');
      expect(run.code, run.stderr).toBe(0);
      expect(await modules(dir)).toEqual(npmModules);
    });
  }
});
