// A real signing registry for tests: `vouch registry` (Verdaccio + the vouch plugin) as a child
// process on 127.0.0.1, a random port, its own storage, no uplinks, plus the real npm pointed at it.
// Needs a built tree (`npm run build`): it runs bin/vouch.js. One registry per test file:
//
//   let registry: TestRegistry;
//   beforeAll(async () => { registry = await startRegistry(); });
//   afterAll(() => registry?.stop());
//
// API
//   startRegistry({ storage?, keys?, port?, bin?, args? }) → TestRegistry. `storage`: reuse a folder (kept by stop(), e.g. to
//                                          restart on it); default a temp folder removed by stop().
//                                          `keys`: `--key` values, active first, retired as FILE=EXPIRES;
//                                          default a key generated in the storage folder.
//                                          `port`: listen there (e.g. a stopped registry's, so lockfiles'
//                                          `resolved` URLs still reach it after a restart); default a free one.
//                                          `bin`: another vouch launcher to run (e.g. an installed vouch's
//                                          bin/vouch.js); default this tree's bin/vouch.js.
//                                          `args`: more `vouch registry` flags (e.g. ['--witness', url]).
//   registry.url / keyid / storage / token   `http://127.0.0.1:PORT/`, active key id, Verdaccio storage
//                                          folder, an npm token of the publisher user ("publisher").
//   registry.witnesses / logKey           the ready line's witness URLs and signing log verifier key.
//   registry.stderr()                    → what the registry logged on stderr (its last 20,000 characters).
//   registry.tempDir(label)              → a fresh folder, removed by stop().
//   registry.get(path, accept?)          → { status, bytes, text, json } of an anonymous GET (path relative to url).
//   registry.put(path, body, { fresh? }) → the same for a JSON PUT with the publisher's token (raw publishes:
//                                          `registry.put(encodeURIComponent(name), publishBody(...))`). A publish
//                                          that succeeds is backdated (below) unless `fresh`.
//   registry.npmEnv(stateDir, options?)  → env for the real npm on this registry, its npmrc and cache under
//                                          stateDir; isolated from ~/.npmrc (see test/support/npm.ts).
//                                          options.retries: 'none' (default, fetch-retries=0) or 'npm-default'
//                                          (npm's own retry settings, as users have them: see npmEnv).
//   registry.npm(args, { cwd, stateDir?, retries? }) → { code, stdout, stderr } of the real npm (never throws on
//                                          exit code); stateDir defaults to one shared by the registry (give a
//                                          tempDir for a dedicated npm cache); retries as for npmEnv.
//   registry.publish(dir, stateDir?, { fresh? }) → `npm publish --access public` of a package folder; throws with
//                                          npm's output on failure. Backdated unless `fresh`.
//   registry.backdate(name, versions)    → backdates versions published some other way (e.g. `vouch publish`).
//   registry.setPublishTimes(name, {version: Date}) → serves those publish times from now on.
// Publish times: vouch's default minReleaseAge denies a version younger than a day, so what tests publish
// is published "in the past" (PUBLISHED_DAYS_AGO days ago, one package's versions in publish order, a few
// minutes apart; see registry-storage.ts). `{ fresh: true }` keeps the time Verdaccio gave it (now).
//   registry.stop()                      → SIGTERM, waits for exit, removes temp folders. Idempotent.
// The child exits on its own when this process goes away (IPC disconnect), so a crashed vitest
// leaves no registry behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packagePath } from '../../lib/config/package-root.js';
import { npmEnv, runNpm, type NpmEnvOptions, type NpmResult } from './npm.js';
import { backdateLogCreation, backdateVersions, setPublishTimes } from './registry-storage.js';

export type { NpmEnvOptions, NpmResult } from './npm.js';

export interface HttpResult {
  status: number;
  /** The body exactly as received. */
  bytes: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface StartOptions {
  storage?: string;
  keys?: string[];
  port?: number;
  bin?: string;
  args?: string[];
}

/** How a publish is dated: by default in the past (see above); `fresh`: now, as Verdaccio dated it. */
export interface PublishTimeOptions {
  fresh?: boolean;
}

export interface TestRegistry {
  url: string;
  keyid: string;
  storage: string;
  logKey: string;
  witnesses: string[];
  token: string;
  stderr(): string;
  tempDir(label: string): Promise<string>;
  get(path: string, accept?: string): Promise<HttpResult>;
  put(path: string, body: unknown, options?: PublishTimeOptions): Promise<HttpResult>;
  npmEnv(stateDir: string, options?: NpmEnvOptions): Promise<NodeJS.ProcessEnv>;
  npm(args: string[], options: { cwd: string; stateDir?: string } & NpmEnvOptions): Promise<NpmResult>;
  publish(dir: string, stateDir?: string, options?: PublishTimeOptions): Promise<void>;
  backdate(name: string, versions: readonly string[]): Promise<Record<string, Date>>;
  setPublishTimes(name: string, times: Readonly<Record<string, Date>>): Promise<void>;
  stop(): Promise<void>;
}

export const PUBLISHER = { name: 'publisher', password: 'publisher-password-1' };
const READY_TIMEOUT_MS = 60_000;

export async function startRegistry(options: StartOptions = {}): Promise<TestRegistry> {
  const bin = options.bin ?? packagePath('bin', 'vouch.js');
  if (!options.bin && !existsSync(packagePath('dist', 'lib', 'cli', 'main.js'))) {
    throw new Error('test registry: dist/ is missing, run `npm run build` first');
  }
  const root = await mkdtemp(join(tmpdir(), 'vouch-registry-test-'));
  const storage = options.storage ?? join(root, 'storage');
  await backdateLogCreation(storage); // its packages are published in the past: so is its log
  const args = [bin, 'registry', '--port', String(options.port ?? 0), '--host', '127.0.0.1', '--storage', storage, '--json'];
  for (const key of options.keys ?? []) args.push('--key', key);
  args.push(...(options.args ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], cwd: root });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-20_000)));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await terminate(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const ready = await readyLine(child, () => stderr);
    await assertKeysRoute(ready.url, ready.keyid);
    const token = await userToken(ready.url, PUBLISHER);
    let dirs = 0;
    const registry: TestRegistry = {
      ...ready,
      token,
      stderr: () => stderr,
      tempDir: async (label) => mkdtemp(join(root, `${label.replace(/[^\w.-]/g, '_')}-${++dirs}-`)),
      get: (path, accept) => httpGet(new URL(path.replace(/^\//, ''), ready.url), accept),
      put: async (path, body, { fresh = false } = {}) => {
        const result = await httpPutJson(new URL(path.replace(/^\//, ''), ready.url), body, token);
        const published = publishedVersions(body);
        if (published && !fresh && result.status >= 200 && result.status < 300) await backdateVersions(ready.storage, published.name, published.versions);
        return result;
      },
      npmEnv: (stateDir, envOptions) => npmEnv(stateDir, { url: ready.url, token }, envOptions),
      npm: async (npmArgs, { cwd, stateDir, ...envOptions }) =>
        runNpm(npmArgs, cwd, await npmEnv(stateDir ?? join(root, 'npm-state'), { url: ready.url, token }, envOptions)),
      publish: async (dir, stateDir, { fresh = false } = {}) => {
        const result = await runNpm(['publish', '--access', 'public'], dir, await npmEnv(stateDir ?? join(root, 'npm-state'), { url: ready.url, token }));
        if (result.code !== 0) throw new Error(`npm publish ${dir} failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
        if (!fresh) {
          const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
          await backdateVersions(ready.storage, manifest.name, [manifest.version]);
        }
      },
      backdate: (name, versions) => backdateVersions(ready.storage, name, versions),
      setPublishTimes: (name, times) => setPublishTimes(ready.storage, name, times),
      stop,
    };
    return registry;
  } catch (err) {
    await stop();
    throw new Error(`test registry did not start: ${String(err)}\n--- registry stderr ---\n${stderr}`, { cause: err });
  }
}

/** The name and versions of a publish body (a PUT that carries versions and a tarball attachment). */
function publishedVersions(body: unknown): { name: string; versions: string[] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { name, versions, _attachments: attachments } = body as Record<string, unknown>;
  if (typeof name !== 'string' || typeof versions !== 'object' || versions === null || typeof attachments !== 'object' || attachments === null)
    return undefined;
  if (!Object.keys(attachments).some((file) => file.endsWith('.tgz'))) return undefined;
  return { name, versions: Object.keys(versions) };
}

/** GET without auth; `accept` e.g. 'application/vnd.npm.install-v1+json' for the abbreviated packument. */
export async function httpGet(url: URL, accept = 'application/json'): Promise<HttpResult> {
  return toResult(await fetch(url, { headers: { accept } }));
}

/** PUT of a JSON body with the publisher's token, as npm publish sends it. */
export async function httpPutJson(url: URL, body: unknown, token: string): Promise<HttpResult> {
  return toResult(
    await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }),
  );
}

async function toResult(res: Response): Promise<HttpResult> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, bytes, text, json };
}

/** Creates the user (201), or logs in when it exists (409 → Basic auth); returns the token. */
export async function userToken(url: string, user: { name: string; password: string }): Promise<string> {
  const target = new URL(`-/user/org.couchdb.user:${encodeURIComponent(user.name)}`, url);
  const body = JSON.stringify({ name: user.name, password: user.password, email: `${user.name}@example.test` });
  const headers = { 'content-type': 'application/json' };
  let res = await fetch(target, { method: 'PUT', headers, body });
  if (res.status === 409) {
    const basic = Buffer.from(`${user.name}:${user.password}`).toString('base64');
    res = await fetch(target, { method: 'PUT', headers: { ...headers, authorization: `Basic ${basic}` }, body });
  }
  const json = (await res.json()) as { token?: unknown };
  if (res.status !== 201 || typeof json.token !== 'string') {
    throw new Error(`could not create user ${user.name}: HTTP ${res.status} ${JSON.stringify(json)}`);
  }
  return json.token;
}

interface ReadyLine {
  url: string;
  keyid: string;
  storage: string;
  logKey: string;
  witnesses: string[];
}

async function readyLine(child: ChildProcess, stderr: () => string): Promise<ReadyLine> {
  const lines = createInterface({ input: child.stdout! });
  const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      lines.close();
      reject(new Error(why));
    };
    timeout.addEventListener('abort', () => fail(`no ready line within ${READY_TIMEOUT_MS} ms`));
    child.once('exit', (code) => fail(`vouch registry exited (${code}) before it was ready: ${stderr().slice(-2000)}`));
    lines.on('line', (line) => {
      try {
        const ready = JSON.parse(line) as ReadyLine;
        lines.close();
        resolve(ready);
      } catch {
        // not the ready line
      }
    });
  });
}

async function assertKeysRoute(url: string, keyid: string): Promise<void> {
  const res = await fetch(new URL('-/npm/v1/keys', url));
  const body = (await res.json()) as { keys?: { keyid?: string }[] };
  if (res.status !== 200 || body.keys?.[0]?.keyid !== keyid) {
    throw new Error(`keys route did not answer with ${keyid}: HTTP ${res.status} ${JSON.stringify(body)}`);
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
