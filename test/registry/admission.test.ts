// Runtime admission: `node --import <vouch>/dist/lib/admit/preload.js app.js` checks the app's
// node_modules against vouch.lock (per file, as verify --installed does) before the app's first line.
// The real npm installs through vouch; the app is a real process whose exit code and output are read.
import { cp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { keygen, maintainerEnv } from '../support/maintainer.js';
import { writePackages } from '../support/packages.js';
import { runProcess, type ProcessResult } from '../support/process.js';
import { copyProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

const PRELOAD = packagePath('dist', 'lib', 'admit', 'preload.js');

let registry: TestRegistry;
let stateDir: string;
let installed: string;

beforeAll(async () => {
  registry = await startRegistry();
  stateDir = await registry.tempDir('state');
  const root = await registry.tempDir('packages');
  const script = (code: string) => `node -e ${JSON.stringify(code)}`;
  for (const dir of await writePackages(root, [
    { name: 'victim', version: '1.0.0', files: { 'lib/util.js': 'module.exports = 1;\n' } },
    {
      name: 'builder',
      version: '1.0.0',
      scripts: { postinstall: script("require('fs').mkdirSync('build');require('fs').writeFileSync('build/out.txt','built')") },
    },
  ]))
    await registry.publish(dir);
  installed = await registry.tempDir('installed');
  await writeProject(installed, { dependencies: { victim: '1.0.0', builder: '1.0.0' } });
  const install = await runVouch(['install'], { cwd: installed, env: await env() });
  if (install.code !== 0) throw new Error(`vouch install failed: ${install.stderr}`);
  await writeFile(join(installed, 'app.js'), 'const v = require("victim");\nconsole.log("app started", v.name);\n');
}, 120_000);

afterAll(() => registry?.stop());

async function env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return { ...(await registry.npmEnv(stateDir, { retries: 'npm-default' })), ...extra };
}

async function app(dir: string, extra: NodeJS.ProcessEnv = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', PRELOAD, 'app.js'], { cwd: dir, env: await env(extra), timeoutMs: 60_000 });
}

async function copy(label: string): Promise<string> {
  return copyProject(installed, join(await registry.tempDir(label), 'p'));
}

describe('node --import vouch/admit', () => {
  it('starts an app whose node_modules is what vouch verified; files an install script added are a warning', async () => {
    const result = await app(installed);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('app started victim');
    expect(result.stderr).toContain('warning: INSTALLED_FILE_ADDED node_modules/builder: added: node_modules/builder/build/out.txt');
    // A warm start (the digests remembered by file metadata) gives the same answer.
    const warm = await app(installed);
    expect(warm.code, warm.stderr).toBe(0);
  });

  it('refuses to start (exit 1) an app whose dependency was edited, even after a warm start, naming the file', async () => {
    const dir = await copy('edited');
    expect((await app(dir)).code).toBe(0); // warms the digest cache for this folder
    await writeFile(join(dir, 'node_modules', 'victim', 'index.js'), 'module.exports = { name: "evil" };\n');
    const result = await app(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).not.toContain('app started');
    expect(result.stderr).toContain('vouch admit: refusing to start');
    expect(result.stderr).toContain('INSTALLED_FILE_MODIFIED node_modules/victim: modified: node_modules/victim/index.js');
  });

  it('with VOUCH_ADMIT=report-only, starts the same app and logs what differs', async () => {
    const dir = await copy('report-only');
    await unlink(join(dir, 'node_modules', 'victim', 'lib', 'util.js'));
    const result = await app(dir, { VOUCH_ADMIT: 'report-only' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('app started victim');
    expect(result.stderr).toContain('vouch admit (report-only)');
    expect(result.stderr).toContain('INSTALLED_FILE_MISSING node_modules/victim: missing: node_modules/victim/lib/util.js');
  });

  it('refuses a package folder npm did not install (one that would shadow a dependency)', async () => {
    const dir = await copy('dropped-in');
    await mkdir(join(dir, 'node_modules', 'builder', 'node_modules', 'victim'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'builder', 'node_modules', 'victim', 'index.js'), 'module.exports = {};\n');
    const result = await app(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('ADMIT_UNEXPECTED_PACKAGE node_modules/builder/node_modules/victim');
  });

  it("checks a copy in a new folder with a fresh HOME (new inodes: a cold start) from vouch's cache alone", async () => {
    const dir = join(await registry.tempDir('container'), 'app');
    await mkdir(dir, { recursive: true });
    for (const file of ['package.json', 'vouch.lock', 'app.js']) await cp(join(installed, file), join(dir, file));
    await cp(join(installed, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    const home = await registry.tempDir('home');
    const clean = await app(dir, { HOME: home });
    expect(clean.code, clean.stderr).toBe(0);
    await writeFile(join(dir, 'node_modules', 'victim', 'lib', 'util.js'), 'module.exports = 2;\n');
    const edited = await app(dir, { HOME: home });
    expect(edited.code, edited.stderr).toBe(1);
    expect(edited.stderr).toContain('node_modules/victim/lib/util.js');
  });

  it('refuses to start without a vouch.lock (exit 2): nothing says what node_modules should hold', async () => {
    const dir = await copy('no-lock');
    await rm(join(dir, 'vouch.lock'));
    const result = await app(dir);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('no vouch.lock');
  });

  it('with a signed verification summary instead of vouch.lock: starts when it verifies, refuses an edited file, a tampered summary and another key', async () => {
    const keysEnv = await maintainerEnv(registry);
    const key = await keygen(registry, keysEnv, 'summary-key');
    const other = await keygen(registry, keysEnv, 'other-summary-key');
    const dir = await copy('summary');
    const summary = join(dir, 'vouch-summary.json');
    const attested = await runVouch(['verify', '--attest', summary, '--key', key.privateKeyFile], { cwd: dir, env: await env() });
    expect(attested.code, attested.stderr).toBe(0);
    const withSummary = (publicKeyFile: string) => ({ VOUCH_ADMIT_SUMMARY: 'vouch-summary.json', VOUCH_ADMIT_KEY: publicKeyFile });

    const clean = await app(dir, withSummary(key.publicKeyFile!));
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('app started victim');

    const wrongKey = await app(dir, withSummary(other.publicKeyFile!));
    expect(wrongKey.code, wrongKey.stderr).toBe(1);
    expect(wrongKey.stderr).toContain('ADMIT_SUMMARY_REFUSED');

    const original = await readFile(summary, 'utf8');
    const bundle = JSON.parse(original) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicate: { verificationResult: string } };
    statement.predicate.verificationResult = 'PASSED ';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    await writeFile(summary, JSON.stringify(bundle));
    const tampered = await app(dir, withSummary(key.publicKeyFile!));
    expect(tampered.code, tampered.stderr).toBe(1);
    expect(tampered.stderr).toContain('BUNDLE_SIGNATURE');
    await writeFile(summary, original);

    await writeFile(join(dir, 'node_modules', 'victim', 'index.js'), 'module.exports = { name: "evil" };\n');
    const edited = await app(dir, withSummary(key.publicKeyFile!));
    expect(edited.code, edited.stderr).toBe(1);
    expect(edited.stderr).toContain('against what vouch verified (the verification summary)');
    expect(edited.stderr).toContain('INSTALLED_FILE_MODIFIED node_modules/victim: modified: node_modules/victim/index.js');
  });
});
