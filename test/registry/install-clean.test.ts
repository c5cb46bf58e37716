// `vouch install` on a clean tree, against the real signing registry: it installs what npm installs
// (node_modules byte for byte the same as the real `npm ci` makes from the same lockfile), writes the
// lockfile npm writes, records vouch.lock, and runs the install scripts npm 11 would run. A policy or
// lock it cannot read stops it with exit 2 before anything is written.
import { rm, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerScript, writePackages } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, snapshotTree, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface JsonReport {
  decision: string;
  packages: { name: string; version: string; status: string; decision: string; findings: { code: string }[] }[];
}

let registry: TestRegistry;
let markers: string;
const DEPENDENCIES = { 'lib-b': '^1.0.0', 'lib-c': '^1.0.0', '@acme/tool': '^1.0.0' };

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  markers = await registry.tempDir('markers');
  // lib-a twice (1.0.0 hoisted, 2.0.0 nested under lib-c), a scoped package with a bin, and two
  // packages whose postinstall leaves a marker.
  const dirs = await writePackages(root, [
    { name: 'lib-a', version: '1.0.0', files: { 'data.bin': { size: 4096 } } },
    { name: 'lib-a', version: '2.0.0' },
    { name: 'lib-b', version: '1.0.0', dependencies: { 'lib-a': '^1.0.0' }, scripts: { postinstall: markerScript(join(markers, 'lib-b')) } },
    { name: 'lib-c', version: '1.0.0', dependencies: { 'lib-a': '^2.0.0' } },
    {
      name: '@acme/tool',
      version: '1.0.0',
      scripts: { postinstall: markerScript(join(markers, 'acme-tool')) },
      files: { 'bin/tool.js': '#!/usr/bin/env node\nconsole.log("tool");\n' },
      manifest: { bin: { 'acme-tool': 'bin/tool.js' } },
    },
  ]);
  for (const dir of dirs) await registry.publish(dir);
});

afterAll(() => registry?.stop());

/** vouch with its own npm state (npmrc, cache) so no test sees another's cache. */
async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state')) });
}

const findingCodes = (report: JsonReport): string[] => report.packages.flatMap((p) => p.findings.map((f) => `${p.name}@${p.version}:${f.code}`));

describe('vouch install on a clean tree', () => {
  it('installs what npm ci installs from the same lockfile, byte for byte, and records every version in vouch.lock', async () => {
    const project = await registry.tempDir('clean');
    await writeProject(project, { dependencies: DEPENDENCIES });
    const result = await vouch(['install', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(0);
    const report = result.json as JsonReport;
    expect(report.decision).toBe('allow');
    expect(findingCodes(report)).toEqual([]);
    expect(report.packages.map((p) => `${p.name}@${p.version}:${p.status}`)).toEqual([
      '@acme/tool@1.0.0:verified',
      'lib-a@1.0.0:verified',
      'lib-a@2.0.0:verified',
      'lib-b@1.0.0:verified',
      'lib-c@1.0.0:verified',
    ]);

    // The lockfile is npm's: the real npm, asked to lock the same package.json, writes the same bytes.
    const npmLocked = await registry.tempDir('npm-lock-only');
    await writeProject(npmLocked, { dependencies: DEPENDENCIES });
    const lockOnly = await registry.npm(['install', '--package-lock-only'], { cwd: npmLocked, stateDir: await registry.tempDir('npm-state') });
    expect(lockOnly.code, lockOnly.stderr).toBe(0);
    expect(await readFile(join(project, 'package-lock.json'), 'utf8')).toBe(await readFile(join(npmLocked, 'package-lock.json'), 'utf8'));
    expect(await readFile(join(project, 'package.json'), 'utf8')).toBe(await readFile(join(npmLocked, 'package.json'), 'utf8'));

    // npm ci from vouch's lockfile, in a fresh folder with a fresh cache.
    const npmCi = await registry.tempDir('npm-ci');
    await writeFile(join(npmCi, 'package.json'), await readFile(join(project, 'package.json')));
    await writeFile(join(npmCi, 'package-lock.json'), await readFile(join(project, 'package-lock.json')));
    const ci = await registry.npm(['ci'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') });
    expect(ci.code, ci.stderr).toBe(0);
    const ours = await snapshotTree(join(project, 'node_modules'));
    const npms = await snapshotTree(join(npmCi, 'node_modules'));
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.map((e) => e.path)).toContain('lib-c/node_modules/lib-a/package.json');
    expect(ours.find((e) => e.path === '.bin/acme-tool')).toMatchObject({ kind: 'link', target: '../@acme/tool/bin/tool.js' });
    expect(ours.find((e) => e.path === '@acme/tool/bin/tool.js')).toMatchObject({ kind: 'file', mode: '755' });
    expect(ours).toEqual(npms); // every path, kind, permission, symlink target and sha256, .package-lock.json included

    const lock = (await readJson(join(project, 'vouch.lock'))) as { packages: Record<string, { versions: Record<string, { integrity: string }> }> };
    const locked = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string }>;
    };
    const recorded = Object.entries(lock.packages)
      .flatMap(([name, p]) => Object.entries(p.versions).map(([v, e]) => `${name}@${v} ${e.integrity}`))
      .sort();
    const inLockfile = Object.entries(locked.packages)
      .filter(([k]) => k !== '')
      .map(([k, p]) => `${k.replace(/^.*node_modules\//, '')}@${p.version} ${p.integrity}`)
      .sort();
    expect(recorded).toEqual(inLockfile);
  });

  it('--dry-run (and npm_config_dry_run=true) verifies, says it was a dry run, and writes nothing', async () => {
    const project = await registry.tempDir('dry-run');
    await writeProject(project, { dependencies: DEPENDENCIES });
    const before = await snapshotProject(project);
    const flag = await vouch(['install', '--dry-run'], project);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toMatch(/vouch: --dry-run: \d+ packages verified and allowed; nothing was installed or written in the project/);
    expect(await snapshotProject(project)).toEqual(before);
    const env = { ...(await registry.npmEnv(await registry.tempDir('dry-env'))), npm_config_dry_run: 'true' };
    const fromEnv = await runVouch(['install'], { cwd: project, env });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toContain('vouch: --dry-run:');
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('is idempotent: a second vouch install changes no byte of the project', async () => {
    const project = await registry.tempDir('again');
    await writeProject(project, { dependencies: DEPENDENCIES });
    expect((await vouch(['install'], project)).code).toBe(0);
    const before = await snapshotProject(project);
    const again = await vouch(['install', '--format', 'json'], project);
    expect(again.code, again.stderr).toBe(0);
    expect(await snapshotProject(project)).toEqual(before);
    const text = await vouch(['install', '--ignore-scripts'], project);
    expect(text.stdout).toContain('vouch: installed only verified bytes: added 0 packages; install scripts of 2 packages skipped (--ignore-scripts)');
  });
});

describe('install scripts of allowed packages', () => {
  it("runs dependencies' postinstall after a successful install, as npm 11 does when allowScripts does not cover them", async () => {
    await rm(join(markers, 'lib-b'), { force: true });
    await rm(join(markers, 'acme-tool'), { force: true });
    const project = await registry.tempDir('scripts');
    await writeProject(project, { dependencies: DEPENDENCIES });
    const result = await vouch(['install'], project);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(markers, 'lib-b'), 'utf8')).toBe('lib-b@1.0.0');
    expect(await readFile(join(markers, 'acme-tool'), 'utf8')).toBe('@acme/tool@1.0.0');

    // npm 11 itself: an unreviewed dependency script still runs, with an advisory warning.
    await rm(join(markers, 'lib-b'));
    const npmCi = await copyForNpm(project, 'npm-scripts');
    const ci = await registry.npm(['ci'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') });
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stderr).toContain('install-scripts');
    expect(await readFile(join(markers, 'lib-b'), 'utf8')).toBe('lib-b@1.0.0');

    // The closing line counts what npm's does, and says which install scripts ran.
    const npmAdded = /added (\d+) packages?/.exec(ci.stdout)?.[1];
    expect(npmAdded, ci.stdout).toBeDefined();
    expect(result.stdout).toContain(`vouch: installed only verified bytes: added ${npmAdded} packages; install scripts of 2 packages ran`);
  });

  it('skips a script that package.json allowScripts denies, as npm ci does', async () => {
    const project = await registry.tempDir('deny-scripts');
    await writeProject(project, { dependencies: DEPENDENCIES, allowScripts: { 'lib-b': false, '@acme/tool': true } });
    await rm(join(markers, 'lib-b'), { force: true });
    await rm(join(markers, 'acme-tool'), { force: true });
    const npmCi = await registry.tempDir('npm-deny-scripts');
    await writeProject(npmCi, { dependencies: DEPENDENCIES, allowScripts: { 'lib-b': false, '@acme/tool': true } });
    const npmInstall = await registry.npm(['install'], { cwd: npmCi, stateDir: await registry.tempDir('npm-state') });
    expect(npmInstall.code, npmInstall.stderr).toBe(0);
    expect(await readFile(join(markers, 'lib-b'), 'utf8').catch(() => 'absent')).toBe('absent');
    expect(await readFile(join(markers, 'acme-tool'), 'utf8')).toBe('@acme/tool@1.0.0');

    await rm(join(markers, 'acme-tool'));
    const result = await vouch(['install'], project);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(markers, 'lib-b'), 'utf8').catch(() => 'absent')).toBe('absent');
    expect(await readFile(join(markers, 'acme-tool'), 'utf8')).toBe('@acme/tool@1.0.0');
    // Its bin is still linked: npm skips only the lifecycle scripts of a denied package.
    expect(await snapshotTree(join(project, 'node_modules'))).toEqual(await snapshotTree(join(npmCi, 'node_modules')));
  });

  it('under strict-allow-scripts, refuses unreviewed scripts before writing anything, as npm does; reviewed ones run', async () => {
    await rm(join(markers, 'lib-b'), { force: true });
    await rm(join(markers, 'acme-tool'), { force: true });
    const strict = await registry.tempDir('strict');
    await writeProject(strict, { dependencies: DEPENDENCIES, allowScripts: { '@acme/tool': true } });
    await writeFile(join(strict, '.npmrc'), 'strict-allow-scripts=true\n');
    const npmDir = await copyProject(strict, join(await registry.tempDir('npm-strict'), 'p'));
    const npmInstall = await registry.npm(['install'], { cwd: npmDir, stateDir: await registry.tempDir('npm-state') });
    expect(npmInstall.code).not.toBe(0);
    expect(npmInstall.stderr).toContain('ESTRICTALLOWSCRIPTS');

    const before = await snapshotProject(strict);
    const refused = await vouch(['install'], strict);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('SCRIPTS_UNREVIEWED');
    expect(refused.stderr).toContain('lib-b@1.0.0');
    expect(refused.stderr).not.toContain('@acme/tool@1.0.0');
    expect(await snapshotProject(strict)).toEqual(before);
    expect(await readFile(join(markers, 'acme-tool'), 'utf8').catch(() => 'absent')).toBe('absent');

    await writeProject(strict, { dependencies: DEPENDENCIES, allowScripts: { '@acme/tool': true, 'lib-b': false } });
    const reviewed = await vouch(['install'], strict);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(await readFile(join(markers, 'acme-tool'), 'utf8')).toBe('@acme/tool@1.0.0');
    expect(await readFile(join(markers, 'lib-b'), 'utf8').catch(() => 'absent')).toBe('absent');
  });

  it("runs the project's own install lifecycle after `vouch install` and `vouch ci` as npm does, not after `vouch install <pkg>`", async () => {
    const project = await registry.tempDir('root-scripts');
    const rootMarker = join(markers, 'root');
    const scripts = { postinstall: markerScript(rootMarker), prepare: 'echo prepare-ran-on-stdout' };
    await writeProject(project, { dependencies: { 'lib-a': '^1.0.0' }, scripts });
    const npmDir = await copyProject(project, join(await registry.tempDir('npm-root-scripts'), 'p'));
    expect((await registry.npm(['install'], { cwd: npmDir, stateDir: await registry.tempDir('npm-state') })).code).toBe(0);
    expect(await readFile(rootMarker, 'utf8')).toBe('consumer@1.0.0');
    await rm(rootMarker);

    const install = await vouch(['install', '--format', 'json'], project);
    expect(install.code, install.stderr).toBe(0);
    expect(await readFile(rootMarker, 'utf8')).toBe('consumer@1.0.0');
    expect(install.json).toMatchObject({ decision: 'allow' }); // script output never lands in the JSON on stdout
    expect(install.stderr).toContain('prepare-ran-on-stdout');
    await rm(rootMarker);

    expect((await vouch(['install', 'lib-b'], project)).code).toBe(0);
    expect(await readFile(rootMarker, 'utf8').catch(() => 'absent')).toBe('absent');

    expect((await vouch(['ci'], project)).code).toBe(0);
    expect(await readFile(rootMarker, 'utf8')).toBe('consumer@1.0.0');
    await rm(rootMarker);
  });

  it('fails with exit 1 (INSTALL_SCRIPT_FAILED) when an install script fails, as npm fails', async () => {
    const project = await registry.tempDir('failing-script');
    await writeProject(project, { dependencies: { 'lib-a': '^1.0.0' }, scripts: { postinstall: 'node -e "process.exit(3)"' } });
    const npmDir = await copyProject(project, join(await registry.tempDir('npm-failing'), 'p'));
    expect((await registry.npm(['install'], { cwd: npmDir, stateDir: await registry.tempDir('npm-state') })).code).not.toBe(0);
    const result = await vouch(['install'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('INSTALL_SCRIPT_FAILED');
    expect(result.stderr).not.toContain('bug in vouch');
  });

  it('runs no script under --ignore-scripts', async () => {
    await rm(join(markers, 'lib-b'), { force: true });
    const project = await registry.tempDir('ignore-scripts');
    await writeProject(project, { dependencies: DEPENDENCIES });
    const result = await vouch(['install', '--ignore-scripts'], project);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(markers, 'lib-b'), 'utf8').catch(() => 'absent')).toBe('absent');
  });
});

describe('a policy or lock vouch cannot read', () => {
  let installed: string;
  beforeAll(async () => {
    installed = await registry.tempDir('installed');
    await writeProject(installed, { dependencies: { 'lib-a': '^1.0.0' } });
    const result = await vouch(['install'], installed);
    expect(result.code, result.stderr).toBe(0);
  });

  const cases: { name: string; file: string; text: string; code: string; path: string }[] = [
    {
      name: 'a policy with an unknown key',
      file: 'vouch.policy.json',
      text: '{\n  "defaults": { "provenence": "require" }\n}\n',
      code: 'POLICY_SCHEMA',
      path: 'defaults.provenence',
    },
    {
      name: 'a policy that is not JSON',
      file: 'vouch.policy.json',
      text: '{\n  "defaults": { "signatures": "require", }\n}\n',
      code: 'POLICY_PARSE',
      path: 'line 2',
    },
    {
      name: 'a lock with a bad lockVersion',
      file: 'vouch.lock',
      text: '{\n  "lockVersion": 7,\n  "packages": {}\n}\n',
      code: 'LOCK_SCHEMA',
      path: 'lockVersion',
    },
    {
      name: 'a lock with merge conflict markers',
      file: 'vouch.lock',
      text: '{\n<<<<<<< HEAD\n  "lockVersion": 1,\n=======\n>>>>>>> other\n}\n',
      code: 'LOCK_PARSE',
      path: 'line 2',
    },
  ];
  for (const c of cases) {
    it(`stops with exit 2 on ${c.name}, naming the file and where, and writes nothing`, async () => {
      const project = await copyProject(installed, join(await registry.tempDir('broken'), 'project'));
      await writeFile(join(project, c.file), c.text);
      const before = await snapshotProject(project);
      for (const args of [['install', 'lib-b'], ['install'], ['ci']]) {
        const result = await vouch(args, project);
        expect([args.join(' '), result.code]).toEqual([args.join(' '), 2]);
        expect(result.stderr).toContain(c.code);
        expect(result.stderr).toContain(join(project, c.file));
        expect(result.stderr).toContain(c.path);
        expect(await snapshotProject(project)).toEqual(before);
      }
    });
  }
});

/** A fresh folder with the project's package.json and package-lock.json, for the real npm ci. */
async function copyForNpm(project: string, label: string): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeFile(join(dir, 'package.json'), await readFile(join(project, 'package.json')));
  await writeFile(join(dir, 'package-lock.json'), await readFile(join(project, 'package-lock.json')));
  return dir;
}
