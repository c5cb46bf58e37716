// Issue 22 item 5, the modes npm supports, through the gate (measured on main before the fix):
// install-strategy=linked was refused (and, let through, ran no install script or failed with
// `spawn sh ENOENT`); an allowed git dependency never installed ("GitFetcher requires an Arborist
// constructor"), and one with a `prepare` step ran a nested npm at a path that does not exist. The real
// npm on a twin project is the oracle: what it writes to node_modules and package-lock.json, and which
// install scripts run where. Git repositories are local bare repos (git+file://) made here.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpm } from '../support/npm.js';
import { writePackages } from '../support/packages.js';
import { snapshotTree, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;

/** An install script that appends `name@version <folder relative to the project>` to $VOUCH_TEST_MARKER. */
const MARKER = `node -e "require('fs').appendFileSync(process.env.VOUCH_TEST_MARKER, process.env.npm_package_name + '@' + process.env.npm_package_version + ' ' + require('path').relative(process.env.VOUCH_TEST_PROJECT, process.cwd()) + '\\\\n')"`;

beforeAll(async () => {
  registry = await startRegistry();
  const dirs = await writePackages(await registry.tempDir('packages'), [
    { name: 'lib-a', version: '1.0.0' },
    { name: 'lib-b', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' } },
    { name: 'with-post', version: '1.0.0', scripts: { postinstall: MARKER } },
    { name: 'with-post-dep', version: '1.0.0', dependencies: { 'with-post': '1.0.0' } },
  ]);
  for (const dir of dirs) await registry.publish(dir);
}, 300_000);

afterAll(() => registry?.stop());

interface Run {
  result: VouchResult | { code: number; stdout: string; stderr: string };
  ran: string[];
}

async function env(project: string): Promise<NodeJS.ProcessEnv> {
  const base = await registry.npmEnv(await registry.tempDir('state'), { retries: 'npm-default' });
  return { ...base, VOUCH_TEST_MARKER: join(project, '..', 'scripts-ran.txt'), VOUCH_TEST_PROJECT: project };
}

async function ran(project: string): Promise<string[]> {
  const text = await readFile(join(project, '..', 'scripts-ran.txt'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).sort();
}

async function vouch(args: string[], project: string): Promise<Run> {
  const result = await runVouch(args, { cwd: project, env: await env(project) });
  return { result, ran: await ran(project) };
}

async function npm(args: string[], project: string): Promise<Run> {
  const result = await runNpm(args, project, await env(project));
  expect(result.code, `npm ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return { result, ran: await ran(project) };
}

/** The same project twice, each in a folder of its own (the marker file sits beside the project). */
async function twins(label: string, write: (dir: string) => Promise<void>): Promise<{ ours: string; theirs: string }> {
  const ours = join(await registry.tempDir(`${label}-vouch`), 'project');
  const theirs = join(await registry.tempDir(`${label}-npm`), 'project');
  await write(ours);
  await write(theirs);
  return { ours, theirs };
}

/** node_modules as paths, kinds and link targets (hidden lockfiles and vouch's own folder left out). */
async function layout(project: string): Promise<string[]> {
  const entries = await snapshotTree(join(project, 'node_modules'), { ignore: ['.package-lock.json', '.vouch'] });
  return entries.map((e) => `${e.path} ${e.kind}${e.target ? ` -> ${e.target}` : ''}${e.sha256 ? ` ${e.sha256}` : ''}`);
}

async function expectSameInstall(ours: string, theirs: string): Promise<void> {
  expect(await layout(ours)).toEqual(await layout(theirs));
  expect(await readFile(join(ours, 'package-lock.json'), 'utf8')).toBe(await readFile(join(theirs, 'package-lock.json'), 'utf8'));
}

describe('install-strategy=linked', () => {
  const project = (dir: string) => writeProject(dir, { dependencies: { 'with-post-dep': '1.0.0', 'lib-b': '1.0.0' } });

  it("vouch install --install-strategy=linked writes npm's .store layout and runs the postinstall in the store folder, as npm does", async () => {
    const { ours, theirs } = await twins('linked-install', project);
    const npmRun = await npm(['install', '--install-strategy=linked'], theirs);
    expect(npmRun.ran).toHaveLength(1);
    expect(npmRun.ran[0]).toMatch(/^with-post@1\.0\.0 node_modules\/\.store\/with-post@1\.0\.0-[\w-]+\/node_modules\/with-post$/);
    const run = await vouch(['install', '--install-strategy=linked'], ours);
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    expect(run.ran).toEqual(npmRun.ran);
    await expectSameInstall(ours, theirs);
  });

  it('vouch ci with install-strategy=linked in the project .npmrc installs what npm ci does and runs the same script', async () => {
    const { ours, theirs } = await twins('linked-ci', async (dir) => {
      await project(dir);
      await writeFile(join(dir, '.npmrc'), 'install-strategy=linked\n');
    });
    await npm(['install', '--package-lock-only'], theirs);
    await writeFile(join(ours, 'package-lock.json'), await readFile(join(theirs, 'package-lock.json')));
    const npmRun = await npm(['ci'], theirs);
    const run = await vouch(['ci', '--update-lock'], ours);
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    expect(run.ran).toEqual(npmRun.ran);
    expect(run.ran).toHaveLength(1);
    await expectSameInstall(ours, theirs);
  });
});

describe('a git dependency the policy allows (sources.git, a local bare repo)', () => {
  let plainRepo: string;
  let preparedRepo: string;
  let deniedRepo: string;

  beforeAll(async () => {
    const repos = await registry.tempDir('git');
    plainRepo = await bareRepo(repos, 'git-plain', { name: 'git-plain', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' } });
    // prepare needs a devDependency: pacote installs the clone's dependencies first (through vouch install).
    const build = `node -e "require('fs').writeFileSync('built.js', 'module.exports = ' + JSON.stringify(require('lib-a')))"`;
    preparedRepo = await bareRepo(repos, 'git-prepared', {
      name: 'git-prepared',
      version: '1.0.0',
      scripts: { prepare: build },
      devDependencies: { 'lib-a': '^1.0.0' },
    });
    // Its prepare install needs another git dependency, which vouch's built-in policy denies.
    deniedRepo = await bareRepo(repos, 'git-denied', {
      name: 'git-denied',
      version: '1.0.0',
      scripts: { prepare: build },
      devDependencies: { 'git-plain': `git+file://${plainRepo}` },
    });
  });

  const gitProject = (name: string, url: () => string) => async (dir: string) => {
    await writeProject(dir, { dependencies: { [name]: `git+file://${url()}` } });
    await writeFile(join(dir, 'vouch.policy.json'), `${JSON.stringify({ sources: { git: [name] } }, null, 2)}\n`);
  };

  it('installs what npm installs (vouch install)', async () => {
    const { ours, theirs } = await twins(
      'git-plain',
      gitProject('git-plain', () => plainRepo),
    );
    await npm(['install'], theirs);
    const run = await vouch(['install'], ours);
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    await expectSameInstall(ours, theirs);
  });

  it("with a prepare step: its dependencies are installed through vouch's gate, and the prepared package is what npm installs", async () => {
    const { ours, theirs } = await twins(
      'git-prepared',
      gitProject('git-prepared', () => preparedRepo),
    );
    await npm(['install'], theirs);
    expect(await readFile(join(theirs, 'node_modules/git-prepared/built.js'), 'utf8')).toContain('lib-a');
    const run = await vouch(['install'], ours);
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    await expectSameInstall(ours, theirs);
    // vouch ci reinstalls it from the lockfile the same way.
    const ci = await vouch(['ci'], ours);
    expect(ci.result.code, ci.result.stdout + ci.result.stderr).toBe(0);
    await expectSameInstall(ours, theirs);
  });

  it('with a prepare step whose install the gate denies: GIT_PREPARE_FAILED, exit 1, nothing written (npm installs it unverified)', async () => {
    const { ours, theirs } = await twins(
      'git-denied',
      gitProject('git-denied', () => deniedRepo),
    );
    await npm(['install'], theirs);
    const run = await vouch(['install'], ours);
    expect(run.result.code).toBe(1);
    expect(run.result.stderr).toContain('GIT_PREPARE_FAILED');
    expect(run.result.stderr).toContain('SOURCE_NOT_ALLOWED');
    expect(existsSync(join(ours, 'node_modules'))).toBe(false);
    expect(existsSync(join(ours, 'package-lock.json'))).toBe(false);
  });
});

describe('a workspace folder that is a symlink to a folder outside the project', () => {
  // The workspace's real folder sits beside the project; packages/ext in the project is a link to it.
  const project = async (dir: string) => {
    await writeProject(dir, { workspaces: ['packages/*'], dependencies: { ext: '^1.0.0' } });
    const outside = join(dir, '..', 'outside-ext');
    await mkdir(outside, { recursive: true });
    await writeFile(
      join(outside, 'package.json'),
      `${JSON.stringify({ name: 'ext', version: '1.0.0', license: 'MIT', dependencies: { 'lib-b': '1.0.0' } }, null, 2)}\n`,
    );
    await mkdir(join(dir, 'packages'), { recursive: true });
    await symlink(join('..', '..', 'outside-ext'), join(dir, 'packages', 'ext'));
  };

  it("is linked and judged as project code, as npm links it: install, ci and verify --installed pass, and npm's tree is the same", async () => {
    const { ours, theirs } = await twins('ws-symlink', project);
    await npm(['install'], theirs);
    const run = await vouch(['install'], ours);
    expect(run.result.code, run.result.stdout + run.result.stderr).toBe(0);
    await expectSameInstall(ours, theirs);
    for (const args of [['ci'], ['verify'], ['verify', '--installed'], ['verify', '-w', 'ext']]) {
      const again = await vouch(args, ours);
      expect(again.result.code, `${args.join(' ')}: ${again.result.stdout}${again.result.stderr}`).toBe(0);
    }
    await expectSameInstall(ours, theirs);
    // Adding a dependency to that workspace writes through the link, as npm does.
    await npm(['install', 'lib-a@1.0.0', '-w', 'ext'], theirs);
    const added = await vouch(['install', 'lib-a@1.0.0', '-w', 'ext'], ours);
    expect(added.result.code, added.result.stdout + added.result.stderr).toBe(0);
    await expectSameInstall(ours, theirs);
    expect(await readFile(join(ours, '..', 'outside-ext', 'package.json'), 'utf8')).toBe(
      await readFile(join(theirs, '..', 'outside-ext', 'package.json'), 'utf8'),
    );
  });
});

/** A bare git repository at `<root>/<name>.git` whose one commit holds `manifest` as package.json and an index.js. */
async function bareRepo(root: string, name: string, manifest: Record<string, unknown>): Promise<string> {
  const work = join(root, `${name}-work`);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'package.json'), `${JSON.stringify({ license: 'MIT', ...manifest }, null, 2)}\n`);
  await writeFile(join(work, 'index.js'), `module.exports = ${JSON.stringify(name)};\n`);
  const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  git(['init', '-q', '-b', 'main'], work);
  git(['add', '-A'], work);
  git(['-c', 'user.email=test@vouch.invalid', '-c', 'user.name=vouch test', 'commit', '-q', '-m', 'package'], work);
  const bare = join(root, `${name}.git`);
  git(['clone', '-q', '--bare', work, bare], root);
  return bare;
}
