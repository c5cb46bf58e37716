// No secret anywhere (issue 22): a registry URL that carries a password (`registry=http://user:secret@host/` in
// .npmrc, or `--registry`) reaches the real signing registry and never appears in
// what vouch prints (text, JSON, SARIF, explain, the exit-3 error of a registry that is down, retry notices)
// or stores (vouch.lock, the evidence cache and log state beside npm's cache, npm's own cache index); `vouch log
// verify` with such a URL too. A proxy in front of the registry shows the credential still goes out.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../support/project.js';
import { startRegistry, userToken, type TestRegistry } from '../support/registry.js';
import { buildTree, type BuiltTree } from '../support/tree.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

// The word the tests look for: in the password, and in the token of the second case.
const SECRET = 'secret';
const READER = { name: 'reader', password: `${SECRET}-Pa$$:w0rd!` };

let registry: TestRegistry;
let tree: BuiltTree;
let credentialed: string;

beforeAll(async () => {
  registry = await startRegistry();
  tree = await buildTree(registry, { packages: 4, prefix: 'redact' });
  // A real user of the registry. Verdaccio lets anonymous reads through even with a wrong password, so the
  // recording proxy below is what shows the credential still goes out.
  await userToken(registry.url, READER);
  const url = new URL(registry.url);
  url.username = READER.name;
  url.password = READER.password;
  credentialed = url.href;
});

afterAll(() => registry?.stop());

/** A vouch state folder whose npmrc sets `lines` and nothing else about the registry; npm's own retry settings. */
async function stateWith(lines: string[]): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await registry.tempDir('vouch-state');
  const env = await registry.npmEnv(dir, { retries: 'npm-default' });
  await writeFile(join(dir, 'npmrc'), [...lines, 'fund=false', 'audit=false', 'update-notifier=false', ''].join('\n'));
  return { dir, env };
}

/** Every file under `dir` (npm's cache and vouch's state beside it), name and contents. */
async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) out.push({ path, text: await readFile(path, 'latin1') });
  }
  return out;
}

function expectNoSecret(result: VouchResult, ...more: string[]): void {
  for (const text of [result.stdout, result.stderr, ...more]) {
    expect(text.toLowerCase()).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(READER.password));
  }
}

async function expectNoSecretStored(stateDir: string, project?: string): Promise<void> {
  const files = await filesUnder(stateDir);
  expect(files.some((f) => f.path.includes('_vouch'))).toBe(true); // the evidence cache was written
  for (const f of files.filter((file) => !file.path.endsWith('npmrc'))) {
    expect(f.path.toLowerCase(), f.path).not.toContain(SECRET);
    expect(f.text.toLowerCase().includes(SECRET), `${f.path} holds the secret`).toBe(false);
  }
  if (project) expect((await readFile(join(project, 'vouch.lock'), 'utf8')).toLowerCase()).not.toContain(SECRET);
}

describe('a password in the registry URL', () => {
  it('vouch verify (text, JSON, SARIF) reaches the registry with it and prints it nowhere', async () => {
    const { dir, env } = await stateWith([`registry=${credentialed}`]);
    for (const format of ['text', 'json', 'sarif']) {
      const result = await runVouch(['verify', '--format', format], { cwd: tree.project, env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expectNoSecret(result);
    }
    const json = await runVouch(['verify', '--format', 'json'], { cwd: tree.project, env });
    expect(JSON.stringify(json.json)).toContain(registry.url); // the registry is named, without its password
    await expectNoSecretStored(dir);
  });

  it('vouch install and explain, with the URL given as --registry, keep it out of vouch.lock and the caches', async () => {
    const project = await copyProject(tree.project, join(await registry.tempDir('install'), 'project'));
    const { dir, env } = await stateWith([]);
    const install = await runVouch(['install', `--registry=${credentialed}`], { cwd: project, env });
    expect(install.code, install.stdout + install.stderr).toBe(0);
    expectNoSecret(install);
    const lock = JSON.parse(await readFile(join(project, 'vouch.lock'), 'utf8')) as { registries?: Record<string, unknown> };
    expect(Object.keys(lock.registries ?? {})).toEqual([registry.url]); // the same key as without the password
    const name = tree.plan.packages[0]!.name;
    const explain = await runVouch(['explain', name, `--registry=${credentialed}`], { cwd: project, env });
    expect(explain.code, explain.stdout + explain.stderr).toBe(0);
    expect(explain.stdout).toContain(`registry ${registry.url}`);
    expectNoSecret(explain);
    await expectNoSecretStored(dir, project);
  });

  it('vouch log verify <url with a password> audits the log and keeps the password out of its report and state', async () => {
    const { dir, env } = await stateWith([]);
    const state = join(dir, 'log-state.json');
    for (const format of ['text', 'json']) {
      const result = await runVouch(['log', 'verify', credentialed, '--state', state, '--format', format], { cwd: dir, env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expectNoSecret(result, await readFile(state, 'utf8'));
    }
  });

  it('an npm token in .npmrc and a password in the URL: neither is printed nor stored', async () => {
    const host = registry.url.replace(/^https?:/, '');
    const { dir, env } = await stateWith([`registry=${credentialed}`, `${host}:_authToken=${registry.token}`]);
    const result = await runVouch(['verify', '--format', 'json'], { cwd: tree.project, env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expectNoSecret(result);
    expect(result.stdout + result.stderr).not.toContain(registry.token);
    for (const f of await filesUnder(dir)) if (!f.path.endsWith('npmrc')) expect(f.text).not.toContain(registry.token);
  });

  it('still sends it: every request carries the Authorization header npm sends for that URL', async () => {
    const seen: (string | undefined)[] = [];
    const proxy = await recordingProxy(registry.url, (auth) => seen.push(auth));
    try {
      const through = new URL(credentialed);
      through.port = String(proxy.port);
      const { env } = await stateWith([`registry=${through.href}`]);
      const result = await runVouch(['verify', '--format', 'json'], { cwd: tree.project, env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expectNoSecret(result);
      // minipass-fetch's header for a URL's userinfo: user:password as WHATWG URL serialises them
      const basic = `Basic ${Buffer.from(`${through.username}:${through.password}`).toString('base64')}`;
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([basic]));
    } finally {
      await proxy.close();
    }
  });

  it('exits 3 when the registry is down, naming it without the password', async () => {
    const port = await closedPort();
    const down = new URL(credentialed);
    down.port = String(port);
    const { env } = await stateWith([`registry=${down.href}`]);
    const started = Date.now();
    for (const args of [['verify'], ['verify', '--format', 'json'], ['install']]) {
      const result = await runVouch(args, { cwd: tree.project, env });
      expect(result.code, result.stdout + result.stderr).toBe(3);
      expect(result.stdout + result.stderr).toContain(`127.0.0.1:${port}`);
      expectNoSecret(result);
    }
    // Connection refused fails fast even with npm's default retries: measured ~1 s a run on the 2-CPU test machine.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

/** An HTTP proxy in front of `target` that reports each request's Authorization header. */
async function recordingProxy(target: string, onRequest: (authorization: string | undefined) => void): Promise<{ port: number; close(): Promise<void> }> {
  const to = new URL(target);
  const server = createHttpServer((req, res) => {
    onRequest(req.headers.authorization);
    const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound once to learn a free one, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
