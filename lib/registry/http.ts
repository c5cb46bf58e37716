// The one place vouch talks HTTP to registries: npm-registry-fetch (npm's auth, proxies and cacache HTTP
// cache), bounded retries and time, bounded bodies, and one classification of failures.
import fetch from 'npm-registry-fetch';
import type { FlatOptions } from '../config/index.js';

export type FetchFailureCode = 'NOT_FOUND' | 'REGISTRY_UNREACHABLE' | 'REGISTRY_ERROR' | 'OFFLINE_MISS' | 'TOO_LARGE' | 'BAD_BODY';

/** A classified fetch failure: the evidence stage turns it into a finding, never a pass. */
export class FetchFailure extends Error {
  constructor(readonly code: FetchFailureCode, message: string, readonly url: string, readonly status?: number) {
    super(message);
    this.name = 'FetchFailure';
  }
}

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
}

/** GETs a JSON document. 404 (and `absentStatuses`) throw FetchFailure NOT_FOUND for the caller to judge. */
export async function getJson(url: string, opts: HttpOptions, bounds: FetchBounds): Promise<unknown> {
  const body = await getBytes(url, opts, bounds);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new FetchFailure('BAD_BODY', `${url} did not return JSON (${body.length} bytes)`, url);
  }
}

/** GETs a body, refusing anything over `bounds.maxBytes` without reading it all into memory. */
export async function getBytes(url: string, opts: HttpOptions, bounds: FetchBounds): Promise<Buffer> {
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      ...opts.flat,
      offline: opts.offline,
      timeout: opts.timeoutMs,
      retry: { retries: opts.retries, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      headers: bounds.accept ? { accept: bounds.accept } : {},
    });
  } catch (err) {
    throw classify(err, url, bounds);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > bounds.maxBytes) {
    res.body.resume?.();
    throw new FetchFailure('TOO_LARGE', `${url} is ${declared} bytes, over the ${bounds.maxBytes}-byte bound`, url);
  }
  return readBounded(res.body as AsyncIterable<Buffer>, url, bounds.maxBytes, opts.timeoutMs);
}

async function readBounded(body: AsyncIterable<Buffer>, url: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) throw new FetchFailure('TOO_LARGE', `${url} exceeds the ${maxBytes}-byte bound`, url);
      if (Date.now() > deadline) throw new FetchFailure('REGISTRY_UNREACHABLE', `${url} took longer than ${timeoutMs} ms`, url);
      chunks.push(chunk);
    }
  } catch (err) {
    throw err instanceof FetchFailure ? err : classify(err, url, { maxBytes });
  }
  return Buffer.concat(chunks);
}

interface ErrorLike { code?: unknown; statusCode?: unknown; type?: unknown; message?: unknown }

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
