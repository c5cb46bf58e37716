// `vouch diff <base>` on lockfile pull requests, through the real registry, the real npm and real git: a
// project committed in a git repository, then a "pull request" commit on top, and `vouch diff HEAD~1`
// (or a base lockfile file) read the way a reviewer would. Each case starts from a copy of one project.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffJson } from '../../lib/cli/render/diff.js';
import { lockfileLineIndex } from '../../lib/cli/render/lockfile-lines.js';
import { writePackage } from '../support/packages.js';
import { copyProject, snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

const run = promisify(execFile);

interface Lockfile {
  packages: Record<string, Record<string, unknown>>;
}

let registry: TestRegistry;
let base: string;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  await registry.publish(await writePackage(root, { name: 'plain', version: '1.0.0' }));
  await registry.publish(await writePackage(root, { name: 'plain', version: '1.1.0', dependencies: { helper: '^1.0.0' } }));
  await registry.publish(await writePackage(root, { name: 'helper', version: '1.0.0' }));
  await registry.publish(await writePackage(root, { name: 'scripted', version: '1.0.0', scripts: { postinstall: 'node -e "process.exitCode = 0"' } }));
  await registry.publish(await writePackage(root, { name: 'evil', version: '1.0.0' }));
  base = join(await registry.tempDir('base'), 'project');
  await writeProject(base, { dependencies: { plain: '1.0.0' } });
  await writeFile(join(base, '.gitignore'), 'node_modules/\n');
  await npm(['install'], base);
  await git(base, ['init', '-q']);
  await commit(base, 'base');
}, 300_000);

afterAll(() => registry?.stop());

describe('vouch diff on a lockfile pull request', () => {
  it('names a new package with a postinstall and its script, and denies it under the default policy (exit 1)', async () => {
    const project = await copy('postinstall');
    await npm(['install', 'scripted@1.0.0'], project);
    await commit(project, 'add scripted');
    const before = await snapshotProject(project);

    const result = await vouch(['diff', 'HEAD~1', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const diff = result.json as DiffJson;
    expect(diff.decision).toBe('deny');
    expect(diff.summary).toMatchObject({ added: 1, changed: 0, removed: 0, denied: 1 });
    const entry = diff.packages.find((p) => p.name === 'scripted');
    expect(entry).toMatchObject({
      kind: 'added',
      version: '1.0.0',
      hasInstallScript: true,
      decision: 'deny',
      status: 'verified',
      scripts: { postinstall: 'node -e "process.exitCode = 0"' },
    });
    expect(entry?.findings.map((f) => f.code)).toEqual(['INSTALL_SCRIPT_ADDED']);
    expect(entry?.released?.time).toMatch(/^\d{4}-/);

    const text = await vouch(['diff', 'HEAD~1'], project);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('+ scripted@1.0.0');
    expect(text.stdout).toContain('install scripts: postinstall: node -e "process.exitCode = 0"');
    expect(text.stdout).toContain('INSTALL_SCRIPT_ADDED');
    expect(await snapshotProject(project)).toEqual(before); // writes nothing

    // Someone read the script: a dated exception in vouch.policy.json, and the same diff passes.
    const approve = await vouch(
      ['approve', 'scripted@1.0.0', '--allow', 'INSTALL_SCRIPT_ADDED', '--reason', 'reviewed the postinstall', '--by', 'rev@example.test'],
      project,
    );
    expect(approve.code, approve.stdout + approve.stderr).toBe(0);
    const accepted = await vouch(['diff', 'HEAD~1', '--format', 'json'], project);
    expect(accepted.code, accepted.stdout + accepted.stderr).toBe(0);
    const waived = (accepted.json as DiffJson).packages.find((p) => p.name === 'scripted');
    expect(waived).toMatchObject({ decision: 'allow', findings: [] });
    expect(waived?.waived.map((w) => w.code)).toEqual(['INSTALL_SCRIPT_ADDED']);
  });

  it('denies an entry injected into package-lock.json with an unchanged package.json (LOCKFILE_UNREQUESTED), and SARIF points at its line', async () => {
    const project = await copy('injected');
    const evil = await registryEntry('evil', '1.0.0');
    await editLockfile(project, (lock) => {
      lock.packages['node_modules/evil'] = evil;
    });
    await commit(project, 'lockfile only');

    const result = await vouch(['diff', 'HEAD~1', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const entry = (result.json as DiffJson).packages.find((p) => p.name === 'evil');
    expect(entry).toMatchObject({ kind: 'added', version: '1.0.0', locations: ['node_modules/evil'], decision: 'deny' });
    expect(entry?.findings.map((f) => f.code)).toEqual(['LOCKFILE_UNREQUESTED']);

    const sarif = await vouch(['diff', 'HEAD~1', '--format', 'sarif'], project);
    expect(sarif.code).toBe(1);
    const results = (sarif.json as Log).runs[0]?.results ?? [];
    expect(results.map((r) => r.ruleId)).toEqual(['LOCKFILE_UNREQUESTED']);
    const line = lockfileLineIndex(await readFile(join(project, 'package-lock.json'), 'utf8')).get('node_modules/evil');
    expect(line).toBeGreaterThan(1);
    expect(results[0]?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'package-lock.json', uriBaseId: '%SRCROOT%' },
      region: { startLine: line },
    });
  });

  it('denies a locked version outside the range package.json declares, when package.json did not change (LOCKFILE_OUT_OF_RANGE)', async () => {
    const project = await copy('out-of-range');
    const newer = await registryEntry('plain', '1.1.0');
    await editLockfile(project, (lock) => {
      lock.packages['node_modules/plain'] = { ...newer, dependencies: undefined };
    });
    await commit(project, 'lockfile only');

    const result = await vouch(['diff', 'HEAD~1', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const entry = (result.json as DiffJson).packages.find((p) => p.name === 'plain');
    expect(entry).toMatchObject({ kind: 'changed', version: '1.1.0', from: ['1.0.0'], decision: 'deny' });
    expect(entry?.findings.map((f) => f.code)).toEqual(['LOCKFILE_OUT_OF_RANGE']);
    expect(entry?.findings[0]?.message).toContain('package.json did not change it');
  });

  it('denies a `resolved` that changed while the version stayed (LOCKFILE_RESOLVED_CHANGED), against a base lockfile file', async () => {
    const project = await copy('resolved');
    const baseFile = join(await registry.tempDir('base-file'), 'base-lock.json');
    await writeFile(baseFile, await readFile(join(project, 'package-lock.json')));
    await editLockfile(project, (lock) => {
      const entry = lock.packages['node_modules/plain'] ?? {};
      entry['resolved'] = 'https://evil.example/plain/-/plain-1.0.0.tgz';
    });

    const result = await vouch(['diff', baseFile, '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const diff = result.json as DiffJson;
    expect(diff.base).toBe(baseFile);
    const entry = diff.packages.find((p) => p.name === 'plain');
    expect(entry).toMatchObject({ kind: 'changed', version: '1.0.0', changed: ['resolved'] });
    expect(entry?.findings.map((f) => f.code)).toContain('LOCKFILE_RESOLVED_CHANGED');
  });

  it('lists an ordinary bump made with npm as changed, its new dependency as added, and allows it (exit 0)', async () => {
    const project = await copy('bump');
    await npm(['install', 'plain@1.1.0'], project);
    await commit(project, 'bump plain');

    const result = await vouch(['diff', 'HEAD~1', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const diff = result.json as DiffJson;
    expect(diff.summary).toMatchObject({ added: 1, changed: 1, removed: 0, denied: 0 });
    expect(diff.packages.map((p) => [p.kind, p.name, p.version, p.decision, p.findings.length])).toEqual([
      ['added', 'helper', '1.0.0', 'allow', 0],
      ['changed', 'plain', '1.1.0', 'allow', 0],
    ]);
    expect(diff.packages[1]).toMatchObject({ from: ['1.0.0'], newDependencies: ['helper'] });

    const text = await vouch(['diff', 'HEAD~1'], project);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('~ plain 1.0.0 → 1.1.0');
  });

  it('refuses a base that is neither a file nor a git revision (exit 2)', async () => {
    const result = await vouch(['diff', 'no-such-branch'], await copy('usage'));
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('neither a file nor a git revision');
  });
});

async function copy(label: string): Promise<string> {
  return copyProject(base, join(await registry.tempDir(label), 'project'));
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
}

async function npm(args: string[], cwd: string): Promise<void> {
  const result = await registry.npm(args, { cwd, stateDir: await registry.tempDir('npm-state'), retries: 'npm-default' });
  expect(result.code, result.stderr).toBe(0);
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.email=dev@example.test', '-c', 'user.name=dev', '-c', 'commit.gpgsign=false', ...args], { cwd });
  return stdout;
}

async function commit(cwd: string, message: string): Promise<void> {
  await git(cwd, ['add', '-A']);
  await git(cwd, ['commit', '-q', '-m', message]);
}

async function editLockfile(project: string, edit: (lock: Lockfile) => void): Promise<void> {
  const file = join(project, 'package-lock.json');
  const lock = JSON.parse(await readFile(file, 'utf8')) as Lockfile;
  edit(lock);
  await writeFile(file, `${JSON.stringify(lock, null, 2)}\n`);
}

// A lockfile entry for name@version as npm writes one, from the registry's own metadata.
async function registryEntry(name: string, version: string): Promise<Record<string, unknown>> {
  const doc = (await registry.get(name)).json as {
    versions: Record<string, { dist: { tarball: string; integrity: string }; dependencies?: Record<string, string> }>;
  };
  const v = doc.versions[version];
  if (!v) throw new Error(`${name}@${version} is not in the registry`);
  return { version, resolved: v.dist.tarball, integrity: v.dist.integrity, license: 'MIT', ...(v.dependencies ? { dependencies: v.dependencies } : {}) };
}
