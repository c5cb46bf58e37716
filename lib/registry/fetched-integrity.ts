// Integrity for packages whose installer records none vouch can use (Bun's scanner is given none; Yarn
// Berry records only its own zip checksum): vouch downloads the version's tarball and takes the sha512 of
// the bytes it got as the package's integrity. The ordinary checks then bind those bytes to the registry's
// signed dist.integrity, so tampered bytes are a deny (INTEGRITY_MISMATCH), never a pass on trust.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fetch from 'npm-registry-fetch';
import pMap from 'p-map';
import { VouchError, FetchFailure } from '../errors/index.js';
import type { PackageRef } from '../tree/types.js';
import { logRetry, registryFetchOptions, type HttpOptions } from './http.js';
import { PackumentSource } from './packument.js';
import { effectiveTarballUrl, TARBALL_MAX_BYTES, TOO_LARGE } from './tarballs.js';

const RETRY_MIN_TIMEOUT_MS = 200;

/**
 * `refs` with every missing integrity filled in from the tarball's bytes: downloaded from `resolved` (the URL
 * the installer will fetch) or else the registry's dist.tarball, within vouch's size, time and retry bounds.
 * A version the registry does not list keeps a null integrity (the evidence stage reports it); a download
 * that fails after the retries throws REGISTRY_UNREACHABLE / REGISTRY_ERROR (exit 3).
 */
export async function withFetchedIntegrity(refs: readonly PackageRef[], http: HttpOptions, concurrency: number): Promise<PackageRef[]> {
  const packuments = new PackumentSource(http);
  return pMap(
    refs,
    async (ref) => {
      if (ref.integrity !== null) return ref;
      const url = await tarballUrl(ref, packuments, http);
      return url === null ? ref : { ...ref, integrity: await tarballDigest(url, http, ref) };
    },
    { concurrency },
  );
}

/** Where the tarball is fetched from; null when the registry does not list the version. */
async function tarballUrl(ref: PackageRef, packuments: PackumentSource, http: HttpOptions): Promise<string | null> {
  let listed = ref.resolved;
  if (listed === null) {
    try {
      listed = (await packuments.version(ref.name, ref.version, ref.registry, false)).dist.tarball ?? null;
    } catch (err) {
      if (err instanceof FetchFailure && err.code === 'NOT_FOUND') return null;
      throw unreachable(
        ref,
        `could not read the packument of ${ref.name}: ${(err as Error).message}`,
        err,
        err instanceof FetchFailure && err.code !== 'REGISTRY_UNREACHABLE',
      );
    }
  }
  const url = effectiveTarballUrl(listed, http.flat);
  if (url === undefined) throw unreachable(ref, `the registry gives no usable tarball URL for ${ref.name}@${ref.version}`, undefined, true);
  return url;
}

/** The sha512 SRI of the tarball at `url`; a body that breaks off is fetched again, as npm's stack retries a request. */
async function tarballDigest(url: string, http: HttpOptions, ref: PackageRef): Promise<string> {
  if (http.offline)
    throw new VouchError('OFFLINE_MISS', `${ref.name}@${ref.version} has no integrity to check and --offline forbids downloading ${url}`, { pkg: ref.name });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, {
        ...registryFetchOptions(http.flat),
        cache: undefined, // bytes vouch hashes for the decision come from the registry, not a cache
        timeout: http.timeoutMs,
        retry: { retries: http.retries, factor: 2, minTimeout: RETRY_MIN_TIMEOUT_MS, maxTimeout: 2_000 },
      });
      return await hashBody(res.body as unknown as NodeJS.ReadableStream, url, http.timeoutMs);
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') throw unreachable(ref, `the registry answered ${status} for ${url}`, err, true);
      if ((err as NodeJS.ErrnoException).code === TOO_LARGE) throw unreachable(ref, (err as Error).message, err, true);
      if (attempt >= http.retries) throw unreachable(ref, `could not fetch ${url}: ${(err as Error).message}`, err, false);
      const pause = RETRY_MIN_TIMEOUT_MS * 2 ** attempt;
      logRetry(`GET ${url} attempt ${attempt + 1} failed (${(err as Error).message}); next in ${pause} ms`);
      await sleep(pause);
    }
  }
}

/** Hashes a body as it streams, hanging up past TARBALL_MAX_BYTES or `timeoutMs`; nothing is buffered. */
function hashBody(body: NodeJS.ReadableStream, url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`${url} took longer than ${timeoutMs} ms`)), timeoutMs);
    body.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > TARBALL_MAX_BYTES)
        return fail(Object.assign(new Error(`the tarball ${url} exceeds the ${TARBALL_MAX_BYTES}-byte bound`), { code: TOO_LARGE }));
      hash.update(chunk);
    });
    body.on('error', (err: Error) => fail(err));
    body.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(`sha512-${hash.digest('base64')}`);
    });
  });
}

function unreachable(ref: PackageRef, message: string, cause: unknown, answered: boolean): VouchError {
  return new VouchError(
    answered ? 'REGISTRY_ERROR' : 'REGISTRY_UNREACHABLE',
    `${ref.name}@${ref.version}: ${message}`,
    { pkg: ref.name },
    "vouch needs the tarball's bytes to check this package (the package manager gave no integrity); retry when the registry answers",
    { cause },
  );
}
