// A split view through the real registry, vouch and npm: two registries share one history, one log key and
// one signing key (a copy of the same storage), then diverge. A client that saw one history is shown the
// other under the same URL: its next run denies (LOG_INCONSISTENT), and so does a fresh CI run that only has
// the project's vouch.lock (which pinned the checkpoint). A publish attestation proven into the other
// history's tree, served beside the first history's log, is ATTESTATION_NOT_LOGGED. Nothing is written on a deny.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson as Report } from '../../lib/cli/render/json.js';
import { startHostileRegistry } from '../support/hostile-registry.js';
import { maintainerEnv, vouchPublish, type MaintainerKey } from '../support/maintainer.js';
import { npmEnv } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

let root = '';
let first: TestRegistry | undefined;
let port = 0;
const running: TestRegistry[] = [];

async function start(storage: string, at?: number): Promise<TestRegistry> {
  const registry = await startRegistry({ storage, ...(at ? { port: at } : {}) });
  running.push(registry);
  return registry;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vouch-split-view-'));
  first = await start(join(root, 'storage-a'));
  port = Number(new URL(first.url).port);
  await first.publish(await writePackage(join(root, 'pkg'), { name: 'dep', version: '1.0.0' }));
  await first.stop();
  // The fork: the same storage (keys, log key, log, records) from here on told two ways.
  await cp(join(root, 'storage-a'), join(root, 'storage-b'), { recursive: true });
  first = await start(join(root, 'storage-a'), port);
  await first.publish(await writePackage(join(root, 'pkg-a'), { name: 'only-in-a', version: '1.0.0' }));
}, 180_000);

afterAll(async () => {
  for (const r of running) await r.stop();
  await rm(root, { recursive: true, force: true });
});

describe('a forked signing log shown to a client that saw the other history', () => {
  it("is denied on the client's next run, and on a fresh CI run from the vouch.lock it committed", async () => {
    const project = join(root, 'project');
    await writeProject(project, { dependencies: { dep: '1.0.0' } });
    const state = join(root, 'client-state');
    const env = async (dir: string) => first!.npmEnv(dir, { retries: 'npm-default' });
    const installed = await runVouch(['install', '--format', 'json'], { cwd: project, env: await env(state) });
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    const lock = JSON.parse(await readFile(join(project, 'vouch.lock'), 'utf8')) as { registries: Record<string, { log?: { size: number } }> };
    expect(lock.registries[first!.url]?.log?.size).toBeGreaterThan(0);

    // The other history, under the same URL.
    await first!.stop();
    const second = await start(join(root, 'storage-b'), port);
    await second.publish(await writePackage(join(root, 'pkg-b'), { name: 'only-in-b', version: '1.0.0' }));
    const before = await snapshotProject(project);
    for (const [label, dir] of [
      ['the same client', state],
      ['a fresh CI runner', join(root, 'ci-state')],
    ] as const) {
      const run = await runVouch(['ci', '--format', 'json'], { cwd: project, env: await env(dir) });
      expect(run.code, `${label}: ${run.stderr}${run.stdout}`).toBe(1);
      const report = run.json as Report;
      expect(
        report.registries.flatMap((r) => r.findings.map((f) => f.code)),
        label,
      ).toEqual(['LOG_INCONSISTENT']);
      expect(await snapshotProject(project)).toEqual(before);
    }
    await second.stop();
    first = await start(join(root, 'storage-a'), port);
  }, 240_000);

  it('a publish attestation proven into the other history is ATTESTATION_NOT_LOGGED', async () => {
    // The same package (same tarball bytes, same keys) published by its maintainer, with a publisher attestation,
    // to both histories: each registry issues its publish attestation and logs it in its own tree.
    const twin = await writePackage(join(root, 'twin'), { name: 'twin', version: '1.0.0' });
    const keys = await runVouch(['keygen', '--out', join(root, 'twin-keys'), '--type', 'p256', '--json'], { cwd: root });
    expect(keys.code, keys.stderr).toBe(0);
    const key = keys.json as MaintainerKey; // outside the registries' folders, which go with them when they stop
    await vouchPublish(first!, await maintainerEnv(first!), twin, key.privateKeyFile);
    await first!.stop();
    const second = await start(join(root, 'storage-b'), port);
    await vouchPublish(second, await maintainerEnv(second), twin, key.privateKeyFile);
    const otherBundle = await second.get('/-/npm/v1/attestations/twin@1.0.0');
    await second.stop();
    first = await start(join(root, 'storage-a'), port);

    const hostile = await startHostileRegistry(first.url);
    try {
      expect(otherBundle.status).toBe(200);
      hostile.on('/-/npm/v1/attestations/twin@1.0.0', { kind: 'body', body: otherBundle.bytes, type: 'application/json' });
      const project = join(root, 'twin-project');
      await writeProject(project, { dependencies: { twin: '1.0.0' } });
      const before = await snapshotProject(project);
      const run = await runVouch(['install', '--format', 'json'], {
        cwd: project,
        env: await npmEnv(join(root, 'twin-state'), { url: hostile.url }, { retries: 'npm-default' }),
      });
      expect(hostile.count('/-/npm/v1/attestations/twin@1.0.0'), JSON.stringify(hostile.requests.map((r) => r.path))).toBeGreaterThan(0);
      expect(run.code, run.stderr + run.stdout).toBe(1);
      const pkg = (run.json as Report).packages.find((p) => p.name === 'twin')!;
      expect(pkg.findings.map((f) => f.code)).toContain('ATTESTATION_NOT_LOGGED');
      expect(await snapshotProject(project)).toEqual(before);
    } finally {
      await hostile.close();
    }
  }, 240_000);
});
