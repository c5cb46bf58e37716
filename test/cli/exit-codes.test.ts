// Bad input gets its exit code and a message, never an internal error: a spec npm refuses, a package
// the registry does not have (2, usage: as npm says E404 before installing anything), a port in use.
import { createServer, type Server } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

let registry: TestRegistry;
let project: string;

beforeAll(async () => {
  registry = await startRegistry();
  project = await mkdtemp(join(tmpdir(), 'vouch-exit-codes-'));
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'p', version: '1.0.0' }, null, 2)}\n`);
});

afterAll(async () => {
  await registry?.stop();
});

async function vouchInstall(args: string[]) {
  return runVouch(['install', ...args], { cwd: project, env: await registry.npmEnv(await registry.tempDir('npm')) });
}

describe('exit codes for bad input', () => {
  it('a spec npm refuses ("Bad Name!"): USAGE, exit 2, no request, nothing written', async () => {
    const before = await snapshotProject(project);
    const result = await vouchInstall(['Bad Name!']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('USAGE: "Bad Name!" is not a package spec npm accepts');
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('a package the registry does not have: PACKAGE_NOT_FOUND, exit 2 (not 1, which means denied)', async () => {
    const before = await snapshotProject(project);
    const result = await vouchInstall(['no-such-package-anywhere@1.0.0']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('PACKAGE_NOT_FOUND');
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('vouch registry on a port in use: CONFIG, exit 2, no stack trace', async () => {
    const taken: Server = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    try {
      const { port } = taken.address() as AddressInfo;
      const result = await runVouch(['registry', '--port', String(port), '--storage', join(project, '..', `vouch-exit-storage-${port}`)], { cwd: project });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`CONFIG: 127.0.0.1:${port} is already in use`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
  });

  it('approve --expires: a date in the future, else USAGE naming the flag (never a line of vouch.policy.json)', async () => {
    const notADate = await runVouch(['approve', 'left', '--reason', 'r', '--expires', 'tomorrow'], { cwd: project });
    expect(notADate.code).toBe(2);
    expect(notADate.stderr).toContain('USAGE: --expires takes a date "YYYY-MM-DD"');
    expect(notADate.stderr).not.toContain('vouch.policy.json');
    const past = await runVouch(['approve', 'left', '--reason', 'r', '--expires', '2020-01-01'], { cwd: project });
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('--expires 2020-01-01 is not in the future');
  });

  it('a command without its subcommand says so once (no "usage: usage")', async () => {
    const policy = await runVouch(['policy'], { cwd: project });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain('vouch: USAGE: vouch policy takes one subcommand, init');
    expect(policy.stderr).not.toMatch(/usage: usage/i);
  });

  it('a package-lock.json that is not JSON: LOCKFILE_PARSE with line and column, exit 2, for verify, ci and install; never re-resolved without it', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'vouch-broken-lock-'));
    await writeFile(join(broken, 'package.json'), `${JSON.stringify({ name: 'p', version: '1.0.0' }, null, 2)}\n`);
    await writeFile(join(broken, 'package-lock.json'), '{\n  "name": "p",\n  "lockfileVersion": 3,\n  "packages": {\n    "": { "name": "p" },\n  }\n');
    const before = await snapshotProject(broken);
    const env = await registry.npmEnv(await registry.tempDir('npm-broken'));
    for (const args of [['verify'], ['ci'], ['install']]) {
      const result = await runVouch(args, { cwd: broken, env });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`LOCKFILE_PARSE: ${join(broken, 'package-lock.json')}`);
      expect(result.stderr).toMatch(/\(line 6, column 3\)/);
      expect(await snapshotProject(broken)).toEqual(before);
    }
  });
});
