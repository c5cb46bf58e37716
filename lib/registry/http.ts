// The one place vouch talks HTTP to registries: npm-registry-fetch (npm's auth, proxies and cacache HTTP
// cache), bounded retries and time, bounded bodies, and one classification of failures. Packuments
// (never stored in npm's cache) first try a direct request (direct-get.ts), which answers only a plain
// 200 and leaves every other case to npm's stack.
import fetch from 'npm-registry-fetch';
import type { FlatOptions } from '../config/index.js';
import { registryFetchOptions } from '../patches/npm-registry-fetch/option-keys.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { directGet } from './direct-get.js';
import { FetchFailure } from '../errors/index.js';

export interface HttpOptions {
  /** npm's flat options: registry, auth, cache, proxies … */
  flat: FlatOptions;
  offline: boolean;
  /** Per-request time bound in ms (npm's own default is 5 minutes; vouch's is 30 s). */
  timeoutMs: number;
  retries: number;
}

export interface FetchBounds {
  maxBytes: number;
  accept?: string;
  /** Follow npm semantics for 404 and (Nexus) 400: "absent", not an error. */
  absentStatuses?: readonly number[];
  /**
   * Online runs must hear this from the registry itself: revalidate any cached copy, and treat the
   * stale copy make-fetch-happen falls back to when the registry cannot be reached as unreachable
   * (fail closed). `--offline` still answers from the cache.
   */
  fresh?: boolean;
  /**
   * false: an online fetch bypasses npm's HTTP cache entirely (neither read nor written). For bodies
   * vouch keeps in its own evidence cache (packuments): writing thousands of them into cacache was
   * half of a cold `vouch verify` (measured, bench/), and `--offline` re-verifies from the evidence cache.
   */
  store?: boolean;
}

/** GETs a JSON document. 404 (and `absentStatuses`) throw FetchFailure NOT_FOUND for the caller to judge. */
export async function getJson(url: string, opts: HttpOptions, bounds: FetchBounds): Promise<unknown> {
  return parseJsonBody(await getBytes(url, opts, bounds), url);
}

/** A fetched body as JSON; anything else is FetchFailure BAD_BODY. */
export function parseJsonBody(body: Buffer, url: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new FetchFailure('BAD_BODY', `${url} did not return JSON (${body.length} bytes)`, url);
  }
}

const RETRY_MIN_TIMEOUT_MS = 200;

/** Announces a failed attempt that will be retried, as npm's stack does (proc-log; lib/cli/retry-notices.ts prints it). */
export function logRetry(message: string): void {
  (process.emit as (event: string, ...args: unknown[]) => boolean)('log', 'http', 'fetch', message);
}

// make-fetch-happen's x-local-cache-status for a body that streams from the network into npm's cache.
const STORING = new Set(['miss', 'updated']);

/**
 * GETs a body, refusing anything over `bounds.maxBytes` without reading it all into memory: an answer
 * that declares or reaches the bound is hung up on (the request is aborted, so the rest is never read),
 * and the whole body must arrive within `timeoutMs` of the headers.
 *
 * A body of undeclared length is never streamed into npm's cache: minipass-fetch reads the socket
 * without backpressure, and the cache writer (hashing, disk) consumes far slower than a hostile server
 * on a fast link sends — measured on loopback, all of a 200 MB body was in memory before 8 MiB reached
 * vouch. With a declared length that buffer is bounded by the (already checked) length; without one,
 * vouch hangs up at the headers and fetches again past the cache, where it is the only, fast, reader.
 * Fresh cache hits and declared-length answers use npm's cache as before.
 */
export async function getBytes(url: string, opts: HttpOptions, bounds: FetchBounds): Promise<Buffer> {
  if (bounds.store === false && !opts.offline) {
    const direct = await directGet(url, registryFetchOptions(opts.flat), {
      maxBytes: bounds.maxBytes,
      timeoutMs: opts.timeoutMs,
      ...(bounds.accept ? { accept: bounds.accept } : {}),
    });
    if (direct.kind === 'body') return direct.body;
    if (direct.kind === 'too-large') throw new FetchFailure('TOO_LARGE', direct.message, url);
    if (direct.kind === 'retry') {
      // The direct request was the first attempt: npm's stack gets the retries left, after npm's first pause.
      logRetry(`GET ${url} attempt 1 failed with a status or error npm retries`);
      await sleep(RETRY_MIN_TIMEOUT_MS);
      return getBytesViaNpm(url, { ...opts, retries: Math.max(0, opts.retries - 1) }, bounds);
    }
  }
  return getBytesViaNpm(url, opts, bounds);
}

async function getBytesViaNpm(url: string, opts: HttpOptions, bounds: FetchBounds): Promise<Buffer> {
  const abort = new AbortController();
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      ...registryFetchOptions(opts.flat),
      ...(bounds.store === false && !opts.offline ? { cache: undefined } : {}),
      offline: opts.offline,
      timeout: opts.timeoutMs,
      retry: { retries: opts.retries, factor: 2, minTimeout: RETRY_MIN_TIMEOUT_MS, maxTimeout: 2_000 },
      headers: bounds.accept ? { accept: bounds.accept } : {},
      signal: abort.signal,
      ...(bounds.fresh && !opts.offline ? { preferOnline: true } : {}),
    });
  } catch (err) {
    throw classify(err, url, bounds);
  }
  const body = res.body as unknown as BodyStream;
  body.on('error', () => undefined); // aborting makes the unread body (and the cache writer) emit one
  if (bounds.fresh && !opts.offline && res.headers.get('x-local-cache-status') === 'stale') {
    abort.abort();
    throw new FetchFailure('REGISTRY_UNREACHABLE', `could not reach ${url} (only a cached copy answered; use --offline to verify from the cache)`, url);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > bounds.maxBytes) {
    abort.abort();
    throw new FetchFailure('TOO_LARGE', `${url} is ${declared} bytes, over the ${bounds.maxBytes}-byte bound`, url);
  }
  if (Number.isNaN(declared) && STORING.has(res.headers.get('x-local-cache-status') ?? '')) {
    abort.abort();
    return getBytesViaNpm(url, { ...opts, flat: { ...opts.flat, cache: undefined } }, bounds);
  }
  return readBounded(body, url, bounds.maxBytes, opts.timeoutMs, abort);
}

export { registryFetchOptions };

/**
 * npm's flat options with a socket pool that allows `concurrency` requests in flight per registry:
 * `--concurrency` is vouch's number of parallel registry requests, and npm's maxsockets (default 15
 * per origin) would otherwise queue the rest inside the agent, silently capping it. Never lowers it.
 */
export function withConcurrency(flat: FlatOptions, concurrency: number): FlatOptions {
  const sockets = typeof flat['maxSockets'] === 'number' ? flat['maxSockets'] : 15;
  return sockets >= concurrency ? flat : { ...flat, maxSockets: concurrency };
}

/** The body stream as npm-registry-fetch hands it over (a Minipass pipeline). */
interface BodyStream {
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
  on(event: 'error', fn: (err: unknown) => void): unknown;
  resume(): unknown;
}

/** Reads the whole body, or hangs up: over `maxBytes` (TOO_LARGE) or past the time bound. */
function readBounded(body: BodyStream, url: string, maxBytes: number, timeoutMs: number, abort: AbortController): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const hangUp = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      chunks.length = 0;
      abort.abort(); // the rest of the body is never read, by vouch or by npm's cache writer
      return true;
    };
    const fail = (failure: FetchFailure) => void (hangUp() && reject(failure));
    // A body that trickles or stops after the headers: the socket's idle timeout alone misses a drip.
    const timer = setTimeout(() => fail(new FetchFailure('REGISTRY_UNREACHABLE', `${url} took longer than ${timeoutMs} ms`, url)), timeoutMs);
    body.on('data', (chunk) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return fail(new FetchFailure('TOO_LARGE', `${url} exceeds the ${maxBytes}-byte bound`, url));
      chunks.push(chunk);
    });
    body.on('error', (err) => fail(classify(err, url, { maxBytes })));
    body.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    // make-fetch-happen's caching body starts its pipeline on the 'resume' event, which a 'data'
    // listener alone does not emit: without this the body would buffer in minipass-fetch unread.
    body.resume();
  });
}

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  type?: unknown;
  message?: unknown;
}

function classify(err: unknown, url: string, bounds: Pick<FetchBounds, 'absentStatuses' | 'maxBytes'>): FetchFailure | never {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) {
    if (status === 404 || bounds.absentStatuses?.includes(status)) return new FetchFailure('NOT_FOUND', `${status} for ${url}`, url, status);
    return new FetchFailure('REGISTRY_ERROR', `the registry answered ${status} for ${url}`, url, status);
  }
  if (e.code === 'ENOTCACHED') return new FetchFailure('OFFLINE_MISS', `${url} is not in the cache (offline)`, url);
  if (e.type === 'invalid-json' || e.code === 'EBADJSON') return new FetchFailure('BAD_BODY', message, url);
  return new FetchFailure('REGISTRY_UNREACHABLE', `could not reach ${url}: ${message}`, url);
}
