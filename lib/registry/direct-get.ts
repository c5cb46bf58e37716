// A direct GET for packuments, beside npm's HTTP stack. npm-registry-fetch, make-fetch-happen,
// minipass-fetch and @npmcli/agent cost ~1 ms of CPU per request (three Request objects, an agent
// lookup, a stack trace per request to tell http from https, option merges), and a cold `vouch verify`
// makes one request per package. Packuments bypass npm's cache anyway.
//
// It only answers the simple case, and hands the rest to npm's stack (the caller then makes the request
// there, so what vouch follows, retries and reports stays npm's):
//   - used only without a proxy (config or environment) and without a custom CA, client certificate or
//     local address, for http: and https: URLs;
//   - sends the headers npm-registry-fetch sends for that URL, its credentials included, computed by
//     npm-registry-fetch's own auth code;
//   - a 200 within the bounds is the answer; a body over the bound is refused here, as npm's stack would
//     refuse it (asking again would read it twice);
//   - a status or failure make-fetch-happen retries (408, 420, 429, 5xx, a network error, a timeout) counts
//     as the first attempt: npm's stack gets the remaining retries;
//   - anything else (a redirect, another status, an unknown encoding) goes to npm's stack as if nothing
//     had been asked.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { npmAuthFor, stringOption, type FlatOptions } from '../config/index.js';

// @npmcli/agent reads these (lower-cased) from the environment (lib/proxy.js).
const PROXY_ENV = new Set(['https_proxy', 'http_proxy', 'proxy']);
const proxyInEnvironment = Object.entries(process.env).some(([key, value]) => PROXY_ENV.has(key.toLowerCase()) && Boolean(value));

/** Whether npm would reach `url` with nothing but a plain connection (no proxy, no custom TLS). */
export function directEligible(url: URL, flat: FlatOptions): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (proxyInEnvironment) return false;
  return !['proxy', 'httpsProxy', 'ca', 'cert', 'key', 'localAddress'].some((option) => Boolean(flat[option]));
}

/** The headers npm-registry-fetch sends with a GET of `url` (lib/index.js getHeaders), plus Accept. */
export function npmHeaders(url: string, flat: FlatOptions, accept: string | undefined): Record<string, string> | null {
  const auth = npmAuthFor(url, flat);
  if (auth.cert || auth.key) return null; // a client certificate for this registry: npm's agent handles it
  const headers: Record<string, string> = { 'accept-encoding': 'gzip,deflate' };
  for (const [header, option] of [
    ['user-agent', 'userAgent'],
    ['npm-auth-type', 'authType'],
    ['npm-scope', 'scope'],
    ['npm-session', 'npmSession'],
    ['npm-command', 'npmCommand'],
  ] as const) {
    const value = stringOption(flat, option);
    if (value) headers[header] = value;
  }
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  else if (auth.auth) headers.authorization = `Basic ${auth.auth}`;
  if (accept) headers.accept = accept;
  return headers;
}

const agents = new Map<string, HttpAgent>();

function agentFor(url: URL, flat: FlatOptions): HttpAgent {
  const maxSockets = typeof flat['maxSockets'] === 'number' ? flat['maxSockets'] : 15;
  const strict = flat['strictSSL'] !== false;
  const key = `${url.protocol}${maxSockets}${strict}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets, rejectUnauthorized: strict }) : new HttpAgent({ keepAlive: true, maxSockets });
    agents.set(key, agent);
  }
  return agent;
}

/** The decoded body, 'too-large' past the bound, or null when it does not decode (npm's stack decides). */
type Decoder = (body: Buffer, maxBytes: number) => Promise<Buffer | 'too-large' | null>;

function oneShot(decode: typeof gunzip): Decoder {
  // One call per body, in the thread pool: a streaming decoder per small packument costs more to set up
  // than to run. maxOutputLength bounds what the decompressed body may grow to.
  return (body, maxBytes) =>
    new Promise((resolve) => {
      decode(body, { maxOutputLength: maxBytes }, (err, out) => {
        if (!err) resolve(out);
        else resolve((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : null);
      });
    });
}

const DECODERS: Record<string, Decoder> = {
  '': async (body) => body,
  identity: async (body) => body,
  gzip: oneShot(gunzip),
  'x-gzip': oneShot(gunzip),
  deflate: oneShot(inflate),
  br: oneShot(brotliDecompress as typeof gunzip),
};

function decoderFor(res: IncomingMessage): Decoder | undefined {
  return DECODERS[(res.headers['content-encoding'] ?? '').trim().toLowerCase()];
}

export interface DirectBounds {
  maxBytes: number;
  timeoutMs: number;
  accept?: string;
}

export type DirectAnswer =
  | { kind: 'body'; body: Buffer }
  | { kind: 'too-large'; message: string }
  /** A failure make-fetch-happen would retry: one attempt spent. */
  | { kind: 'retry' }
  /** Not for the direct path: ask npm's stack. */
  | { kind: 'npm' };

const NPM = { kind: 'npm' } as const;
const RETRY = { kind: 'retry' } as const;
const tooLarge = (message: string): DirectAnswer => ({ kind: 'too-large', message });

function retried(status: number): boolean {
  return [408, 420, 429].includes(status) || status >= 500;
}

/** GETs `url` directly when npm would reach it with a plain connection; see the header for the answers. */
export function directGet(url: string, flat: FlatOptions, bounds: DirectBounds): Promise<DirectAnswer> {
  const target = new URL(url);
  if (!directEligible(target, flat)) return Promise.resolve(NPM);
  const headers = npmHeaders(url, flat, bounds.accept);
  if (!headers) return Promise.resolve(NPM);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const overBound = `${url} exceeds the ${bounds.maxBytes}-byte bound`;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: DirectAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (answer.kind !== 'body') req.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(RETRY), bounds.timeoutMs);
    const req = request(target, { method: 'GET', headers, agent: agentFor(target, flat) }, (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length'] ?? NaN);
      const decode = status === 200 ? decoderFor(res) : undefined;
      if (!decode) {
        res.resume();
        return finish(retried(status) ? RETRY : NPM);
      }
      if (declared > bounds.maxBytes) return finish(tooLarge(`${url} is ${declared} bytes, over the ${bounds.maxBytes}-byte bound`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > bounds.maxBytes) return finish(tooLarge(overBound));
        chunks.push(chunk);
      });
      res.on('error', () => finish(RETRY));
      res.on('close', () => {
        if (!res.complete) finish(RETRY);
      });
      res.on('end', () => {
        if (settled) return;
        void decode(Buffer.concat(chunks), bounds.maxBytes).then((body) => {
          finish(body === 'too-large' ? tooLarge(overBound) : body ? { kind: 'body', body } : NPM);
        });
      });
    });
    req.on('error', () => finish(RETRY));
    req.end();
  });
}
