// `vouch registry` as a process: bad key files are configuration errors (exit 2) before anything
// listens; a running registry stops cleanly on SIGTERM and when its IPC parent goes away.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { PLUGINS_FOLDER } from '../../packages/vouch-registry/lib/server.js';

const bin = packagePath('bin', 'vouch.js');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-registry-cli-'));
});

afterAll(() => rm(work, { recursive: true, force: true }));

describe('vouch registry key files', () => {
  it('exits 2 with KEY_FILE when the key file is missing', async () => {
    const result = await runRegistry(['--key', join(work, 'absent.pem')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: KEY_FILE:');
    expect(result.stdout).toBe('');
  });

  it('exits 2 with KEY_FILE when the key file is not a PEM key', async () => {
    const file = join(work, 'garbage.pem');
    await writeFile(file, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
    const result = await runRegistry(['--key', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: KEY_FILE:');
  });

  it('exits 2 with KEY_FILE when the key is not ECDSA P-256', async () => {
    const file = join(work, 'ed25519.pem');
    await writeFile(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const result = await runRegistry(['--key', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: KEY_FILE:');
  });

  it('exits 2 with CONFIG when a retired key has no expiry', async () => {
    const a = join(work, 'a.pem');
    const b = join(work, 'b.pem');
    for (const f of [a, b]) await writeFile(f, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const result = await runRegistry(['--key', a, '--key', b]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: CONFIG:');
  });
});

describe("vouch registry --config (an operator's own Verdaccio config, as docs/registry-plugin.md shows it)", () => {
  it('loads the plugin from the documented config lines and signs with the configured key', async () => {
    const dir = join(work, 'operator');
    const key = await writeP256(join(work, 'operator-key.pem'));
    const config = await writeConfig(dir, `signing_keys:\n      - ${key}`, true);
    const child = spawn(process.execPath, [bin, 'registry', '--config', config, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = JSON.parse(await firstLine(child.stdout)) as { url: string; keyid: string };
      const keys = (await (await fetch(new URL('-/npm/v1/keys', ready.url))).json()) as { keys: { keyid: string }[] };
      expect(keys.keys.map((k) => k.keyid)).toEqual([ready.keyid]);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('exits 2 with CONFIG when the config lists the plugin under middlewares only', async () => {
    const key = await writeP256(join(work, 'operator-key-2.pem'));
    const config = await writeConfig(join(work, 'operator-2'), `signing_keys:\n      - ${key}`, false);
    const result = await runRegistry(['--config', config], false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: CONFIG:');
  });

  it('exits 2 with CONFIG when a key in the config file is missing (Verdaccio alone would start unsigned)', async () => {
    const config = await writeConfig(join(work, 'operator-3'), `signing_keys:\n      - ${join(work, 'gone.pem')}`, true);
    const result = await runRegistry(['--config', config], false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch: CONFIG:');
  });
});

describe('vouch registry lifetime', () => {
  it('stops with exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'registry', '--port', '0', '--storage', join(work, 's1'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = JSON.parse(await firstLine(child.stdout)) as { url: string };
    expect((await fetch(new URL('-/npm/v1/keys', ready.url))).status).toBe(200);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits when its IPC parent disconnects', async () => {
    const child = spawn(process.execPath, [bin, 'registry', '--port', '0', '--storage', join(work, 's2'), '--json'], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    await firstLine(child.stdout!);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.disconnect();
    expect(await exited).toBe(0);
  });
});

function runRegistry(args: string[], withStorage = true): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const storage = withStorage ? ['--storage', join(work, 'storage')] : [];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'registry', '--port', '0', ...storage, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a registry that started would not exit
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input: stream });
  return new Promise((resolve) =>
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    }),
  );
}

async function writeP256(file: string): Promise<string> {
  await writeFile(file, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

/** A Verdaccio config.yaml with the plugin lines from docs/registry-plugin.md. */
async function writeConfig(dir: string, vouchSection: string, withFilter: boolean): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    [
      'storage: ./storage',
      `plugins: ${PLUGINS_FOLDER}`,
      'auth:',
      '  htpasswd:',
      '    file: ./htpasswd',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'middlewares:',
      '  vouch:',
      `    ${vouchSection}`,
      ...(withFilter ? ['filters:', '  vouch: {}'] : []),
      'log: { type: stdout, format: json, level: fatal }',
      'web: { enable: false }',
      '',
    ].join('\n'),
  );
  return file;
}
