// vouch sign and vouch publish never write into the package folder (the next pack would ship what they
// wrote), and refuse a package that already holds a tarball or bundle an earlier pack or sign left there.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keygen, maintainerEnv, type MaintainerKey } from '../support/maintainer.js';
import { packTarball } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

let registry: TestRegistry;
let env: NodeJS.ProcessEnv;
let key: MaintainerKey;

beforeAll(async () => {
  registry = await startRegistry();
  env = await maintainerEnv(registry);
  key = await keygen(registry, env, 'outputs-key');
});

afterAll(async () => {
  await registry?.stop();
});

const pkg = async (name: string) => writePackage(await registry.tempDir(name), { name, version: '1.0.0' });

describe('outputs stay out of the package folder', () => {
  it('vouch sign run inside the package folder writes nothing there; the tarball and bundle go to a temporary folder it names', async () => {
    const dir = await pkg('sign-inside');
    const before = await snapshotProject(dir);
    const result = await runVouch(['sign', '--key', key.privateKeyFile, '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const summary = result.json as { tarball: string; bundle: string };
    expect(summary.tarball.startsWith(dir)).toBe(false);
    expect(existsSync(summary.tarball) && existsSync(summary.bundle)).toBe(true);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('vouch publish run inside the package folder leaves nothing there or in its temporary folder, published or not', async () => {
    const dir = await pkg('publish-inside');
    const before = await readdir(dir);
    const tmp = await registry.tempDir('publish-tmp'); // vouch's temporary folders go here: it must end empty
    const published = await runVouch(['publish', '--key', key.privateKeyFile, '--json'], { cwd: dir, env: { ...env, TMPDIR: tmp } });
    expect(published.code, published.stderr).toBe(0);
    expect(published.json).not.toHaveProperty('tarball');
    expect(await readdir(dir)).toEqual(before);
    const again = await runVouch(['publish', '--key', key.privateKeyFile], { cwd: dir, env: { ...env, TMPDIR: tmp } }); // the registry refuses a republish
    expect(again.code).not.toBe(0);
    expect(await readdir(dir)).toEqual(before);
    expect((await readdir(tmp)).filter((f) => f.startsWith('vouch-publish-'))).toEqual([]);
  });

  it('--out-dir or --out inside the package folder is refused before anything runs (exit 2)', async () => {
    const dir = await pkg('out-inside');
    const before = await snapshotProject(dir);
    for (const flag of [
      ['--out-dir', join(dir, 'dist')],
      ['--out', join(dir, 'x.sigstore')],
    ]) {
      const result = await runVouch(['sign', dir, '--key', key.privateKeyFile, ...flag], { cwd: registry.storage, env });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('is inside the package folder');
    }
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('a package holding a tarball and a bundle an earlier pack or sign left is refused: SIGN_FAILED, nothing signed or published', async () => {
    const dir = await pkg('stale-outputs');
    await writeFile(join(dir, 'stale-outputs-0.9.0.tgz'), await packTarball(dir));
    await writeFile(join(dir, 'stale-outputs-0.9.0.sigstore'), '{}\n');
    const result = await runVouch(['publish', '--key', key.privateKeyFile], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('SIGN_FAILED');
    expect(result.stderr).toContain('stale-outputs-0.9.0.sigstore, stale-outputs-0.9.0.tgz');
    expect((await registry.get('stale-outputs')).status).toBe(404);
  });
});
