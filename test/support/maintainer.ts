// A maintainer's side of the tests: an environment for `npm publish`/`vouch publish` and a key made with `vouch keygen`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PublishTimeOptions, TestRegistry } from './registry.js';
import { runVouch } from './vouch.js';

export type MaintainerKey = { keyid: string; privateKeyFile: string; publicKeyFile?: string; type?: string };

/** The test process may itself run in a CI: keep its variables away from `vouch publish`, which would sign SLSA provenance. */
export function withoutCi(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(GITHUB_|GITLAB_|CI_|ACTIONS_|RUNNER_|SIGSTORE_)/.test(k) && k !== 'CI'));
}

/** A maintainer logged in to `registry`, with npm state of its own and no CI variables. */
export async function maintainerEnv(registry: TestRegistry): Promise<NodeJS.ProcessEnv> {
  return withoutCi(await registry.npmEnv(await registry.tempDir('maintainer-state')));
}

/** `vouch keygen --type p256` into a fresh folder; fails the test when it does not exit 0. */
export async function keygen(registry: TestRegistry, env: NodeJS.ProcessEnv, label: string): Promise<MaintainerKey> {
  const dir = await registry.tempDir(label);
  const result = await runVouch(['keygen', '--out', join(dir, 'keys'), '--type', 'p256', '--json'], { cwd: dir, env });
  expect(result.code, result.stderr).toBe(0);
  return result.json as MaintainerKey;
}

/**
 * `vouch publish --key` of the package in `dir` to `registry`; fails the test when it does not exit 0.
 * Backdated like every test publish (registry.ts) unless `fresh`.
 */
export async function vouchPublish(registry: TestRegistry, env: NodeJS.ProcessEnv, dir: string, key: string, options: PublishTimeOptions = {}): Promise<void> {
  const result = await runVouch(['publish', '--key', key, '--json', '--', '--access', 'public'], { cwd: dir, env });
  expect(result.code, result.stderr).toBe(0);
  if (options.fresh) return;
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  await registry.backdate(manifest.name, [manifest.version]);
}
