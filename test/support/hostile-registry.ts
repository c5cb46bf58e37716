// A hostile registry for fault and tampering tests: an HTTP server of ours on 127.0.0.1 in front of
// a real registry (test/support/registry.ts). By default it proxies every request unchanged; rules a
// test adds decide, per request path, to misbehave instead. Beside it runs a second, "foreign" host
// that redirects land on: it records whether an Authorization header reached it.
//
//   const hostile = await startHostileRegistry(registry.url);
//   hostile.on('/left', { kind: 'status', status: 503 }, { times: 2 });   // two 503s, then the real answer
//   … run vouch with registry = hostile.url …
//   expect(hostile.count('/left')).toBe(3);
//   hostile.reset();                                                       // between tests
//
// API
//   startHostileRegistry(upstream)      → HostileRegistry. `upstream`: the real registry URL (trailing slash).
//   hostile.url                         `http://127.0.0.1:PORT/`: use it as the npm registry.
//   hostile.on(match, fault, opts?)     adds a rule. match: an exact path ('/left', '/-/npm/v1/keys'; query
//                                       ignored), a RegExp on the path, or a predicate. opts.times: the rule
//                                       applies that many times, then requests pass through again (default:
//                                       forever); opts.after: the first `after` matching requests pass through.
//                                       The first rule (in order added) that applies wins.
//   hostile.requests                    every request seen: { method, path, authorization, fault, bytesSent }.
//   hostile.count(match)                how many requests matched (whatever was answered).
//   hostile.reset()                     drops rules and the request log (of the foreign host too).
//   hostile.foreign.url                 `http://localhost:PORT/`: another host *name* on loopback (HTTP clients
//                                       strip credentials on a change of host name, not of port). It proxies
//                                       to upstream too, so a followed redirect still gets an answer.
//   hostile.foreign.requests            { method, path, authorization } seen there.
//   hostile.close()
//
// Faults (Fault):
//   { kind: 'status', status, body? }   that status (500, 502, 503, 404 …) with a small JSON error body.
//   { kind: 'reset' }                   200 headers and part of the real body, then the connection is destroyed.
//   { kind: 'hang' }                    200 headers and part of the real body, then nothing, ever (until the
//                                       client goes away).
//   { kind: 'truncate' }                the first half of the real body, ended cleanly (chunked): valid HTTP,
//                                       broken JSON.
//   { kind: 'body', body, type?, status? }  a fixed body (e.g. an HTML error page), default 200 text/html.
//   { kind: 'huge', bytes, declareLength? }  a JSON packument of `bytes` bytes, generated as it streams (never
//                                       held in memory here either), honouring backpressure; bytesSent in
//                                       the log says how much the client actually read before hanging up.
//   { kind: 'redirect', status?, to? }  a redirect (default 302) to the same path on `to` (default the foreign host).
//   { kind: 'json', rewrite }           the real JSON answer, passed through `rewrite(body, path)` (tampering:
//                                       signatures, dist.integrity, attestation bundles, keys …).
//   { kind: 'delay', ms }               the real answer, after `ms` (to hold a run in flight).
//   { kind: 'headers', headers }        the real answer, streamed unchanged, with these response headers set
//                                       (replacing upstream's of the same name, case-insensitive), e.g.
//                                       `{ 'cache-control': 'no-store' }` for a registry or CDN that forbids caching.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'truncate' }
  | { kind: 'body'; body: string | Buffer; type?: string; status?: number }
  | { kind: 'huge'; bytes: number; declareLength?: boolean }
  | { kind: 'redirect'; status?: 301 | 302 | 307 | 308; to?: string }
  | { kind: 'json'; rewrite: (body: unknown, path: string) => unknown }
  | { kind: 'delay'; ms: number }
  | { kind: 'headers'; headers: Record<string, string> };

export type Match = string | RegExp | ((path: string) => boolean);

export interface RuleOptions {
  times?: number;
  after?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** The Authorization header as received, or null. */
  authorization: string | null;
  /** The fault kind applied, or 'proxy'. */
  fault: Fault['kind'] | 'proxy';
  /** Body bytes this server wrote (for 'huge': what the client read before it hung up, plus socket buffers). */
  bytesSent: number;
}

export interface ForeignHost {
  url: string;
  requests: Omit<SeenRequest, 'fault' | 'bytesSent'>[];
}

export interface HostileRegistry {
  url: string;
  foreign: ForeignHost;
  requests: SeenRequest[];
  on(match: Match, fault: Fault, opts?: RuleOptions): void;
  count(match: Match): number;
  reset(): void;
  close(): Promise<void>;
}

interface Rule {
  match: Match;
  fault: Fault;
  remaining: number;
  skip: number;
}

export async function startHostileRegistry(upstream: string): Promise<HostileRegistry> {
  const rules: Rule[] = [];
  const requests: SeenRequest[] = [];
  const foreignRequests: ForeignHost['requests'] = [];
  const upstreamUrl = new URL(upstream);

  const foreign = await listen((req, res) => {
    foreignRequests.push({ method: req.method ?? 'GET', path: pathOf(req), authorization: req.headers.authorization ?? null });
    void proxy(req, res, upstreamUrl).catch(() => res.destroy());
  });
  const foreignUrl = `http://localhost:${port(foreign)}/`;

  const server = await listen((req, res) => {
    const path = pathOf(req);
    const rule = rules.find((r) => r.remaining > 0 && matches(r.match, path) && r.skip-- <= 0);
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      authorization: req.headers.authorization ?? null,
      fault: rule?.fault.kind ?? 'proxy',
      bytesSent: 0,
    };
    requests.push(seen);
    if (rule) rule.remaining--;
    const count = (n: number) => void (seen.bytesSent += n);
    void answer(req, res, rule?.fault, upstreamUrl, foreignUrl, count).catch(() => res.destroy());
  });

  return {
    url: `http://127.0.0.1:${port(server)}/`,
    foreign: { url: foreignUrl, requests: foreignRequests },
    requests,
    on: (match, fault, opts = {}) => void rules.push({ match, fault, remaining: opts.times ?? Infinity, skip: opts.after ?? 0 }),
    count: (match) => requests.filter((r) => matches(match, r.path)).length,
    reset: () => {
      rules.length = 0;
      requests.length = 0;
      foreignRequests.length = 0;
    },
    close: async () => {
      await Promise.all([stop(server), stop(foreign)]);
    },
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault | undefined,
  upstream: URL,
  foreignUrl: string,
  sent: (n: number) => void,
): Promise<void> {
  switch (fault?.kind) {
    case undefined:
      return proxy(req, res, upstream, sent);
    case 'delay':
      await new Promise((done) => setTimeout(done, fault.ms));
      return proxy(req, res, upstream, sent);
    case 'headers':
      return proxy(req, res, upstream, sent, fault.headers);
    case 'status': {
      const body = fault.body ?? JSON.stringify({ error: `hostile registry: ${fault.status}` });
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return sent(Buffer.byteLength(body));
    }
    case 'body': {
      const body = Buffer.from(fault.body);
      res.writeHead(fault.status ?? 200, { 'content-type': fault.type ?? 'text/html', 'content-length': body.length });
      res.end(body);
      return sent(body.length);
    }
    case 'redirect': {
      const target = new URL(pathOf(req).replace(/^\//, ''), fault.to ?? foreignUrl).href;
      res.writeHead(fault.status ?? 302, { location: target, 'content-length': 0 });
      return void res.end();
    }
    case 'huge':
      return streamHuge(res, fault.bytes, fault.declareLength ?? false, sent);
    case 'reset':
    case 'hang':
    case 'truncate':
    case 'json': {
      const real = await fetchUpstream(req, upstream);
      return misbehave(res, real, fault, pathOf(req), sent);
    }
  }
}

async function misbehave(
  res: ServerResponse,
  real: Upstream,
  fault: Extract<Fault, { kind: 'reset' | 'hang' | 'truncate' | 'json' }>,
  path: string,
  sent: (n: number) => void,
): Promise<void> {
  const half = real.body.subarray(0, Math.max(1, Math.floor(real.body.length / 2)));
  if (fault.kind === 'json') {
    let body = real.body;
    if (real.status === 200) body = Buffer.from(JSON.stringify(fault.rewrite(JSON.parse(real.body.toString('utf8')) as unknown, path)));
    res.writeHead(real.status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return sent(body.length);
  }
  if (fault.kind === 'truncate') {
    res.writeHead(200, { 'content-type': real.contentType }); // chunked: the end is clean, the JSON is not
    res.end(half);
    return sent(half.length);
  }
  // reset / hang: promise the whole body, deliver half of it.
  res.writeHead(200, { 'content-type': real.contentType, 'content-length': real.body.length });
  res.write(half);
  sent(half.length);
  if (fault.kind === 'reset') setTimeout(() => res.socket?.resetAndDestroy(), 20);
  // 'hang': nothing more; the socket closes when the client gives up.
}

/** A syntactically plausible packument of exactly `bytes` bytes, produced as the client reads it. */
async function streamHuge(res: ServerResponse, bytes: number, declareLength: boolean, sent: (n: number) => void): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': bytes } : {}) });
  const head = Buffer.from('{"name":"huge","versions":{},"padding":"');
  const tail = Buffer.from('"}');
  const block = Buffer.alloc(64 * 1024, 'x');
  let closed = false;
  res.on('close', () => void (closed = true));
  let written = 0;
  const write = async (chunk: Buffer): Promise<void> => {
    written += chunk.length;
    sent(chunk.length);
    if (res.write(chunk) || closed) return;
    await new Promise<void>((done) => {
      const go = () => {
        res.off('drain', go);
        res.off('close', go);
        done();
      };
      res.on('drain', go);
      res.on('close', go);
    });
  };
  await write(head);
  while (!closed && written < bytes - tail.length) await write(block.subarray(0, Math.min(block.length, bytes - tail.length - written)));
  if (!closed) {
    written += tail.length;
    sent(tail.length);
    res.end(tail);
  }
}

interface Upstream {
  status: number;
  contentType: string;
  body: Buffer;
}

function fetchUpstream(req: IncomingMessage, upstream: URL): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(upstreamOptions(req, upstream), (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => resolve({ status: up.statusCode ?? 502, contentType: up.headers['content-type'] ?? 'application/json', body: Buffer.concat(chunks) }));
      up.on('error', reject);
    });
    out.on('error', reject);
    req.pipe(out);
  });
}

/** Passes the request through to upstream and the answer back, counting the body bytes; `headers` replace upstream's. */
function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  sent: (n: number) => void = () => undefined,
  headers: Record<string, string> = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(upstreamOptions(req, upstream), (up) => {
      const replaced = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
      const kept = Object.fromEntries(Object.entries(up.headers).filter(([h]) => !replaced.has(h.toLowerCase())));
      res.writeHead(up.statusCode ?? 502, { ...kept, ...headers });
      up.on('data', (c: Buffer) => sent(c.length));
      up.pipe(res);
      up.on('end', () => resolve());
      up.on('error', reject);
    });
    out.on('error', reject);
    req.pipe(out);
  });
}

function upstreamOptions(req: IncomingMessage, upstream: URL) {
  const headers = { ...req.headers };
  // Plain bodies, so rewrites and truncation work on bytes; the Host header is kept, so the registry
  // writes tarball URLs that point back at this server.
  delete headers['accept-encoding'];
  return { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers };
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').pathname;
}

function matches(match: Match, path: string): boolean {
  if (typeof match === 'string') return match === path || decodeURIComponent(match) === decodeURIComponent(path);
  if (match instanceof RegExp) return match.test(path);
  return match(path);
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const port = (server: Server): number => (server.address() as AddressInfo).port;

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}
