// vouch install / ci / verify with npm's own flags and in npm workspaces, against the real npm on the
// same project: what ends up in package.json, package-lock.json and node_modules must be what npm makes.
// Both run with npm's own retry settings, as users have them (no fetch-retries=0).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePackages } from '../support/packages.js';
import { snapshotProject, snapshotTree, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const dirs = await writePackages(root, [
    { name: 'lib-a', version: '1.0.0' },
    { name: 'lib-b', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' } },
    { name: 'lib-c', version: '1.0.0' },
    { name: 'lib-c', version: '1.1.0' },
    { name: 'dev-tool', version: '1.0.0' },
  ]);
  for (const dir of dirs) await registry.publish(dir);
});

afterAll(() => registry?.stop());

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
}

async function npm(args: string[], cwd: string) {
  const result = await registry.npm(args, { cwd, stateDir: await registry.tempDir('npm-state'), retries: 'npm-default' });
  expect(result.code, `npm ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

/** The same project twice: one for vouch, one for npm. */
async function twins(label: string, write: (dir: string) => Promise<void>): Promise<{ ours: string; theirs: string }> {
  const ours = await registry.tempDir(`${label}-vouch`);
  const theirs = await registry.tempDir(`${label}-npm`);
  await write(ours);
  await write(theirs);
  return { ours, theirs };
}

const read = (file: string) => readFile(file, 'utf8').catch(() => '(absent)');
const installedPaths = async (dir: string) =>
  existsSync(join(dir, 'node_modules'))
    ? (await snapshotTree(join(dir, 'node_modules'), { ignore: ['.package-lock.json', '.vouch'] })).map((e) => e.path).filter((p) => !p.startsWith('.'))
    : [];

/** package.json files, package-lock.json and node_modules' paths, as npm left them and as vouch did. */
async function expectSameOutcome(ours: string, theirs: string, manifests: readonly string[] = ['package.json']): Promise<void> {
  for (const file of [...manifests, 'package-lock.json']) expect(await read(join(ours, file)), file).toBe(await read(join(theirs, file)));
  expect(await installedPaths(ours)).toEqual(await installedPaths(theirs));
}

describe("npm flags, with npm's meaning", () => {
  const project = (dir: string) => writeProject(dir, { dependencies: { 'lib-b': '^1.0.0' }, devDependencies: { 'dev-tool': '^1.0.0' } });

  it.each([
    [['-D', '-E', 'lib-c@1.0.0']],
    [['--save-optional', 'lib-c']],
    [['--no-save', 'lib-c']],
    [['--package-lock-only', 'lib-c']],
    [['--omit=dev']],
    [['--save-prefix=~', 'lib-c']],
    [['--legacy-peer-deps', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn']],
  ])('vouch install %j writes what npm install writes', async (flags) => {
    const { ours, theirs } = await twins('flags', project);
    const result = await vouch(['install', ...flags], ours);
    expect(result.code, result.stderr).toBe(0);
    await npm(['install', ...flags], theirs);
    await expectSameOutcome(ours, theirs);
  });

  it('vouch ci --omit=dev installs what npm ci --omit=dev installs', async () => {
    const { ours, theirs } = await twins('ci-omit', async (dir) => {
      await project(dir);
      await npm(['install', '--package-lock-only'], dir);
    });
    expect((await vouch(['ci', '--update-lock'], ours)).code).toBe(0);
    const result = await vouch(['ci', '--omit=dev'], ours);
    expect(result.code, result.stderr).toBe(0);
    await npm(['ci', '--omit=dev'], theirs);
    await expectSameOutcome(ours, theirs);
    expect(await installedPaths(ours)).not.toContain('dev-tool/package.json');
  });

  it('--silent prints nothing on success; --json prints the JSON report; --dry-run writes nothing and says so', async () => {
    const dir = await registry.tempDir('output-flags');
    await project(dir);
    const before = await snapshotProject(dir);
    const dry = await vouch(['install', '--dry-run', 'lib-c'], dir);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('--dry-run');
    expect(await snapshotProject(dir)).toEqual(before);
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    const json = await vouch(['install', '--json'], dir);
    expect(json.code, json.stderr).toBe(0);
    expect((json.json as { decision: string }).decision).toBe('allow');
    const silent = await vouch(['ci', '-s'], dir);
    expect(silent.code, silent.stderr).toBe(0);
    expect(silent.stdout).toBe('');
  });

  it('refuses with the reason, and writes nothing: -g, a flag npm does not know', async () => {
    const dir = await registry.tempDir('refused');
    await project(dir);
    const before = await snapshotProject(dir);
    for (const flags of [['-g', 'lib-c'], ['--no-such-flag']]) {
      const result = await vouch(['install', ...flags], dir);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/USAGE: .*(is refused by vouch install: .{20,}|is neither a flag of vouch install nor an npm config option)/);
      expect(result.stderr).not.toContain('parseArgs');
    }
    expect(await snapshotProject(dir)).toEqual(before);
  });
});

describe('npm workspaces', () => {
  const monorepo = async (dir: string) => {
    await writeProject(dir, { name: 'mono', version: '1.0.0', workspaces: ['packages/*'] });
    for (const [folder, name, deps] of [
      ['a', 'ws-a', { 'lib-a': '^1.0.0' }],
      ['b', 'ws-b', { 'lib-b': '^1.0.0' }],
    ] as const) {
      await mkdir(join(dir, 'packages', folder), { recursive: true });
      await writeFile(join(dir, 'packages', folder, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', dependencies: deps }, null, 2)}\n`);
    }
  };
  const manifests = ['package.json', 'packages/a/package.json', 'packages/b/package.json'];

  it('vouch install -w adds to that workspace, as npm install -w does', async () => {
    const { ours, theirs } = await twins('ws-flag', monorepo);
    const result = await vouch(['install', 'lib-c', '-w', 'ws-a'], ours);
    expect(result.code, result.stderr).toBe(0);
    await npm(['install', 'lib-c', '-w', 'ws-a'], theirs);
    await expectSameOutcome(ours, theirs, manifests);
    expect(await read(join(ours, 'packages/a/package.json'))).toContain('lib-c');
  });

  it('vouch install inside a workspace folder finds the root and adds to that workspace, as npm does', async () => {
    const { ours, theirs } = await twins('ws-cwd', monorepo);
    const result = await vouch(['install', 'lib-c'], join(ours, 'packages/b'));
    expect(result.code, result.stderr).toBe(0);
    await npm(['install', 'lib-c'], join(theirs, 'packages/b'));
    await expectSameOutcome(ours, theirs, manifests);
    expect(await read(join(ours, 'packages/b/package.json'))).toContain('lib-c');
    expect(existsSync(join(ours, 'packages/b/package-lock.json'))).toBe(false);
  });

  it('vouch ci -w and --workspaces install what npm ci does; verify inside a workspace names it', async () => {
    const { ours, theirs } = await twins('ws-ci', async (dir) => {
      await monorepo(dir);
      await npm(['install', '--package-lock-only'], dir);
    });
    expect((await vouch(['ci', '--update-lock'], ours)).code).toBe(0); // records vouch.lock
    for (const flags of [['-w', 'packages/a'], ['--workspaces']]) {
      const result = await vouch(['ci', ...flags], ours);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      await npm(['ci', ...flags], theirs);
      expect(await installedPaths(ours), flags.join(' ')).toEqual(await installedPaths(theirs));
    }
    const verify = await vouch(['verify', '--json'], join(ours, 'packages/a'));
    expect(verify.code, verify.stderr).toBe(0);
    const report = verify.json as { notices: string[]; packages: { name: string }[] };
    expect(report.notices.join('\n')).toContain('workspace ws-a (packages/a)');
    expect(report.packages.map((p) => p.name)).toEqual(['lib-a']);
    // node_modules now holds every workspace's dependencies (after --workspaces): -w still selects.
    const installed = await vouch(['verify', '--installed', '-w', 'ws-a', '--json'], ours);
    expect(installed.code, installed.stderr).toBe(0);
    expect((installed.json as { packages: { name: string }[] }).packages.map((p) => p.name)).toEqual(['lib-a']);
    const unknown = await vouch(['verify', '-w', 'nope'], ours);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no workspaces found: --workspace=nope');
    expect(unknown.stderr).toContain('ws-a, ws-b');
  });
});
