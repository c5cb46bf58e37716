// `vouch verify --installed` checks the files on disk, not only npm's records of them: every package
// folder is compared with the files of the tarball vouch verified (per-file digests kept by integrity
// beside the evidence cache). The real npm installs; install scripts, hand edits, a version edit, a
// deleted and an added file are each seen, naming the file; a container-like run (fresh HOME, a copied
// node_modules, --offline, only vouch's cache) does the same check.
import { cp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cacache from 'cacache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpm } from '../support/npm.js';
import { writePackages } from '../support/packages.js';
import { copyProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface JsonFinding {
  code: string;
  severity: string;
  message: string;
}
interface JsonReport {
  decision: string;
  packages: { name: string; version: string; decision: string; findings: JsonFinding[] }[];
}

let registry: TestRegistry;
let stateDir: string;
/** victim + builder (whose postinstall writes build/out.txt into its own folder), installed by vouch. */
let installed: string;

beforeAll(async () => {
  registry = await startRegistry();
  stateDir = await registry.tempDir('state');
  const root = await registry.tempDir('packages');
  const script = (code: string) => `node -e ${JSON.stringify(code)}`;
  for (const dir of await writePackages(root, [
    {
      name: 'victim',
      version: '1.0.0',
      files: { 'lib/util.js': 'module.exports = 1;\n', 'bin/victim.js': '#!/usr/bin/env node\nconsole.log("victim");\n' },
      manifest: { bin: { victim: 'bin/victim.js' } },
    },
    // An install script that rewrites another package's file: npm runs it; nothing but a look at the files sees it.
    { name: 'tamperer', version: '1.0.0', scripts: { postinstall: script("require('fs').appendFileSync('../victim/index.js', '\\n// tampered\\n')") } },
    {
      name: 'builder',
      version: '1.0.0',
      scripts: { postinstall: script("require('fs').mkdirSync('build');require('fs').writeFileSync('build/out.txt','built')") },
    },
  ]))
    await registry.publish(dir);
  installed = await project('installed', { victim: '1.0.0', builder: '1.0.0' });
}, 120_000);

afterAll(() => registry?.stop());

async function env(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return { ...(await registry.npmEnv(stateDir, { retries: 'npm-default' })), ...extra };
}

async function vouch(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await env(extra) });
}

async function project(label: string, dependencies: Record<string, string>): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, { dependencies });
  const install = await vouch(['install'], dir);
  if (install.code !== 0) throw new Error(`vouch install (${label}) failed: ${install.stderr}`);
  return dir;
}

/** A copy of the installed project to tamper with. */
async function copy(label: string): Promise<string> {
  return copyProject(installed, join(await registry.tempDir(label), 'p'));
}

const findingsOf = (r: VouchResult, name: string): JsonFinding[] => (r.json as JsonReport).packages.find((p) => p.name === name)?.findings ?? [];
const codes = (r: VouchResult, name: string) => findingsOf(r, name).map((f) => [f.code, f.severity]);
const verifyInstalled = (dir: string, extra: NodeJS.ProcessEnv = {}, more: string[] = []) =>
  vouch(['verify', '--installed', '--format', 'json', ...more], dir, extra);

describe('vouch verify --installed compares each package folder with its verified tarball', () => {
  it("passes a fresh install (npm's bin chmod is not a change); files an install script added to its own folder are a warning naming them", async () => {
    const result = await verifyInstalled(installed);
    expect(result.code, result.stderr).toBe(0);
    expect(codes(result, 'victim')).toEqual([]);
    expect(codes(result, 'builder')).toEqual([['INSTALLED_FILE_ADDED', 'warn']]);
    const [added] = findingsOf(result, 'builder');
    expect(added!.message).toContain('node_modules/builder/build/out.txt');
    expect(added!.message).toContain('install script');
  });

  it('passes a project the real npm installed: npm writes nothing into package folders but the extracted files', async () => {
    const dir = await registry.tempDir('npm-installed');
    await writeProject(dir, { dependencies: { victim: '1.0.0', builder: '1.0.0' } });
    const install = await runNpm(['install'], dir, await env());
    expect(install.code, install.stderr).toBe(0);
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(codes(result, 'victim')).toEqual([]);
    expect(codes(result, 'builder')).toEqual([['INSTALLED_FILE_ADDED', 'warn']]);
  });

  it("denies INSTALLED_FILE_MODIFIED when another package's install script rewrote a file", async () => {
    const dir = await project('tampered-by-script', { victim: '1.0.0', tamperer: '1.0.0' });
    expect(await readFile(join(dir, 'node_modules', 'victim', 'index.js'), 'utf8')).toContain('// tampered');
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(codes(result, 'victim')).toEqual([['INSTALLED_FILE_MODIFIED', 'deny']]);
    expect(findingsOf(result, 'victim')[0]!.message).toContain('node_modules/victim/index.js');
    expect(codes(result, 'tamperer')).toEqual([]);
  });

  it('denies INSTALLED_FILE_MODIFIED for a file edited by hand', async () => {
    const dir = await copy('edited');
    await writeFile(join(dir, 'node_modules', 'victim', 'lib', 'util.js'), 'module.exports = 2;\n');
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(codes(result, 'victim')).toEqual([['INSTALLED_FILE_MODIFIED', 'deny']]);
    expect(findingsOf(result, 'victim')[0]!.message).toContain('node_modules/victim/lib/util.js');
  });

  it('denies an edit of the version in a package.json', async () => {
    const dir = await copy('version-edited');
    const file = join(dir, 'node_modules', 'victim', 'package.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"version": "1.0.0"', '"version": "1.0.1"'));
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('node_modules/victim/package.json');
  });

  it('denies INSTALLED_FILE_MISSING for a deleted file and INSTALLED_FILE_ADDED for a new one in a package without install scripts', async () => {
    const dir = await copy('deleted-added');
    await unlink(join(dir, 'node_modules', 'victim', 'lib', 'util.js'));
    await writeFile(join(dir, 'node_modules', 'victim', 'extra.js'), 'require("child_process");\n');
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(codes(result, 'victim').sort()).toEqual([
      ['INSTALLED_FILE_ADDED', 'deny'],
      ['INSTALLED_FILE_MISSING', 'deny'],
    ]);
    const messages = findingsOf(result, 'victim')
      .map((f) => f.message)
      .join('\n');
    expect(messages).toContain('node_modules/victim/lib/util.js');
    expect(messages).toContain('node_modules/victim/extra.js');
  });

  it('denies files a script added when policy scriptAddedFiles is "deny", and a modified file in a package with scripts whatever it says', async () => {
    const dir = await copy('script-policy');
    await writeFile(join(dir, 'vouch.policy.json'), `${JSON.stringify({ defaults: { scriptAddedFiles: 'deny' } })}\n`);
    await writeFile(join(dir, 'node_modules', 'builder', 'index.js'), 'module.exports = "edited";\n');
    const result = await verifyInstalled(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(codes(result, 'builder').sort()).toEqual([
      ['INSTALLED_FILE_ADDED', 'deny'],
      ['INSTALLED_FILE_MODIFIED', 'deny'],
    ]);

    await writeFile(join(dir, 'vouch.policy.json'), `${JSON.stringify({ defaults: { scriptAddedFiles: 'off' } })}\n`);
    await cp(join(installed, 'node_modules', 'builder', 'index.js'), join(dir, 'node_modules', 'builder', 'index.js'));
    const off = await verifyInstalled(dir);
    expect(off.code, off.stderr).toBe(0);
    expect(codes(off, 'builder')).toEqual([]);
  });
});

describe("a container-like run: fresh HOME, node_modules copied to a new folder, --offline, only vouch's cache", () => {
  async function container(label: string): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
    const dir = join(await registry.tempDir(label), 'app');
    await mkdir(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'vouch.lock']) await cp(join(installed, file), join(dir, file));
    await cp(join(installed, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    return { dir, env: { HOME: await registry.tempDir('home') } };
  }

  it("performs the deep check offline from vouch's cache: a clean copy passes, an edited file is denied", async () => {
    const { dir, env: extra } = await container('container');
    const clean = await verifyInstalled(dir, extra, ['--offline']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(codes(clean, 'victim')).toEqual([]);
    await writeFile(join(dir, 'node_modules', 'victim', 'index.js'), 'module.exports = "evil";\n');
    const edited = await verifyInstalled(dir, extra, ['--offline']);
    expect(edited.code, edited.stderr).toBe(1);
    expect(codes(edited, 'victim')).toEqual([['INSTALLED_FILE_MODIFIED', 'deny']]);
  });

  it('offline with neither the file digests nor the verified tarball, denies INSTALLED_FILES_UNKNOWN (not a pass)', async () => {
    const { dir, env: extra } = await container('container-bare');
    // A copy of the cache without the file lists, vouch's verified tarballs, or any tarball in npm's cache.
    const bare = await registry.tempDir('bare-state');
    await cp(join(stateDir, 'cache'), join(bare, 'cache'), { recursive: true });
    await rm(join(bare, 'cache', '_vouch', 'files'), { recursive: true, force: true });
    await rm(join(bare, 'cache', '_vouch', 'tarballs'), { recursive: true, force: true });
    const npmCache = join(bare, 'cache', '_cacache');
    for (const entry of Object.values(await cacache.ls(npmCache))) {
      if (!entry.key.includes('.tgz')) continue;
      await cacache.rm.content(npmCache, entry.integrity);
      await cacache.rm.entry(npmCache, entry.key);
    }
    const result = await verifyInstalled(dir, { ...extra, npm_config_cache: join(bare, 'cache') }, ['--offline']);
    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(1);
    expect(codes(result, 'victim')).toEqual([['INSTALLED_FILES_UNKNOWN', 'deny']]);
    await rm(bare, { recursive: true, force: true });
  });
});
