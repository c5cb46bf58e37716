// `vouch check <spec>…`: the update bot's pre-flight. For each update it answers what `vouch install
// <spec>` would decide, on the same project, and writes nothing: the two are run side by side on copies of
// one project over a set of updates that pass, warn and fail for different reasons, and must agree on the
// exit code and on every denied package and finding code.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keygen, maintainerEnv as newMaintainerEnv, vouchPublish } from '../support/maintainer.js';
import { writePackage } from '../support/packages.js';
import { copyProject, snapshotTree, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface CheckJson {
  decision: string;
  checked: { spec: string; name: string; version: string | null; decision: string; findings: { code: string }[] }[];
  report: ReportJson;
}

let registry: TestRegistry;
let base: string;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const maintainer = await newMaintainerEnv(registry);
  const a = await keygen(registry, maintainer, 'key-a');
  const b = await keygen(registry, maintainer, 'key-b');
  await vouchPublish(registry, maintainer, await writePackage(root, { name: 'widget', version: '1.0.0' }), a.privateKeyFile);
  await vouchPublish(registry, maintainer, await writePackage(root, { name: 'widget', version: '1.1.0' }), b.privateKeyFile); // another publisher key
  await vouchPublish(registry, maintainer, await writePackage(root, { name: 'widget', version: '1.2.0' }), a.privateKeyFile);
  await registry.publish(await writePackage(root, { name: 'plain', version: '1.0.0' }));
  await registry.publish(await writePackage(root, { name: 'plain', version: '1.1.0', dependencies: { helper: '^1.0.0' } }));
  await registry.publish(await writePackage(root, { name: 'helper', version: '1.0.0' }));
  base = await registry.tempDir('base');
  await writeProject(base, { dependencies: { widget: '1.0.0', plain: '1.0.0' } });
  const installed = await vouch(['install'], base);
  expect(installed.code, installed.stdout + installed.stderr).toBe(0);
}, 300_000);

afterAll(() => registry?.stop());

describe('vouch check', () => {
  it.each([[['plain@1.1.0']], [['widget@1.2.0']], [['widget@1.1.0']], [['widget@^1.1.0']], [['plain@1.1.0', 'widget@1.1.0']], [['widget@9.9.9']]])(
    'agrees with vouch install on %j, and writes nothing',
    async (specs) => {
      const checked = await copy('check');
      const before = await snapshotTree(checked);
      const check = await vouch(['check', ...specs, '--format', 'json'], checked);
      expect(await snapshotTree(checked)).toEqual(before);

      const installed = await copy('install');
      const install = await vouch(['install', ...specs, '--format', 'json'], installed);
      expect(check.code, check.stdout + check.stderr).toBe(install.code);
      if (install.code === 2) return; // no such version: both refuse the spec before judging anything
      const answer = check.json as CheckJson;
      expect(denied(answer.report)).toEqual(denied(install.json as ReportJson));
      expect(answer.decision).toMatch(install.code === 0 ? /^(allow|warn)$/ : /^deny$/);
      expect(answer.checked.map((c) => c.spec)).toEqual(specs);
    },
  );

  it('names the version each spec resolved to and why it would be denied', async () => {
    const project = await copy('answer');
    const check = await vouch(['check', 'plain@^1', 'widget@1.1.0', '--format', 'json'], project);
    expect(check.code).toBe(1);
    const answer = check.json as CheckJson;
    // The change alerts of each update are warnings: plain@1.1.0 adds a dependency, and every test
    // package is published seconds after its predecessor (QUICK_RELEASE).
    const quick = expect.objectContaining({ code: 'QUICK_RELEASE', severity: 'warn' });
    expect(answer.checked).toEqual([
      {
        spec: 'plain@^1',
        name: 'plain',
        version: '1.1.0',
        decision: 'warn',
        findings: [expect.objectContaining({ code: 'DEPENDENCIES_ADDED', severity: 'warn' }), quick],
      },
      {
        spec: 'widget@1.1.0',
        name: 'widget',
        version: '1.1.0',
        decision: 'deny',
        findings: [expect.objectContaining({ code: 'IDENTITY_CHANGED', severity: 'deny' }), quick],
      },
    ]);
    const text = await vouch(['check', 'plain@^1', 'widget@1.1.0'], project);
    expect(text.stdout).toContain('plain@^1 → plain@1.1.0: would pass, with warnings');
    expect(text.stdout).toContain('widget@1.1.0 → widget@1.1.0: would be denied (IDENTITY_CHANGED)');
  });

  it('needs at least one spec (exit 2)', async () => {
    const result = await vouch(['check'], await copy('usage'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('USAGE');
  });
});

async function copy(label: string): Promise<string> {
  return copyProject(base, join(await registry.tempDir(label), 'project'));
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
}
