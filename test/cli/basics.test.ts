// The launcher as a user meets it: help, version, usage errors, and `trust-root update` failing closed
// without a network (this machine reaches only the npm registry).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { runVouch } from '../support/vouch.js';

const cwd = tmpdir();

describe('vouch launcher', () => {
  it('prints its version from package.json', async () => {
    const pkg = JSON.parse(await readFile(packagePath('package.json'), 'utf8')) as { version: string };
    const result = await runVouch(['--version'], { cwd });
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('lists every command in --help and exits 0', async () => {
    const result = await runVouch(['--help'], { cwd });
    expect(result.code).toBe(0);
    for (const name of ['install', 'ci', 'verify', 'policy', 'approve', 'explain', 'registry', 'trust-root']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it("lists --version in --help, and every command's help states its exit codes", async () => {
    const general = await runVouch(['--help'], { cwd });
    expect(general.stdout).toContain('vouch --version');
    for (const name of ['install', 'ci', 'verify', 'policy', 'approve', 'explain', 'trust-root', 'registry', 'keygen', 'sign', 'publish']) {
      const help = await runVouch([name, '--help'], { cwd });
      expect(help.code).toBe(0);
      expect(help.stdout, name).toMatch(/Exit codes: 0 /);
    }
  });

  it("shows a command's own help", async () => {
    const result = await runVouch(['verify', '--help'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--format');
  });

  it('exits 2 on an unknown command, an unknown flag and a bad flag value', async () => {
    expect((await runVouch(['frobnicate'], { cwd })).code).toBe(2);
    const unknownFlag = await runVouch(['verify', '--no-such-flag'], { cwd });
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain('USAGE');
    expect((await runVouch(['verify', '--format', 'xml'], { cwd })).code).toBe(2);
    expect((await runVouch(['verify', '--concurrency', '0'], { cwd })).code).toBe(2);
  });

  it('exits 2 with NO_LOCKFILE in a folder without package-lock.json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'vouch-empty-'));
    const result = await runVouch(['verify'], { cwd: empty });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NO_LOCKFILE');
  });

  it('fails closed (exit 3) when trust-root update cannot reach the TUF repository', async () => {
    const data = await mkdtemp(join(tmpdir(), 'vouch-data-'));
    // These machines reach only the npm registry, so tuf-repo-cdn.sigstore.dev does not resolve.
    const result = await runVouch(['trust-root', 'update'], { cwd, env: { ...process.env, VOUCH_DATA_DIR: data } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('REGISTRY_UNREACHABLE');
  });
});
