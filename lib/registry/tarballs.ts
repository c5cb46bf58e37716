// Tarball bytes for install: each package's tarball is put into vouch's verified store (verified-store.ts)
// under its signed integrity — from the store itself, from npm's cache by digest, or downloaded — and the
// sha512 of what arrived is bound into the evidence. A mismatch of bytes is a verdict at once: vouch hashes
// the download itself, so npm's stack never sees an integrity to retry on; only network failures are retried.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fetch from 'npm-registry-fetch';
import pMap from 'p-map';
import pacote from 'pacote';
import { VouchError, truncate } from '../errors/index.js';
import { evidenceKey, packageKey } from '../tree/index.js';
import type { NonRegistryRef } from '../tree/types.js';
import { checkIntegrity, type IntegrityResult, type PackageEvidence } from '../verify/index.js';
import type { FlatOptions } from '../config/index.js';
import { limitConcurrency } from '../concurrency/index.js';
import { logRetry, registryFetchOptions, type HttpOptions } from './http.js';
import { npmCacheHas, npmCacheReader, type VerifiedStore } from './verified-store.js';

type Unverifiable = NonNullable<PackageEvidence['unverifiable']>;

/** Where a verified package's bytes come from and the integrity they must have. */
export interface VerifiedTarball {
  integrity: string;
  url: string;
}

/** Tarballs over this size are refused as they stream (npm's largest packages are far smaller). */
export const TARBALL_MAX_BYTES = 512 * 1024 * 1024;

export interface TarballOptions {
  http: HttpOptions;
  store: VerifiedStore;
  /** npm's cacache folder: bytes already there are copied by digest instead of downloaded. */
  npmCacheDir: string;
  concurrency: number;
}

/**
 * Fetches the tarball of every package whose integrity verified, and returns the evidence with the
 * tarball check folded in (TARBALL_MISMATCH when the bytes differ) and the verified tarballs to install.
 */
export async function fetchVerifiedTarballs(
  evidence: readonly PackageEvidence[],
  opts: TarballOptions,
): Promise<{ evidence: PackageEvidence[]; tarballs: Map<string, VerifiedTarball> }> {
  return new TarballFetcher(opts).finish(evidence);
}

/**
 * The same, started per package as soon as its evidence is in (`start`), so downloads overlap with the
 * verification of the rest of the tree instead of waiting for all of it: a cold install's two network
 * phases become one. Each name@version@integrity is fetched once, however often it is asked for.
 * `finish` waits for the given packages, in the given order, starting what was not started.
 */
export class TarballFetcher {
  private readonly fetches = new Map<string, Promise<Fetched>>();
  private readonly fetchLimited: (e: PackageEvidence) => Promise<Fetched>;

  constructor(readonly opts: TarballOptions) {
    const options = { ...opts, http: { ...opts.http, flat: tarballFetchOptions(opts.http.flat) } };
    this.fetchLimited = limitConcurrency((e: PackageEvidence) => tarballEvidence(e, options), opts.concurrency);
  }

  start(e: PackageEvidence): void {
    const key = fetchKey(e);
    if (!this.fetches.has(key)) this.fetches.set(key, this.fetchLimited(e));
  }

  async finish(evidence: readonly PackageEvidence[]): Promise<{ evidence: PackageEvidence[]; tarballs: Map<string, VerifiedTarball> }> {
    for (const e of evidence) this.start(e);
    const fetched = await Promise.all(evidence.map((e) => this.fetches.get(fetchKey(e))!));
    const tarballs = new Map<string, VerifiedTarball>();
    const checked = evidence.map((e, i): PackageEvidence => {
      const { outcome, tarball } = fetched[i]!;
      if (tarball) tarballs.set(packageKey(e.ref.name, e.ref.version), tarball);
      if (outcome === undefined) return e;
      return 'unverifiable' in outcome ? { ref: e.ref, unverifiable: outcome.unverifiable } : { ...e, integrity: outcome.integrity };
    });
    return { evidence: checked, tarballs };
  }
}

const fetchKey = (e: PackageEvidence): string => evidenceKey(e.ref);

interface Fetched {
  /** What the tarball showed (undefined: nothing was fetched, the evidence stands as it is). */
  outcome?: { integrity: IntegrityResult } | { unverifiable: Unverifiable };
  /** Set when the fetched bytes matched: what reify installs. */
  tarball?: VerifiedTarball;
}

/** One package: its tarball in the verified store under the signed integrity, the bytes' sha512 bound in. */
async function tarballEvidence(e: PackageEvidence, opts: TarballOptions): Promise<Fetched> {
  // A package already known to fail is denied for that; a later fetch error must not mask it as "unreachable".
  if (e.integrity?.kind !== 'ok' || e.signature?.kind === 'failed' || e.attestations?.kind === 'failed') return {};
  // The signing registry's own dist.tarball first: a lockfile `resolved` on another host (lockfile
  // injection) is reported by the policy (RESOLVED_FOREIGN_HOST) and never contacted; the bytes
  // are bound by the signed integrity whichever URL serves them.
  const url = effectiveTarballUrl(e.tarball ?? e.ref.resolved, opts.http.flat);
  if (!url) return { outcome: { unverifiable: { code: 'REGISTRY_ERROR', message: `the registry gives no tarball URL for ${e.ref.name}@${e.ref.version}` } } };
  const signed = e.integrity.integrity;
  try {
    const found = await ensureStored(signed, url, opts);
    const integrity = checkIntegrity({ locked: e.ref.integrity, registry: e.registryIntegrity, tarball: found });
    return { outcome: { integrity }, ...(integrity.kind === 'ok' ? { tarball: { integrity: signed, url } } : {}) };
  } catch (err) {
    if (err instanceof TarballMismatch) {
      return {
        outcome: {
          integrity: {
            kind: 'failed',
            code: 'TARBALL_MISMATCH',
            message: `the tarball from ${url} does not match the signed integrity`,
            expected: signed,
            actual: err.found,
          },
        },
      };
    }
    const error = err as NodeJS.ErrnoException;
    if (error.code === TOO_LARGE) return { outcome: { unverifiable: { code: 'REGISTRY_ERROR', message: error.message } } };
    if (error.code === 'ENOTCACHED')
      return { outcome: { unverifiable: { code: 'OFFLINE_MISS', message: `the tarball ${url} is not in the cache (offline)` } } };
    return { outcome: { unverifiable: { code: 'REGISTRY_UNREACHABLE', message: `could not fetch the tarball ${url}: ${error.message}` } } };
  }
}

/** The sha512 SRI of the bytes now in the store under `signed` (throws TarballMismatch when they differ). */
async function ensureStored(signed: string, url: string, opts: TarballOptions): Promise<string> {
  if (await opts.store.has(signed)) return signed; // re-hashed by cacache when reify reads it
  if (await npmCacheHas(opts.npmCacheDir, signed)) {
    try {
      return await storeTarballStream(npmCacheReader(opts.npmCacheDir, signed), opts.store, signed, url, TARBALL_MAX_BYTES);
    } catch (err) {
      // npm's copy vanished or is corrupt (cacache re-hashes it): download instead.
      if (!isCacheReadFailure(err)) throw err;
    }
  }
  if (opts.http.offline) throw Object.assign(new Error(`${url} is not in the cache`), { code: 'ENOTCACHED' });
  return download(signed, url, opts);
}

/**
 * GETs the tarball and streams it into the store. Failed requests are retried inside npm's stack; a body
 * that breaks off midway is fetched again here, as many times, with the same pauses. Both announce each
 * retry (lib/cli/retry-notices.ts prints them).
 */
async function download(signed: string, url: string, opts: TarballOptions): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      ...registryFetchOptions(opts.http.flat),
      cache: undefined, // vouch's store is the cache: npm's HTTP cache is neither read nor written
      timeout: opts.http.timeoutMs,
      retry: { retries: opts.http.retries, factor: 2, minTimeout: RETRY_MIN_TIMEOUT_MS, maxTimeout: 2_000 },
    });
    try {
      return await storeTarballStream(res.body as unknown as NodeJS.ReadableStream, opts.store, signed, url, TARBALL_MAX_BYTES);
    } catch (err) {
      if (err instanceof TarballMismatch || (err as NodeJS.ErrnoException).code === TOO_LARGE || attempt >= opts.http.retries) throw err;
      const pause = RETRY_MIN_TIMEOUT_MS * 2 ** attempt;
      logRetry(`GET ${url} attempt ${attempt + 1} failed with a broken body (${(err as Error).message}); next in ${pause} ms`);
      await sleep(pause);
    }
  }
}

const RETRY_MIN_TIMEOUT_MS = 200;

/** Bytes that did not hash to the signed integrity; `found` is what they hash to. */
export class TarballMismatch extends Error {
  constructor(
    readonly found: string,
    url: string,
  ) {
    super(`the tarball ${url} does not match the signed integrity (got ${found})`);
  }
}

/**
 * Streams `source` into the store under `signed`, hashing it and refusing it past `maxBytes` on the way
 * (an endless body is cut off, never buffered). cacache commits the content only if it hashes to
 * `signed`; vouch's own hash says what it was otherwise (TarballMismatch).
 */
export function storeTarballStream(source: NodeJS.ReadableStream, store: VerifiedStore, signed: string, url: string, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    let sri: string | undefined;
    const found = (): string => (sri ??= `sha512-${hash.digest('base64')}`);
    const writer = store.writer(signed);
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    const fail = (err: unknown): void =>
      settle(() => {
        (source as NodeJS.ReadableStream & { destroy?: (e?: Error) => void }).destroy?.();
        writer.end(); // the partial content fails cacache's check: its temporary file is removed
        reject(err);
      });
    // cacache commits the content only if it hashes to `signed`; otherwise it keeps nothing.
    const committed = (writer as unknown as { promise(): Promise<unknown> }).promise();
    committed.then(
      () => settle(() => resolve(found())),
      (err: unknown) => fail((err as NodeJS.ErrnoException).code === 'EINTEGRITY' ? new TarballMismatch(found(), url) : err),
    );
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return fail(Object.assign(new Error(`the tarball ${url} exceeds the ${maxBytes}-byte bound`), { code: TOO_LARGE }));
      hash.update(chunk);
      if (!writer.write(chunk)) {
        source.pause();
        writer.once('drain', () => source.resume());
      }
    });
    source.on('error', fail);
    source.on('end', () => {
      if (!settled) writer.end();
    });
  });
}

function isCacheReadFailure(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EINTEGRITY' || code === 'EBADSIZE';
}

export const TOO_LARGE = 'EVOUCHTARBALLSIZE';

/**
 * The URL npm would fetch a registry tarball from: pacote's replace-registry-host rewrite (default: a
 * registry.npmjs.org URL is fetched from the configured registry) applied to the registry's dist.tarball.
 */
export function effectiveTarballUrl(url: string | null | undefined, flat: FlatOptions): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const replace = typeof flat['replaceRegistryHost'] === 'string' ? flat['replaceRegistryHost'] : 'registry.npmjs.org';
    const registry = typeof flat['registry'] === 'string' ? flat['registry'] : undefined;
    if (registry && replace !== 'never' && (replace === 'always' || replace === parsed.host)) return new URL(parsed.pathname, registry).href;
    return parsed.href;
  } catch {
    return undefined;
  }
}

/**
 * What the download reads: npm-registry-fetch's options plus the registry-host rewriting. npm's ~130 flat
 * options would be copied and merged on every request: about 1 s of CPU per 1,000 tarballs, measured.
 */
function tarballFetchOptions(flat: FlatOptions): FlatOptions {
  const options = { ...registryFetchOptions(flat) };
  for (const key of ['replaceRegistryHost', 'defaultIntegrityAlgorithm'] as const) if (flat[key] !== undefined) options[key] = flat[key];
  return options;
}

/** pacote's failure when the nested install that prepares a git dependency (lib/tree/git-prepare.ts) failed. */
function isPrepareFailure(err: unknown): err is Error & { stdout?: unknown } {
  return err instanceof Error && err.message.includes('git dep preparation failed');
}

/** What a git or remote source packed to: its tarball is in vouch's store under `integrity`. */
export interface PrefetchedSource {
  integrity: string;
  resolved: string;
}

/**
 * Brings the git and remote-tarball dependencies the policy allowed by name into vouch's store before
 * the offline reify (which reads nothing else, and reads these by the digest returned here, keyed by
 * spec). Nothing signs them: they are installed because the policy names them, and arborist still checks
 * a locked integrity. A fetch failure stops the install before anything is written (exit 3); a git
 * dependency whose gated preparation was refused stops it too (GIT_PREPARE_FAILED, exit 1).
 */
export async function prefetchSources(
  refs: readonly NonRegistryRef[],
  flat: FlatOptions,
  store: string,
  concurrency: number,
): Promise<Map<string, PrefetchedSource>> {
  const fetched = new Map<string, PrefetchedSource>();
  await pMap(
    refs.filter((r) => r.kind === 'git' || r.kind === 'remote'),
    async (ref) => {
      try {
        const data = await pacote.tarball(`${ref.name}@${ref.spec}`, { ...flat, cache: store } as pacote.Options);
        fetched.set(ref.spec, { integrity: String(data.integrity), resolved: data.resolved });
      } catch (err) {
        if (ref.kind === 'git' && isPrepareFailure(err)) {
          const output = typeof err.stdout === 'string' ? err.stdout : '';
          throw new VouchError(
            'GIT_PREPARE_FAILED',
            `the git dependency ${ref.name} (${ref.spec}) needs its dependencies installed to be prepared, and that install (vouch install in its clone) failed or was denied: ${truncate(output.trim() || err.message, 600)}`,
            { pkg: ref.name },
            "nothing was installed; the clone's dependencies are judged by vouch's built-in policy: publish the prepared package to a registry instead, or fix what the nested report denies",
            { cause: err },
          );
        }
        throw new VouchError(
          'REGISTRY_UNREACHABLE',
          `could not fetch ${ref.name} from ${ref.spec}: ${(err as Error).message}`,
          { pkg: ref.name },
          'retry when the source is reachable; nothing was installed',
          { cause: err },
        );
      }
    },
    { concurrency },
  );
  return fetched;
}
