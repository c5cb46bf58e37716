// Every install script npm would run is judged before reify, from the verified bytes as well as the
// packument: a binding.gyp (npm adds `node-gyp rebuild`, whose gyp command expansions run code) and a
// postinstall the tarball's package.json has but the packument does not show. And bins: a dependency
// linking a name another package links (`tsc`), or a toolchain name (`node`), is a finding naming them.
// Packages the packument must misdescribe are published raw (their tarball packed by npm, the version
// document written by the test), as a publisher using another client, or lying, can.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerScript, publishBody, writePackage, writePackages, type PackageSpec } from '../support/packages.js';
import { packTarball, runNpm } from '../support/npm.js';
import { copyProject, snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface JsonReport {
  decision: string;
  packages: { name: string; version: string; decision: string; findings: { code: string; severity: string; message: string }[] }[];
}

let registry: TestRegistry;
let markers: string;
let root: string;
const gypMarker = () => join(markers, 'gyp');
const hiddenMarker = () => join(markers, 'hidden');

/** node-gyp needs Node's headers; offline, only a local copy will do (the Node installation's include/node). */
const NODEDIR = dirname(dirname(process.execPath));
const HAS_HEADERS = existsSync(join(NODEDIR, 'include', 'node', 'common.gypi'));

/** Publishes `spec` with npm's own tarball but a version document that shows only `manifest` (no scripts, no bin unless given). */
async function publishRaw(spec: PackageSpec, manifest: Record<string, unknown> = {}): Promise<void> {
  const tarball = await packTarball(await writePackage(root, spec));
  const put = await registry.put(
    encodeURIComponent(spec.name),
    publishBody({
      name: spec.name,
      version: spec.version,
      tarball,
      registry: registry.url,
      manifest: { description: 'raw', license: 'MIT', main: 'index.js', ...manifest },
    }),
  );
  if (put.status !== 201) throw new Error(`publish ${spec.name}: ${put.status} ${put.text}`);
}

beforeAll(async () => {
  registry = await startRegistry();
  root = await registry.tempDir('packages');
  markers = await registry.tempDir('markers');
  // A gyp command expansion runs when node-gyp configures: the marker proves `node-gyp rebuild` ran.
  const expansion = `<!(node -e "require('fs').writeFileSync('${gypMarker()}', 'gyp')")`;
  await publishRaw({
    name: 'gyp-pkg',
    version: '1.0.0',
    files: { 'binding.gyp': `${JSON.stringify({ targets: [{ target_name: 'noop', type: 'none', variables: { marker: expansion } }] })}\n` },
  });
  await publishRaw({ name: 'hidden-post', version: '1.0.0', scripts: { postinstall: markerScript(hiddenMarker()) } });
  // Only the tarball's package.json says directories.bin; npm's rebuild links its files.
  await publishRaw({ name: 'dir-bin', version: '1.0.0', manifest: { directories: { bin: 'tools' } }, files: { 'tools/npx': '#!/usr/bin/env node\n' } });
  const tool = (name: string) => ({ [`bin/${name}.js`]: `#!/usr/bin/env node\nconsole.log(${JSON.stringify(name)});\n` });
  for (const dir of await writePackages(root, [
    { name: 'typescript', version: '5.0.0', files: tool('tsc'), manifest: { bin: { tsc: 'bin/tsc.js' } } },
    { name: 'evil-tools', version: '1.0.0', files: tool('tsc'), manifest: { bin: { tsc: 'bin/tsc.js' } } },
    { name: 'node-shim', version: '1.0.0', files: tool('node'), manifest: { bin: { node: 'bin/node.js' } } },
  ]))
    await registry.publish(dir);
});

afterAll(() => registry?.stop());

async function env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return { ...(await registry.npmEnv(await registry.tempDir('state'), { retries: 'npm-default' })), ...extra };
}

async function vouch(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await env(extra) });
}

async function npm(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) {
  return runNpm(args, cwd, await env(extra));
}

const absent = async (file: string) => (await readFile(file, 'utf8').catch(() => 'absent')) === 'absent';

async function project(label: string, manifest: Record<string, unknown>, npmrc?: string): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, manifest);
  if (npmrc) await writeFile(join(dir, '.npmrc'), npmrc);
  return dir;
}

describe('implicit node-gyp rebuild (binding.gyp in the verified tarball, no script in the packument)', () => {
  it('the packument shows no install script: the script exists only in the bytes', async () => {
    const doc = (await registry.get('gyp-pkg')).json as { versions: Record<string, { scripts?: unknown; hasInstallScript?: unknown }> };
    expect(doc.versions['1.0.0']!.scripts).toBeUndefined();
    expect(doc.versions['1.0.0']!.hasInstallScript).toBeUndefined();
  });

  it('under strict-allow-scripts, stops vouch install and vouch ci with SCRIPTS_UNREVIEWED before anything is written or run', async () => {
    await rm(gypMarker(), { force: true });
    const dir = await project('gyp-strict', { dependencies: { 'gyp-pkg': '1.0.0' } }, 'strict-allow-scripts=true\n');
    const before = await snapshotProject(dir);
    const install = await vouch(['install'], dir);
    expect(install.code, install.stderr).toBe(1);
    expect(install.stderr).toContain('SCRIPTS_UNREVIEWED');
    expect(install.stderr).toContain('gyp-pkg@1.0.0 (install: node-gyp rebuild)');
    expect(await snapshotProject(dir)).toEqual(before);
    expect(await absent(gypMarker())).toBe(true);

    // vouch ci over the lockfile and vouch.lock of an install that ran no script (ignore-scripts skips the gate, as in npm).
    const lock = await vouch(['install', '--ignore-scripts'], dir);
    expect(lock.code, lock.stderr).toBe(0);
    await rm(join(dir, 'node_modules'), { recursive: true, force: true });
    const locked = await snapshotProject(dir);
    const ci = await vouch(['ci'], dir);
    expect(ci.code, ci.stderr).toBe(1);
    expect(ci.stderr).toContain('SCRIPTS_UNREVIEWED');
    expect(ci.stderr).toContain('gyp-pkg@1.0.0 (install: node-gyp rebuild)');
    expect(await snapshotProject(dir)).toEqual(locked);
    expect(await absent(gypMarker())).toBe(true);
  });

  it('never runs it when allowScripts denies the package, as npm does', async () => {
    await rm(gypMarker(), { force: true });
    const dir = await project('gyp-denied', { dependencies: { 'gyp-pkg': '1.0.0' }, allowScripts: { 'gyp-pkg': false } });
    const npmDir = await copyProject(dir, join(await registry.tempDir('npm-gyp-denied'), 'p'));
    const result = await vouch(['install'], dir, { npm_config_nodedir: NODEDIR });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'node_modules', 'gyp-pkg', 'binding.gyp'))).toBe(true);
    expect(await absent(gypMarker())).toBe(true);
    const viaNpm = await npm(['install'], npmDir, { npm_config_nodedir: NODEDIR });
    expect(viaNpm.code, viaNpm.stderr).toBe(0);
    expect(await absent(gypMarker())).toBe(true);
  });

  it.skipIf(!HAS_HEADERS)('runs node-gyp rebuild when allowScripts allows the package, as npm does (headers from the local Node installation)', async () => {
    const allowed = { dependencies: { 'gyp-pkg': '1.0.0' }, allowScripts: { 'gyp-pkg': true } };
    const npmDir = await project('npm-gyp-allowed', allowed, 'strict-allow-scripts=true\n');
    await rm(gypMarker(), { force: true });
    const viaNpm = await npm(['install'], npmDir, { npm_config_nodedir: NODEDIR });
    expect(viaNpm.code, viaNpm.stderr).toBe(0);
    expect(await readFile(gypMarker(), 'utf8')).toBe('gyp');

    await rm(gypMarker(), { force: true });
    const dir = await project('gyp-allowed', allowed, 'strict-allow-scripts=true\n');
    const result = await vouch(['install'], dir, { npm_config_nodedir: NODEDIR });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(gypMarker(), 'utf8')).toBe('gyp');
    expect(result.stdout).toContain('install scripts of 1 package ran');
  });
});

describe('an install script in the tarball that the packument does not show', () => {
  it('is judged as a script: strict-allow-scripts stops the install with SCRIPTS_UNREVIEWED, project unchanged', async () => {
    const doc = (await registry.get('hidden-post')).json as { versions: Record<string, { scripts?: unknown }> };
    expect(doc.versions['1.0.0']!.scripts).toBeUndefined();
    await rm(hiddenMarker(), { force: true });
    const dir = await project('hidden-strict', { dependencies: { 'hidden-post': '1.0.0' } }, 'strict-allow-scripts=true\n');
    const before = await snapshotProject(dir);
    const result = await vouch(['install'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('SCRIPTS_UNREVIEWED');
    expect(result.stderr).toContain('hidden-post@1.0.0 (postinstall: node -e');
    expect(await snapshotProject(dir)).toEqual(before);
    expect(await absent(hiddenMarker())).toBe(true);

    // Reviewed (denied), the install goes ahead and nothing runs.
    await writeProject(dir, { dependencies: { 'hidden-post': '1.0.0' }, allowScripts: { 'hidden-post': false } });
    const denied = await vouch(['install'], dir);
    expect(denied.code, denied.stderr).toBe(0);
    expect(await absent(hiddenMarker())).toBe(true);
  });
});

describe('bins', () => {
  const findings = (r: VouchResult, name: string) => (r.json as JsonReport).packages.find((p) => p.name === name)?.findings ?? [];

  it('warns BIN_COLLISION on both packages when a dependency links the tsc another package links', async () => {
    const dir = await project('bin-collision', { dependencies: { typescript: '5.0.0', 'evil-tools': '1.0.0' } });
    const result = await vouch(['install', '--format', 'json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect((result.json as JsonReport).decision).toBe('warn');
    const evil = findings(result, 'evil-tools');
    const ts = findings(result, 'typescript');
    expect(evil.map((f) => [f.code, f.severity])).toEqual([['BIN_COLLISION', 'warn']]);
    expect(ts.map((f) => [f.code, f.severity])).toEqual([['BIN_COLLISION', 'warn']]);
    expect(evil[0]!.message).toContain('node_modules/.bin/tsc');
    expect(evil[0]!.message).toContain('typescript@5.0.0');
    expect(ts[0]!.message).toContain('evil-tools@1.0.0');

    // "deny" refuses it before anything is written.
    const strict = await project('bin-collision-deny', { dependencies: { typescript: '5.0.0', 'evil-tools': '1.0.0' } });
    await writeFile(join(strict, 'vouch.policy.json'), `${JSON.stringify({ defaults: { binCollisions: 'deny' } })}\n`);
    const before = await snapshotProject(strict);
    const denied = await vouch(['install', '--format', 'json'], strict);
    expect(denied.code, denied.stderr).toBe(1);
    expect(findings(denied, 'evil-tools').map((f) => f.code)).toEqual(['BIN_COLLISION']);
    expect(await snapshotProject(strict)).toEqual(before);
  });

  it('denies a package whose bin is named node by default, project unchanged; policy "off" allows it', async () => {
    const dir = await project('bin-node', { dependencies: { 'node-shim': '1.0.0' } });
    const before = await snapshotProject(dir);
    const denied = await vouch(['install', '--format', 'json'], dir);
    expect(denied.code, denied.stderr).toBe(1);
    const found = findings(denied, 'node-shim');
    expect(found.map((f) => [f.code, f.severity])).toEqual([['BIN_TOOLCHAIN', 'deny']]);
    expect(found[0]!.message).toContain('node_modules/.bin/node');
    expect(await snapshotProject(dir)).toEqual(before);

    await writeFile(join(dir, 'vouch.policy.json'), `${JSON.stringify({ defaults: { toolchainBins: 'off' } })}\n`);
    const allowed = await vouch(['install', '--format', 'json'], dir);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(findings(allowed, 'node-shim')).toEqual([]);
    expect(existsSync(join(dir, 'node_modules', '.bin', 'node'))).toBe(true);
  });

  it('reads bins from the verified tarball too: directories.bin the packument does not show', async () => {
    const doc = (await registry.get('dir-bin')).json as { versions: Record<string, { bin?: unknown; directories?: unknown }> };
    expect(doc.versions['1.0.0']!.bin).toBeUndefined();
    const dir = await project('bin-dir', { dependencies: { 'dir-bin': '1.0.0' } });
    const before = await snapshotProject(dir);
    const denied = await vouch(['install', '--format', 'json'], dir);
    expect(denied.code, denied.stderr).toBe(1);
    expect(findings(denied, 'dir-bin').map((f) => f.code)).toEqual(['BIN_TOOLCHAIN']);
    expect(await snapshotProject(dir)).toEqual(before);
  });
});
