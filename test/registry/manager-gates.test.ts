// vouch's gate inside the real pnpm, Yarn Berry and Bun (the devDependencies' builds), against the test
// registry: an allowed tree installs exactly as the same manager installs it without the gate, and a
// tampered package (bytes replaced in the registry's storage, or a signature replayed from another
// version) stops the install before anything is linked, with node_modules and the lockfile untouched.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { packTarball } from '../support/npm.js';
import { writePackage, type PackageSpec } from '../support/packages.js';
import { snapshotTree, writeProject } from '../support/project.js';
import { recordsFile, storedTarball } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, VOUCH_BIN } from '../support/vouch.js';

interface Run {
  code: number;
  output: string;
}

let registry: TestRegistry;
let packages: string;

const PNPM = packagePath('node_modules', 'pnpm', 'bin', 'pnpm.cjs');
const YARN = packagePath('node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
const BUN = packagePath('node_modules', '.bin', 'bun');
const PNPMFILE = packagePath('integrations', 'pnpmfile.cjs');
const YARN_PLUGIN = packagePath('integrations', 'yarn-plugin.cjs');
const BUN_SCANNER = packagePath('integrations', 'bun-scanner.mjs');

const CLEAN = { 'gate-left': '^1.0.0' };

beforeAll(async () => {
  registry = await startRegistry();
  packages = await registry.tempDir('packages');
  await publish({ name: 'gate-right', version: '1.0.0' });
  await publish({ name: 'gate-left', version: '1.0.0', dependencies: { 'gate-right': '^1.0.0' } });
  // bytes in storage replaced after publish: the registry still serves and signs the integrity it recorded
  await publish({ name: 'gate-evil', version: '1.0.0' });
  const evil = await writePackage(await registry.tempDir('evil'), { name: 'gate-evil', version: '1.0.0', files: { 'evil.js': 'steal()\n' } });
  await writeFile(storedTarball(registry.storage, 'gate-evil', '1.0.0'), await packTarball(evil));
  // a real registry signature replayed from another version: the served integrity is the true one
  await publish({ name: 'gate-forged', version: '1.0.0' });
  await publish({ name: 'gate-forged', version: '1.0.1' });
  await forgeSignature('gate-forged');
  await publish({ name: 'gate-later', version: '1.0.0' });
  await publish({ name: 'gate-later', version: '1.0.1' });
}, 300_000);

afterAll(() => registry?.stop());

describe('vouch verify --packages', () => {
  it('hashes the tarballs of packages listed without integrity: true bytes pass, replaced bytes are INTEGRITY_MISMATCH', async () => {
    const project = await registry.tempDir('list');
    await writeProject(project, {});
    const list = {
      manager: 'bun',
      packages: [
        { name: 'gate-left', version: '1.0.0' },
        { name: 'gate-evil', version: '1.0.0', tarball: `${registry.url}gate-evil/-/gate-evil-1.0.0.tgz` },
      ],
    };
    await writeFile(join(project, 'list.json'), JSON.stringify(list));
    const result = await runVouch(['verify', '--packages', 'list.json', '--format', 'json'], {
      cwd: project,
      env: await registry.npmEnv(await registry.tempDir('state'), { retries: 'npm-default' }),
    });
    expect(result.code, result.stderr).toBe(1);
    expect(denied(result.json as ReportJson)).toEqual([['gate-evil@1.0.0', ['INTEGRITY_MISMATCH']]]);
  });

  it('refuses a malformed list with exit 2, naming each JSON path', async () => {
    const project = await registry.tempDir('bad-list');
    await writeProject(project, {});
    await writeFile(join(project, 'list.json'), JSON.stringify({ manager: 'bun', packages: [{ name: 'gate-left', version: '^1' }] }));
    const result = await runVouch(['verify', '--packages', 'list.json'], {
      cwd: project,
      env: await registry.npmEnv(await registry.tempDir('state'), { retries: 'npm-default' }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PACKAGE_LIST_PARSE');
    expect(result.stderr).toContain('packages[0].version');
  });
});

describe('pnpm with .pnpmfile.cjs (preResolution + afterAllResolved)', () => {
  it('installs an allowed tree as pnpm does without the gate', async () => {
    const plain = await pnpmProject('pnpm-plain', CLEAN, false);
    const gated = await pnpmProject('pnpm-gated', CLEAN, true);
    expect(await pnpm(plain, ['install'])).toMatchObject({ code: 0 });
    const run = await pnpm(gated, ['install']);
    expect(run.code, run.output).toBe(0);
    expect(await nodeModules(gated, PNPM_STATE)).toEqual(await nodeModules(plain, PNPM_STATE));
    expect(withoutPnpmfileChecksum(await readFile(join(gated, 'pnpm-lock.yaml'), 'utf8'))).toBe(
      withoutPnpmfileChecksum(await readFile(join(plain, 'pnpm-lock.yaml'), 'utf8')),
    );
  });

  it('refuses a resolved tree with a forged signature: pnpm aborts, node_modules and pnpm-lock.yaml untouched', async () => {
    const project = await pnpmProject('pnpm-deny', CLEAN, true);
    expect((await pnpm(project, ['install'])).code).toBe(0);
    await writeProject(project, { dependencies: { ...CLEAN, 'gate-forged': '1.0.0' } });
    const before = await fingerprint(project, 'pnpm-lock.yaml');
    const run = await pnpm(project, ['install']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('ERR_PNPM_VOUCH_DENIED');
    expect(run.output).toMatch(/gate-forged@1\.0\.0\s+SIGNATURE_INVALID/);
    expect(await fingerprint(project, 'pnpm-lock.yaml')).toEqual(before);
  });

  it('judges the lockfile of a frozen install too (no resolution, no afterAllResolved)', async () => {
    const project = await pnpmProject('pnpm-frozen', { ...CLEAN, 'gate-later': '1.0.0' }, true);
    expect((await pnpm(project, ['install'])).code).toBe(0);
    await forgeSignature('gate-later');
    const before = await fingerprint(project, 'pnpm-lock.yaml');
    const run = await pnpm(project, ['install', '--frozen-lockfile']);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/gate-later@1\.0\.0\s+SIGNATURE_INVALID/);
    expect(await fingerprint(project, 'pnpm-lock.yaml')).toEqual(before);
  });
});

describe('Yarn Berry with the vouch plugin (before the fetch step)', () => {
  it('installs an allowed tree as Yarn does without the plugin', async () => {
    const plain = await yarnProject('yarn-plain', CLEAN, false);
    const gated = await yarnProject('yarn-gated', CLEAN, true);
    expect(await yarn(plain, ['install'])).toMatchObject({ code: 0 });
    const run = await yarn(gated, ['install']);
    expect(run.code, run.output).toBe(0);
    expect(await nodeModules(gated, [])).toEqual(await nodeModules(plain, []));
    expect(await readFile(join(gated, 'yarn.lock'), 'utf8')).toBe(await readFile(join(plain, 'yarn.lock'), 'utf8'));
  });

  it('refuses a tampered tarball (hashed by vouch: Yarn records no npm integrity), also with --immutable', async () => {
    const project = await yarnProject('yarn-deny', CLEAN, true);
    expect((await yarn(project, ['install'])).code).toBe(0);
    await writeProject(project, { dependencies: { ...CLEAN, 'gate-evil': '1.0.0' } });
    const before = await fingerprint(project, 'yarn.lock');
    const run = await yarn(project, ['install']);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/gate-evil@1\.0\.0[\s\S]*INTEGRITY_MISMATCH/);
    expect(run.output).not.toContain('Link step');
    expect(await fingerprint(project, 'yarn.lock')).toEqual(before);
    const immutable = await yarn(project, ['install', '--immutable']);
    expect(immutable.code).not.toBe(0);
    expect(await fingerprint(project, 'yarn.lock')).toEqual(before);
  });
});

describe('Bun with the vouch security scanner', () => {
  it('installs an allowed tree as Bun does without the scanner', async () => {
    const plain = await bunProject('bun-plain', CLEAN, false);
    const gated = await bunProject('bun-gated', CLEAN, true);
    expect(await bun(plain, ['install'])).toMatchObject({ code: 0 });
    const run = await bun(gated, ['install']);
    expect(run.code, run.output).toBe(0);
    expect(await nodeModules(gated, [])).toEqual(await nodeModules(plain, []));
    expect(await readFile(join(gated, 'bun.lock'), 'utf8')).toBe(await readFile(join(plain, 'bun.lock'), 'utf8'));
  });

  it('turns a tampered tarball into a fatal advisory: Bun aborts, node_modules and bun.lock untouched', async () => {
    const project = await bunProject('bun-deny', CLEAN, true);
    expect((await bun(project, ['install'])).code).toBe(0);
    await writeProject(project, { dependencies: { ...CLEAN, 'gate-evil': '1.0.0' } });
    const before = await fingerprint(project, 'bun.lock');
    const run = await bun(project, ['install']);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/FATAL: gate-evil[\s\S]*INTEGRITY_MISMATCH/);
    expect(await fingerprint(project, 'bun.lock')).toEqual(before);
  });

  it('throws when vouch cannot decide (an unreadable policy): Bun aborts', async () => {
    const project = await bunProject('bun-broken', CLEAN, true);
    await writeFile(join(project, 'vouch.policy.json'), '{ broken');
    const run = await bun(project, ['install']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('POLICY_PARSE');
    expect(await fingerprint(project, 'bun.lock')).toEqual([
      { path: 'bun.lock', kind: 'absent' },
      { path: 'node_modules', kind: 'absent' },
    ]);
  });
});

async function publish(spec: PackageSpec): Promise<void> {
  await registry.publish(await writePackage(packages, spec));
}

/** Gives version 1.0.0 the registry signature of 1.0.1: a real signature, over another message. */
async function forgeSignature(name: string): Promise<void> {
  const file = recordsFile(registry.storage, name);
  const records = JSON.parse(await readFile(file, 'utf8')) as { versions: Record<string, { sig: string }> };
  records.versions['1.0.0']!.sig = records.versions['1.0.1']!.sig;
  await writeFile(file, JSON.stringify(records));
}

// pnpm's node_modules records its store path, when it last pruned and validated, and which pnpmfiles ran;
// its copy of the lockfile carries the pnpmfile's checksum: none of it says what was installed.
const PNPM_STATE = ['.modules.yaml', '.pnpm/lock.yaml', '.pnpm-workspace-state-v1.json'];
const withoutPnpmfileChecksum = (text: string): string => text.replace(/^pnpmfileChecksum: .*\n\n/m, '');

async function nodeModules(project: string, ignore: readonly string[]) {
  return snapshotTree(join(project, 'node_modules'), { ignore });
}

/** node_modules and the lockfile, byte for byte. */
async function fingerprint(project: string, lockfile: string) {
  const lock = await readFile(join(project, lockfile)).then(
    (b) => createHash('sha256').update(b).digest('hex'),
    () => null,
  );
  return [
    lock === null ? { path: lockfile, kind: 'absent' } : { path: lockfile, sha256: lock },
    ...(await snapshotTree(join(project, 'node_modules'), { prefix: 'node_modules' })),
  ];
}

async function pnpmProject(label: string, dependencies: Record<string, string>, gated: boolean): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, { dependencies });
  await writeFile(join(dir, '.npmrc'), `registry=${registry.url}\nupdate-notifier=false\n`);
  if (gated) await writeFile(join(dir, '.pnpmfile.cjs'), `module.exports = require(${JSON.stringify(PNPMFILE)});\n`);
  return dir;
}

async function yarnProject(label: string, dependencies: Record<string, string>, gated: boolean): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, { dependencies });
  const host = new URL(registry.url).hostname;
  await writeFile(
    join(dir, '.yarnrc.yml'),
    [
      `npmRegistryServer: "${registry.url}"`,
      `unsafeHttpWhitelist: ["${host}"]`,
      'nodeLinker: node-modules',
      `cacheFolder: "${join(dir, '..', `${label}-yarn-cache`)}"`,
      'enableGlobalCache: false',
      'enableTelemetry: false',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'yarn.lock'), ''); // a project of its own, not a workspace of the temp folder's parent
  if (gated) {
    const imported = await yarn(dir, ['plugin', 'import', YARN_PLUGIN]);
    expect(imported.code, imported.output).toBe(0);
  }
  return dir;
}

async function bunProject(label: string, dependencies: Record<string, string>, gated: boolean): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, { dependencies });
  await writeFile(
    join(dir, 'bunfig.toml'),
    ['[install]', `registry = "${registry.url}"`, ...(gated ? ['[install.security]', `scanner = "${BUN_SCANNER}"`] : []), ''].join('\n'),
  );
  return dir;
}

async function managerEnv(project: string): Promise<NodeJS.ProcessEnv> {
  const state = await registry.tempDir('manager-state');
  const { CI: _ci, ...inherited } = await registry.npmEnv(state, { retries: 'npm-default' }); // pnpm would go frozen
  return {
    ...inherited,
    VOUCH_BIN,
    PNPM_HOME: join(state, 'pnpm-home'),
    XDG_CACHE_HOME: join(state, 'xdg-cache'),
    XDG_DATA_HOME: join(state, 'xdg-data'),
    XDG_STATE_HOME: join(state, 'xdg-state'),
    YARN_GLOBAL_FOLDER: join(state, 'yarn-global'),
    YARN_ENABLE_TELEMETRY: '0',
    BUN_INSTALL_CACHE_DIR: join(project, '..', 'bun-cache'),
    DO_NOT_TRACK: '1',
  };
}

async function pnpm(project: string, args: string[]): Promise<Run> {
  return run(process.execPath, [PNPM, ...args, '--store-dir', join(project, '..', 'pnpm-store')], project);
}

async function yarn(project: string, args: string[]): Promise<Run> {
  return run(process.execPath, [YARN, ...args], project);
}

async function bun(project: string, args: string[]): Promise<Run> {
  return run(BUN, args, project);
}

async function run(exe: string, args: string[], cwd: string): Promise<Run> {
  const env = await managerEnv(cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
