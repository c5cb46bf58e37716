// `vouch ci`: npm ci from package-lock.json behind the gate, against the real signing registry and a
// lockfile the real npm wrote. vouch.lock must already record every locked version (LOCK_MISSING_ENTRY)
// unless --update-lock, must be canonical, and package.json must agree with the lockfile (exit 2, as
// npm ci refuses). On success node_modules is byte for byte what the real `npm ci` makes; on any
// failure the existing node_modules and every project file stay as they were.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLock, serializeLock } from '../../lib/lock/index.js';
import { packTarball } from '../support/npm.js';
import { writePackage, writePackages } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, snapshotTree, writeProject } from '../support/project.js';
import { storedTarball } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;
/** package.json + package-lock.json written by the real npm (no node_modules, no vouch.lock). */
let locked: string;
/** npm ci's node_modules for that lockfile. */
let npmCiTree: Awaited<ReturnType<typeof snapshotTree>>;
const DEPENDENCIES = { 'ci-a': '^1.0.0', 'ci-b': '^1.0.0' };

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const dirs = await writePackages(root, [
    { name: 'ci-a', version: '1.0.0' },
    { name: 'ci-a', version: '2.0.0' },
    { name: 'ci-b', version: '1.0.0', dependencies: { 'ci-a': '^2.0.0', 'ci-c': '^1.0.0' } },
    // Its postinstall writes into its own folder: node_modules matches npm ci's only if vouch ci ran it too
    // (the lockfile says hasInstallScript; the script itself is read from the installed package.json).
    {
      name: 'ci-c',
      version: '1.0.0',
      files: { 'lib/data.json': '{"c":1}\n' },
      scripts: { postinstall: `node -e "require('fs').writeFileSync('built.txt', 'built by postinstall')"` },
    },
    { name: 'ci-tamper', version: '1.0.0' },
  ]);
  for (const dir of dirs) await registry.publish(dir);

  locked = await registry.tempDir('locked');
  await writeProject(locked, { dependencies: DEPENDENCIES });
  const lockOnly = await registry.npm(['install', '--package-lock-only'], { cwd: locked, stateDir: await registry.tempDir('npm-state') });
  expect(lockOnly.code, lockOnly.stderr).toBe(0);
  const npmCi = await copyProject(locked, join(await registry.tempDir('npm-ci'), 'p'));
  const ci = await registry.npm(['ci'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') });
  expect(ci.code, ci.stderr).toBe(0);
  npmCiTree = await snapshotTree(join(npmCi, 'node_modules'));
  expect(await readFile(join(npmCi, 'node_modules', 'ci-c', 'built.txt'), 'utf8')).toBe('built by postinstall');
}, 180_000);

afterAll(() => registry?.stop());

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state')) });
}

async function freshCopy(label: string): Promise<string> {
  return copyProject(locked, join(await registry.tempDir(label), 'project'));
}

describe('vouch ci and vouch.lock', () => {
  it('denies every locked version vouch.lock does not record (LOCK_MISSING_ENTRY) and writes nothing', async () => {
    const project = await freshCopy('no-lock');
    const before = await snapshotProject(project);
    const result = await vouch(['ci', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(1);
    expect(denied(result.json as ReportJson)).toEqual([
      ['ci-a@1.0.0', ['LOCK_MISSING_ENTRY']],
      ['ci-a@2.0.0', ['LOCK_MISSING_ENTRY']],
      ['ci-b@1.0.0', ['LOCK_MISSING_ENTRY']],
      ['ci-c@1.0.0', ['LOCK_MISSING_ENTRY']],
    ]);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it("with --update-lock installs npm ci's node_modules byte for byte, records vouch.lock, and leaves package.json and the lockfile alone", async () => {
    const project = await freshCopy('update-lock');
    const manifest = await readFile(join(project, 'package.json'));
    const lockfile = await readFile(join(project, 'package-lock.json'));
    const result = await vouch(['ci', '--update-lock', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(0);
    expect(denied(result.json as ReportJson)).toEqual([]);
    expect(await snapshotTree(join(project, 'node_modules'))).toEqual(npmCiTree);
    expect(await readFile(join(project, 'package.json'))).toEqual(manifest);
    expect(await readFile(join(project, 'package-lock.json'))).toEqual(lockfile);
    const lock = (await readJson(join(project, 'vouch.lock'))) as { packages: Record<string, { versions: Record<string, unknown> }> };
    expect(
      Object.entries(lock.packages)
        .flatMap(([n, p]) => Object.keys(p.versions).map((v) => `${n}@${v}`))
        .sort(),
    ).toEqual(['ci-a@1.0.0', 'ci-a@2.0.0', 'ci-b@1.0.0', 'ci-c@1.0.0']);

    // Then the locked run: passes, rebuilds the same node_modules from scratch, never writes vouch.lock.
    const vouchLock = await readFile(join(project, 'vouch.lock'));
    await writeFile(join(project, 'node_modules', 'ci-c', 'stray.txt'), 'left by hand\n');
    const again = await vouch(['ci', '--format', 'json'], project);
    expect(again.code, again.stderr).toBe(0);
    expect(await snapshotTree(join(project, 'node_modules'))).toEqual(npmCiTree);
    expect(await readFile(join(project, 'vouch.lock'))).toEqual(vouchLock);
  });

  it('denies only the version vouch.lock lacks when the rest is recorded', async () => {
    const project = await freshCopy('one-missing');
    expect((await vouch(['ci', '--update-lock'], project)).code).toBe(0);
    const lock = parseLock(await readFile(join(project, 'vouch.lock'), 'utf8'), 'vouch.lock');
    delete lock.packages['ci-c'];
    await writeFile(join(project, 'vouch.lock'), serializeLock(lock)); // canonical, as a reviewed lock is
    const before = await snapshotProject(project);
    const result = await vouch(['ci', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(1);
    expect(denied(result.json as ReportJson)).toEqual([['ci-c@1.0.0', ['LOCK_MISSING_ENTRY']]]);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('refuses a vouch.lock that is not canonical (exit 2, LOCK_NOT_CANONICAL with the diff) and leaves node_modules', async () => {
    const project = await freshCopy('not-canonical');
    expect((await vouch(['ci', '--update-lock'], project)).code).toBe(0);
    const lock = JSON.parse(await readFile(join(project, 'vouch.lock'), 'utf8')) as unknown;
    await writeFile(join(project, 'vouch.lock'), JSON.stringify(lock, null, 4));
    const before = await snapshotProject(project);
    const result = await vouch(['ci'], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('LOCK_NOT_CANONICAL');
    expect(result.stderr).toContain(join(project, 'vouch.lock'));
    expect(result.stderr).toMatch(/^\+\s+"lockVersion": 1,$/m);
    expect(await snapshotProject(project)).toEqual(before);
  });
});

describe('vouch ci and package-lock.json', () => {
  const drifts: { name: string; dependencies: Record<string, string> }[] = [
    { name: 'a dependency package.json adds', dependencies: { ...DEPENDENCIES, 'ci-c': '^1.0.0', 'ci-tamper': '^1.0.0' } },
    { name: 'a range the locked version does not satisfy', dependencies: { ...DEPENDENCIES, 'ci-a': '^2.0.0' } },
  ];
  for (const drift of drifts) {
    it(`exits 2 (LOCKFILE_OUT_OF_SYNC) on ${drift.name}, as npm ci refuses, and touches nothing`, async () => {
      const project = await freshCopy('drift');
      expect((await vouch(['ci', '--update-lock'], project)).code).toBe(0);
      await writeProject(project, { dependencies: drift.dependencies });
      const npm = await registry.npm(['ci'], {
        cwd: await copyProject(project, join(await registry.tempDir('npm-drift'), 'p')),
        stateDir: await registry.tempDir('npm-state'),
      });
      expect(npm.code).not.toBe(0);
      expect(npm.stderr).toContain('in sync');

      const before = await snapshotProject(project);
      for (const args of [['ci'], ['ci', '--update-lock']]) {
        const result = await vouch(args, project);
        expect([args.join(' '), result.code]).toEqual([args.join(' '), 2]);
        expect(result.stderr).toContain('LOCKFILE_OUT_OF_SYNC');
        expect(result.stderr).toContain(join(project, 'package-lock.json'));
      }
      expect(await snapshotProject(project)).toEqual(before);
    });
  }

  it('exits 2 without a lockfile (NO_LOCKFILE), as npm ci does', async () => {
    const project = await registry.tempDir('no-lockfile');
    await writeProject(project, { dependencies: DEPENDENCIES });
    const before = await snapshotProject(project);
    const result = await vouch(['ci'], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NO_LOCKFILE');
    expect(await snapshotProject(project)).toEqual(before);
  });
});

describe('vouch ci denies a tampered locked package', () => {
  it('exits 1 with TARBALL_MISMATCH and keeps the node_modules that was there', async () => {
    const project = await registry.tempDir('tamper');
    await writeProject(project, { dependencies: { ...DEPENDENCIES, 'ci-tamper': '^1.0.0' } });
    expect((await vouch(['install'], project)).code).toBe(0);
    const evil = await writePackage(await registry.tempDir('evil'), { name: 'ci-tamper', version: '1.0.0', files: { 'evil.js': 'steal()\n' } });
    await writeFile(storedTarball(registry.storage, 'ci-tamper', '1.0.0'), await packTarball(evil));
    const before = await snapshotProject(project);
    const result = await vouch(['ci', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(1);
    expect(denied(result.json as ReportJson)).toEqual([['ci-tamper@1.0.0', ['TARBALL_MISMATCH']]]);
    expect(await snapshotProject(project)).toEqual(before);
  });
});

describe('vouch ci and a remote-tarball dependency', () => {
  it('installs one the policy allows by name from a cold cache, as npm ci does, and denies it when not allowed', async () => {
    const project = await registry.tempDir('remote');
    const url = `${registry.url}ci-c/-/ci-c-1.0.0.tgz`;
    await writeProject(project, { dependencies: { 'ci-a': '^1.0.0', 'remote-dep': url } });
    const lockOnly = await registry.npm(['install', '--package-lock-only'], { cwd: project, stateDir: await registry.tempDir('npm-state') });
    expect(lockOnly.code, lockOnly.stderr).toBe(0);
    const npmCi = await copyProject(project, join(await registry.tempDir('npm-remote'), 'p'));
    expect((await registry.npm(['ci'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') })).code).toBe(0);

    const before = await snapshotProject(project);
    const deny = await vouch(['ci', '--update-lock', '--format', 'json'], project);
    expect(deny.code).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([[`remote-dep@${url}`, ['SOURCE_NOT_ALLOWED']]]);
    expect(await snapshotProject(project)).toEqual(before);

    await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify({ sources: { remote: ['remote-dep'] } }, null, 2)}\n`);
    const allowed = await vouch(['ci', '--update-lock', '--format', 'json'], project); // a fresh npm cache: nothing prefetched by a build
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await snapshotTree(join(project, 'node_modules'))).toEqual(await snapshotTree(join(npmCi, 'node_modules')));
  });
});
