// The lean install (issue 16): vouch and vouch-registry packed with `npm pack` and installed globally from
// the tarballs into a temporary prefix, as users install them: vouch first, then vouch-registry beside it.
// vouch alone holds at most 130 packages, answers --help, verifies a project against a signing registry
// and explains how to get `vouch registry`; once vouch-registry is added, the installed `vouch registry`
// starts and signs. And `npm install git+file://…` of this tree builds vouch through `prepare`. Needs a built tree (`npm run build`, as `npm test` does): the tarballs are packed with
// --ignore-scripts so that no rebuild rewrites dist/ under tests running in parallel. Dependencies come
// from this machine's npm registry and cache (--prefer-offline).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { writePackage } from '../support/packages.js';
import { installedPackages } from '../support/production-packages.js';
import { writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, explain, type ReportJson } from '../support/report.js';
import { npmSucceeded, packInto, runNpm, userNpmEnv } from '../support/npm.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

const MAX_PRODUCTION_PACKAGES = 130;
const REGISTRY_WORKSPACE = packagePath('packages', 'vouch-registry');

let work: string;
let version: string;
let prefix: string;
let registryTgz: string;
let registry: TestRegistry | undefined;

beforeAll(async () => {
  for (const built of [packagePath('dist', 'lib', 'cli', 'main.js'), join(REGISTRY_WORKSPACE, 'dist', 'index.js')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  version = (JSON.parse(await readFile(packagePath('package.json'), 'utf8')) as { version: string }).version;
  work = await mkdtemp(join(tmpdir(), 'vouch-lean-install-'));
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  const vouchTgz = await packInto(packagePath(), tarballs);
  registryTgz = await packInto(REGISTRY_WORKSPACE, tarballs);
  prefix = join(work, 'prefix');
  await installGlobally(prefix, vouchTgz);
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function installGlobally(into: string, tarball: string): Promise<void> {
  npmSucceeded(
    await runNpm(['install', '--global', '--prefix', into, '--prefer-offline', '--no-audit', '--no-fund', tarball], work, userNpmEnv()),
    `npm install -g --prefix ${into} ${tarball}`,
  );
}

/** The installed `vouch` command (a link to the installed package's bin/vouch.js). */
const vouchBin = () => join(prefix, 'bin', 'vouch');

/** Publishes `name`@1.0.0 to `on` and returns a project locking it (npm install --package-lock-only). */
async function projectFrom(on: TestRegistry, name: string): Promise<string> {
  await on.publish(await writePackage(await on.tempDir('packages'), { name, version: '1.0.0' }));
  const project = join(await on.tempDir('project'), 'p');
  await writeProject(project, { dependencies: { [name]: '1.0.0' } });
  npmSucceeded(await on.npm(['install', '--package-lock-only'], { cwd: project, stateDir: await on.tempDir('npm-state') }), 'npm install --package-lock-only');
  return project;
}

/** The installed `vouch verify --format json` in `project`, with npm's config for `on`. */
async function installedVerify(on: TestRegistry, project: string): Promise<VouchResult> {
  return runVouch(['verify', '--format', 'json'], { cwd: project, bin: vouchBin(), env: await on.npmEnv(await on.tempDir('vouch-state')) });
}

/** Asserts a clean verify: exit 0, the one package allowed with the registry's signature verified. */
function expectVerified(result: VouchResult, name: string, keyid: string): void {
  expect(result.code, explain(result)).toBe(0);
  const packages = (result.json as ReportJson).packages;
  expect(packages.map((p) => [p.name, p.decision, p.status])).toEqual([[name, 'allow', 'verified']]);
  expect(packages[0]?.evidence.signature).toMatchObject({ kind: 'verified', keyids: [keyid] });
}

describe('vouch installed from its npm pack tarball alone', () => {
  it(`holds at most ${MAX_PRODUCTION_PACKAGES} packages, none of them Verdaccio`, async () => {
    const packages = await installedPackages(join(prefix, 'lib', 'node_modules', 'vouch'));
    console.log(`vouch installed globally from its tarball: ${packages.length} packages`);
    expect(packages.filter((p) => /(^|\/)(verdaccio|@verdaccio\/)/.test(p))).toEqual([]);
    expect(packages).toContain('@npmcli/arborist');
    expect(packages.length).toBeLessThanOrEqual(MAX_PRODUCTION_PACKAGES);
  });

  it('answers --help with its commands', async () => {
    const result = await runVouch(['--help'], { cwd: work, bin: vouchBin() });
    expect(result.code, result.stderr).toBe(0);
    for (const command of ['install', 'ci', 'verify', 'registry']) expect(result.stdout).toContain(`  ${command}`);
  });

  it("verifies a project from a signing registry, and denies it once the lockfile's integrity is swapped", async () => {
    const source = await startRegistry(); // this tree's `vouch registry`: the installed vouch has none yet
    try {
      const project = await projectFrom(source, 'lean-dep');
      expectVerified(await installedVerify(source, project), 'lean-dep', source.keyid);

      const lockfile = join(project, 'package-lock.json');
      const lock = JSON.parse(await readFile(lockfile, 'utf8')) as { packages: Record<string, { integrity?: string }> };
      const entry = lock.packages['node_modules/lean-dep'];
      if (!entry) throw new Error('npm locked no node_modules/lean-dep');
      entry.integrity = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
      await writeFile(lockfile, JSON.stringify(lock, null, 2));
      const swapped = await installedVerify(source, project);
      expect(swapped.code, explain(swapped)).toBe(1);
      expect(denied(swapped.json as ReportJson).map(([id]) => id)).toEqual(['lean-dep@1.0.0']);
    } finally {
      await source.stop();
    }
  });

  it('says how to get `vouch registry` (exit 2, no stack trace), and still shows its help', async () => {
    const result = await runVouch(['registry', '--port', '0', '--json'], { cwd: work, bin: vouchBin() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('REGISTRY_NOT_INSTALLED');
    expect(result.stderr).toContain(`npm install -g vouch-registry@${version}`);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    const help = await runVouch(['registry', '--help'], { cwd: work, bin: vouchBin() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('separate package vouch-registry');
  });
});

describe('vouch with vouch-registry installed beside it from its tarball', () => {
  beforeAll(() => installGlobally(prefix, registryTgz), 600_000);

  it("shares one vouch between them: vouch-registry's errors are vouch's usage errors (exit 2), never internal ones", async () => {
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'vouch-registry', 'node_modules', 'vouch'))).toBe(false);
    for (const args of [
      ['registry', '--port', 'many'],
      ['registry', 'rotate'],
      ['registry', 'revoke'],
    ]) {
      const result = await runVouch(args, { cwd: work, bin: vouchBin() });
      expect([args, result.code]).toEqual([args, 2]);
      expect(result.stderr).toMatch(/^vouch: USAGE: /);
    }
  });

  it('starts `vouch registry --port 0 --json`, which serves its key and signs what is published', async () => {
    registry = await startRegistry({ bin: vouchBin() });
    const keys = await registry.get('-/npm/v1/keys');
    expect(keys.status).toBe(200);
    expect(keys.json).toMatchObject({ keys: [{ keyid: registry.keyid }] });
    const project = await projectFrom(registry, 'signed-by-installed');
    expectVerified(await installedVerify(registry, project), 'signed-by-installed', registry.keyid);
  });
});

describe('vouch installed from a git URL', () => {
  /** This tree (tracked and new files, not ignored ones) as the one commit of a fresh repository. */
  async function snapshotRepository(into: string): Promise<void> {
    const git = (args: string[], cwd: string): string => {
      const result = spawnSync('git', ['-c', 'user.name=vouch test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
        cwd,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
      return result.stdout;
    };
    const files = git(['ls-files', '--cached', '--others', '--exclude-standard', '-z'], packagePath()).split('\0').filter(Boolean);
    for (const file of files) {
      if (existsSync(packagePath(file))) await cp(packagePath(file), join(into, file), { verbatimSymlinks: true });
    }
    git(['init', '--quiet'], into);
    git(['add', '--all'], into);
    git(['commit', '--quiet', '--message', 'snapshot'], into);
  }

  it('is built by its prepare script and runs: --version, and the how-to for `vouch registry`', async () => {
    const repository = join(work, 'repository');
    await snapshotRepository(repository);
    const project = join(work, 'git-consumer');
    await writeProject(project);
    npmSucceeded(
      await runNpm(['install', '--prefer-offline', '--no-audit', '--no-fund', `git+file://${repository}`], project, userNpmEnv()),
      'npm install git+file://…',
    );
    const bin = join(project, 'node_modules', '.bin', 'vouch');
    const versionResult = await runVouch(['--version'], { cwd: project, bin });
    expect([versionResult.code, versionResult.stdout.trim()], versionResult.stderr).toEqual([0, version]);
    expect(existsSync(join(project, 'node_modules', 'vouch', 'dist', 'lib', 'cli', 'main.js'))).toBe(true);
    const registryResult = await runVouch(['registry'], { cwd: project, bin });
    expect(registryResult.code, registryResult.stderr).toBe(2);
    expect(registryResult.stderr).toContain('REGISTRY_NOT_INSTALLED');
  }, 600_000);
});
