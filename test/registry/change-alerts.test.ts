// Change alerts end to end, with the real npm and a real registry: a project on x@1.0.0 updates to 1.1.0,
// which adds a postinstall (allowScripts approved the package: denied until `vouch approve`), a binding.gyp
// (npm's implicit node-gyp rebuild), a bin, or a dependency; every test package is published seconds
// after its predecessor, so each update is a QUICK_RELEASE (warned by default, off when the policy says).
// A denied update leaves the project byte-for-byte untouched and runs no script.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTarball } from '../support/npm.js';
import { markerScript, publishBody, writePackage, type PackageSpec } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;
let root: string;
let markers: string;
let base: string;
const marker = () => join(markers, 'postinstall');

const publish = async (spec: PackageSpec) => registry.publish(await writePackage(root, spec));

/** npm's tarball with a version document naming `_npmUser`, as the public registry records it (Verdaccio records none). */
async function publishAs(spec: PackageSpec, npmUser: Record<string, unknown>): Promise<void> {
  const tarball = await packTarball(await writePackage(root, spec));
  const put = await registry.put(
    encodeURIComponent(spec.name),
    publishBody({
      name: spec.name,
      version: spec.version,
      tarball,
      registry: registry.url,
      manifest: { description: 'raw', license: 'MIT', main: 'index.js', _npmUser: npmUser },
    }),
  );
  if (put.status !== 201) throw new Error(`publish ${spec.name}@${spec.version}: ${put.status} ${put.text}`);
}

beforeAll(async () => {
  registry = await startRegistry();
  root = await registry.tempDir('packages');
  markers = await registry.tempDir('markers');
  await publish({ name: 'helper', version: '1.0.0' });
  for (const name of ['scripted', 'gyp-w', 'bin-w', 'dep-w']) await publish({ name, version: '1.0.0' });
  await publish({ name: 'scripted', version: '1.1.0', scripts: { postinstall: markerScript(marker()) } });
  await publish({ name: 'gyp-w', version: '1.1.0', files: { 'binding.gyp': `${JSON.stringify({ targets: [{ target_name: 'noop', type: 'none' }] })}\n` } });
  await publish({ name: 'bin-w', version: '1.1.0', manifest: { bin: { 'bin-w': 'index.js' } } });
  await publish({ name: 'dep-w', version: '1.1.0', dependencies: { helper: '1.0.0' } });
  await publish({ name: 'changed-w', version: '1.0.0', scripts: { postinstall: 'node -e "0"' } });
  await publish({ name: 'changed-w', version: '1.1.0', scripts: { postinstall: markerScript(marker()) } });
  await publishAs({ name: 'pub-w', version: '1.0.0' }, { name: 'alice', email: 'alice@example.test' });
  await publishAs({ name: 'pub-w', version: '1.1.0' }, { name: 'mallory', email: 'mallory@example.test' });
  await publishAs(
    { name: 'oidc-w', version: '1.0.0' },
    { name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com', trustedPublisher: { id: 'github', oidcConfigId: 'oidc:1' } },
  );
  await publishAs({ name: 'oidc-w', version: '1.1.0' }, { name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com' });

  base = await registry.tempDir('base');
  await writeProject(base, {
    dependencies: { scripted: '1.0.0', 'gyp-w': '1.0.0', 'bin-w': '1.0.0', 'dep-w': '1.0.0', 'pub-w': '1.0.0', 'oidc-w': '1.0.0', 'changed-w': '1.0.0' },
    allowScripts: { scripted: true, 'changed-w': true },
  });
  const installed = await vouch(['install'], base);
  expect(installed.code, installed.stdout + installed.stderr).toBe(0);
}, 300_000);

afterAll(() => registry?.stop());

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('state'), { retries: 'npm-default' }) });
}

async function copy(label: string): Promise<string> {
  return copyProject(base, join(await registry.tempDir(label), 'p'));
}

type Pkg = ReportJson['packages'][number];
const pkgOf = (r: VouchResult, id: string): Pkg => (r.json as ReportJson).packages.find((p) => `${p.name}@${p.version}` === id)!;
const codesOf = (p: Pkg) => p.findings.map((f) => [f.code, f.severity]);
const absent = async (file: string) => (await readFile(file, 'utf8').catch(() => 'absent')) === 'absent';

describe('an update that adds an install script', () => {
  it('is denied (INSTALL_SCRIPT_ADDED) when allowScripts approved the package; vouch approve records an exception, then it installs and the script runs', async () => {
    await rm(marker(), { force: true });
    const project = await copy('script');
    const before = await snapshotProject(project);
    const deny = await vouch(['install', 'scripted@1.1.0', '--format', 'json'], project);
    expect(deny.code, deny.stderr).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([['scripted@1.1.0', ['INSTALL_SCRIPT_ADDED']]]);
    const added = pkgOf(deny, 'scripted@1.1.0').findings.find((f) => f.code === 'INSTALL_SCRIPT_ADDED')!;
    expect(added.message).toContain('replaces 1.0.0 (package-lock.json)');
    expect(added.message).toContain('postinstall');
    expect(added.message).toContain('allowScripts approves');
    expect(added.rule).toBe('default.changeAlerts.installScripts');
    expect(await snapshotProject(project)).toEqual(before);
    expect(await absent(marker())).toBe(true);

    // The text report says the same.
    const text = await vouch(['install', 'scripted@1.1.0'], project);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('INSTALL_SCRIPT_ADDED');

    const approval = await vouch(
      ['approve', 'scripted@1.1.0', '--reason', 'postinstall reviewed: builds a cache', '--by', 'jane@example.test', '--expires', '2099-01-01'],
      project,
    );
    expect(approval.code, approval.stdout + approval.stderr).toBe(0);
    const policy = (await readJson(join(project, 'vouch.policy.json'))) as { exceptions: Record<string, unknown[]> };
    expect(policy.exceptions).toEqual({
      scripted: [
        {
          versions: '1.1.0',
          allow: ['INSTALL_SCRIPT_ADDED'],
          reason: 'postinstall reviewed: builds a cache',
          approvedBy: 'jane@example.test',
          expires: '2099-01-01',
        },
      ],
    });

    const again = await vouch(['install', 'scripted@1.1.0', '--format', 'json'], project);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const judged = pkgOf(again, 'scripted@1.1.0');
    expect(judged.waived?.map((w) => w.code)).toEqual(['INSTALL_SCRIPT_ADDED']);
    expect(await readFile(marker(), 'utf8')).toBe('scripted@1.1.0');
    const lock = (await readJson(join(project, 'vouch.lock'))) as { packages: Record<string, { versions: Record<string, unknown> }> };
    expect(Object.keys(lock.packages['scripted']!.versions).sort()).toEqual(['1.0.0', '1.1.0']);
  });

  it('is only warned when allowScripts denies the package (npm will not run the script)', async () => {
    await rm(marker(), { force: true });
    const project = await copy('script-denied');
    const manifest = (await readJson(join(project, 'package.json'))) as Record<string, unknown>;
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ ...manifest, allowScripts: { scripted: false } }, null, 2)}\n`);
    const result = await vouch(['install', 'scripted@1.1.0', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(codesOf(pkgOf(result, 'scripted@1.1.0'))).toContainEqual(['INSTALL_SCRIPT_ADDED', 'warn']);
    expect(await absent(marker())).toBe(true);
  });
});

describe('an update that changes an install script', () => {
  it('is denied (INSTALL_SCRIPT_CHANGED) with the old and the new text: the approval of the old script does not carry over', async () => {
    await rm(marker(), { force: true });
    const project = await copy('changed');
    const before = await snapshotProject(project);
    const deny = await vouch(['install', 'changed-w@1.1.0', '--format', 'json'], project);
    expect(deny.code, deny.stderr).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([['changed-w@1.1.0', ['INSTALL_SCRIPT_CHANGED']]]);
    const changed = pkgOf(deny, 'changed-w@1.1.0').findings.find((f) => f.code === 'INSTALL_SCRIPT_CHANGED')!;
    expect(changed.message).toContain('postinstall was "node -e \\"0\\"", now');
    expect(await snapshotProject(project)).toEqual(before);
    expect(await absent(marker())).toBe(true);
  });
});

describe('an update that adds a binding.gyp', () => {
  it('is denied as an added install script (node-gyp rebuild), before anything is written', async () => {
    const project = await copy('gyp');
    const before = await snapshotProject(project);
    const deny = await vouch(['install', 'gyp-w@1.1.0', '--format', 'json'], project);
    expect(deny.code, deny.stderr).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([['gyp-w@1.1.0', ['INSTALL_SCRIPT_ADDED']]]);
    const added = pkgOf(deny, 'gyp-w@1.1.0').findings.find((f) => f.code === 'INSTALL_SCRIPT_ADDED')!;
    expect(added.message).toContain('node-gyp rebuild');
    expect(added.message).toContain('binding.gyp');
    expect(await snapshotProject(project)).toEqual(before);
  });
});

describe('an update that adds a bin or a dependency', () => {
  it('warns BIN_ADDED, naming the command, and installs', async () => {
    const project = await copy('bin');
    const result = await vouch(['install', 'bin-w@1.1.0', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const p = pkgOf(result, 'bin-w@1.1.0');
    expect(codesOf(p)).toContainEqual(['BIN_ADDED', 'warn']);
    expect(p.findings.find((f) => f.code === 'BIN_ADDED')!.message).toContain('bin-w');
  });

  it('warns DEPENDENCIES_ADDED, naming the dependency; vouch verify and explain show it for a lockfile updated without vouch', async () => {
    const project = await copy('dep');
    const result = await vouch(['install', 'dep-w@1.1.0', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const p = pkgOf(result, 'dep-w@1.1.0');
    expect(codesOf(p)).toContainEqual(['DEPENDENCIES_ADDED', 'warn']);
    expect(p.findings.find((f) => f.code === 'DEPENDENCIES_ADDED')!.message).toContain(': helper');
    expect(codesOf(pkgOf(result, 'helper@1.0.0'))).toEqual([]); // a new package: no predecessor, no change alert

    // A bot updates package-lock.json with npm (vouch.lock untouched): the predecessor comes from vouch.lock.
    const bot = await copy('dep-bot');
    const npm = await registry.npm(['install', 'dep-w@1.1.0', '--package-lock-only', '--ignore-scripts'], {
      cwd: bot,
      stateDir: await registry.tempDir('npm'),
      retries: 'npm-default',
    });
    expect(npm.code, npm.stderr).toBe(0);
    const verify = await vouch(['verify', '--format', 'json'], bot);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const verified = pkgOf(verify, 'dep-w@1.1.0');
    expect(codesOf(verified)).toContainEqual(['DEPENDENCIES_ADDED', 'warn']);
    expect(verified.findings.find((f) => f.code === 'DEPENDENCIES_ADDED')!.message).toContain('replaces 1.0.0 (vouch.lock)');
    const explain = await vouch(['explain', 'dep-w'], bot);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('WARN DEPENDENCIES_ADDED');
    expect(explain.stdout).toContain('rule: default.changeAlerts.dependencies');
  });
});

describe('an update published by someone else, or no longer by trusted publishing', () => {
  it("warns PUBLISHER_CHANGED, naming both npm users (the registry's _npmUser)", async () => {
    const project = await copy('publisher');
    const result = await vouch(['install', 'pub-w@1.1.0', 'oidc-w@1.1.0', '--format', 'json'], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const user = pkgOf(result, 'pub-w@1.1.0').findings.find((f) => f.code === 'PUBLISHER_CHANGED')!;
    expect(user.severity).toBe('warn');
    expect(user.message).toContain('published by "mallory", 1.0.0 by "alice"');
    const method = pkgOf(result, 'oidc-w@1.1.0').findings.find((f) => f.code === 'PUBLISHER_CHANGED')!;
    expect(method.message).toContain('trusted publishing');
  });
});

describe('a release published within quickReleaseHours of its predecessor', () => {
  it('warns QUICK_RELEASE by default; a policy can deny it, or turn it off', async () => {
    const project = await copy('quick');
    const warned = await vouch(['install', 'bin-w@1.1.0', '--dry-run', '--format', 'json'], project);
    expect(warned.code, warned.stdout + warned.stderr).toBe(0);
    const quick = pkgOf(warned, 'bin-w@1.1.0').findings.find((f) => f.code === 'QUICK_RELEASE')!;
    expect(quick.severity).toBe('warn');
    expect(quick.message).toContain('after 1.0.0');

    await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify({ defaults: { changeAlerts: { quickRelease: 'deny', bins: 'off' } } })}\n`);
    const before = await snapshotProject(project);
    const deny = await vouch(['install', 'bin-w@1.1.0', '--format', 'json'], project);
    expect(deny.code, deny.stderr).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([['bin-w@1.1.0', ['QUICK_RELEASE']]]);
    expect(await snapshotProject(project)).toEqual(before);

    await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify({ defaults: { changeAlerts: { quickRelease: 'off' } } })}\n`);
    const off = await vouch(['install', 'bin-w@1.1.0', '--format', 'json'], project);
    expect(off.code, off.stdout + off.stderr).toBe(0);
    expect(codesOf(pkgOf(off, 'bin-w@1.1.0'))).toEqual([['BIN_ADDED', 'warn']]);
  });
});
