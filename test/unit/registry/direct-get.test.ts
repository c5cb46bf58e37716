// lib/registry/direct-get.ts: the direct packument GET sends what npm-registry-fetch sends (credentials
// only where npm sends them), answers a plain 200 within the bounds, refuses a body over the bound,
// counts a failure npm retries as one attempt, and leaves every other answer, and every proxied or
// custom-TLS setup, to npm's stack, which getBytes then asks.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fetch from 'npm-registry-fetch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlatOptions } from '../../../lib/config/index.js';
import { directEligible, directGet } from '../../../lib/registry/direct-get.js';
import { getBytes } from '../../../lib/registry/http.js';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

const PACKUMENT = Buffer.from(JSON.stringify({ name: 'a', versions: { '1.0.0': { dist: { integrity: 'sha512-x' } } } }));
let seen: Seen[] = [];
let server: Server;
let port = 0;

const routes: Record<string, (res: ServerResponse) => void> = {
  '/plain': (res) => res.end(PACKUMENT),
  '/gzipped': (res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(PACKUMENT)),
  // 2 MiB once decompressed, ~2 KB on the wire
  '/bomb': (res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(2 * 1024 * 1024))),
  '/moved': (res) => res.writeHead(302, { location: '/plain' }).end(),
  '/broken': (res) => res.writeHead(500).end('no'),
  '/declared': (res) => res.writeHead(200, { 'content-length': String(4 * 1024 * 1024) }).end(Buffer.alloc(4 * 1024 * 1024)),
  '/corrupt': (res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('not gzip at all')),
  '/absent': (res) => res.writeHead(404).end('{}'),
  '/silent': () => undefined, // never answers
  '/endless': (res) => {
    res.writeHead(200);
    const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(Buffer.alloc(64 * 1024))), 5);
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    (routes[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
});
beforeEach(() => {
  seen = [];
});

const url = (path: string, host = '127.0.0.1') => `http://${host}:${port}${path}`;
const flat = (): FlatOptions => ({
  registry: url('/'),
  [`//127.0.0.1:${port}/:_authToken`]: 'secret-token',
  userAgent: 'npm/11.0.0 node/v20 linux x64',
  npmSession: 'session-1',
  npmCommand: 'install',
  authType: 'web',
  maxSockets: 4,
});
const bounds = { maxBytes: 1024 * 1024, timeoutMs: 2_000, accept: 'application/vnd.npm.install-v1+json' };
const NPM_HEADERS = ['authorization', 'user-agent', 'accept', 'npm-session', 'npm-command', 'npm-auth-type'];
const picked = (headers: IncomingHttpHeaders) => Object.fromEntries(NPM_HEADERS.map((h) => [h, headers[h]]));

async function viaNpm(target: string, options: FlatOptions): Promise<IncomingHttpHeaders> {
  await (await fetch(target, { ...options, headers: { accept: bounds.accept }, cache: undefined })).buffer();
  return seen.at(-1)!.headers;
}

describe('directGet', () => {
  it('sends the headers and credentials npm-registry-fetch sends, and reads a plain or gzipped 200', async () => {
    expect(await directGet(url('/plain'), flat(), bounds)).toEqual({ kind: 'body', body: PACKUMENT });
    const direct = seen.at(-1)!.headers;
    expect(picked(direct)).toEqual(picked(await viaNpm(url('/plain'), flat())));
    expect(direct.authorization).toBe('Bearer secret-token');
    expect(await directGet(url('/gzipped'), flat(), bounds)).toEqual({ kind: 'body', body: PACKUMENT });
  });

  it('sends no credentials to another host, as npm does not', async () => {
    expect(await directGet(url('/plain', 'localhost'), flat(), bounds)).toEqual({ kind: 'body', body: PACKUMENT });
    const direct = seen.at(-1)!.headers;
    expect(direct.authorization).toBeUndefined();
    expect(picked(direct)).toEqual(picked(await viaNpm(url('/plain', 'localhost'), flat())));
  });

  it('refuses a body over the bound: declared, streamed, or once decompressed', async () => {
    for (const path of ['/declared', '/endless', '/bomb']) {
      expect(await directGet(url(path), flat(), { ...bounds, timeoutMs: 10_000 }), path).toMatchObject({ kind: 'too-large' });
    }
  });

  it('counts what npm retries as an attempt, and leaves redirects and other answers to npm', async () => {
    expect(await directGet(url('/broken'), flat(), bounds)).toEqual({ kind: 'retry' });
    const started = Date.now();
    expect(await directGet(url('/silent'), flat(), { ...bounds, timeoutMs: 300 })).toEqual({ kind: 'retry' });
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const path of ['/moved', '/absent', '/corrupt']) {
      expect(await directGet(url(path), flat(), bounds), path).toEqual({ kind: 'npm' });
    }
    expect(seen.map((s) => s.path)).toEqual(['/broken', '/silent', '/moved', '/absent', '/corrupt']); // the redirect was not followed
  });

  it('is not used behind a proxy, with a custom CA, client certificate or local address, or off http(s)', () => {
    const https = new URL('https://registry.example/a');
    expect(directEligible(https, flat())).toBe(true);
    for (const option of ['proxy', 'httpsProxy', 'ca', 'cert', 'key', 'localAddress']) {
      expect(directEligible(https, { ...flat(), [option]: 'x' }), option).toBe(false);
    }
    expect(directEligible(new URL('file:///tmp/a'), flat())).toBe(false);
  });
});

describe('getBytes with the direct GET', () => {
  const http = () => ({ flat: flat(), offline: false, timeoutMs: 2_000, retries: 0 });

  it("asks npm's stack when the direct GET has no answer, and gets npm's answer (a followed redirect)", async () => {
    const body = await getBytes(url('/moved'), http(), { maxBytes: bounds.maxBytes, store: false });
    expect(body).toEqual(PACKUMENT);
    expect(seen.map((s) => s.path)).toEqual(['/moved', '/moved', '/plain']);
  });

  it("reports a 404 as npm's stack does, and a body over the bound without reading it twice", async () => {
    await expect(getBytes(url('/absent'), http(), { maxBytes: bounds.maxBytes, store: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getBytes(url('/bomb'), http(), { maxBytes: bounds.maxBytes, store: false })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(seen.map((s) => s.path)).toEqual(['/absent', '/absent', '/bomb']);
  });

  it('spends one attempt of the retry budget on a failed direct request', async () => {
    await expect(getBytes(url('/broken'), { ...http(), retries: 2 }, { maxBytes: bounds.maxBytes, store: false })).rejects.toMatchObject({
      code: 'REGISTRY_ERROR',
    });
    expect(seen.map((s) => s.path)).toEqual(['/broken', '/broken', '/broken']);
  });

  it("leaves requests npm caches (attestations, keys) to npm's stack alone", async () => {
    const body = await getBytes(url('/moved'), { ...http(), flat: { ...flat(), cache: undefined } }, { maxBytes: bounds.maxBytes });
    expect(body).toEqual(PACKUMENT);
    expect(seen.map((s) => s.path)).toEqual(['/moved', '/plain']);
  });
});
