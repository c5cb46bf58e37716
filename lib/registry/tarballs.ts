// Tarball bytes for install: fetched into npm's cache by their signed integrity (a cache hit costs no
// network), and the sha512 of what was actually fetched bound into the evidence.
import { createHash } from 'node:crypto';
import pMap from 'p-map';
import pacote from 'pacote';
import { VouchError } from '../errors/index.js';
import type { NonRegistryRef } from '../tree/types.js';
import { checkIntegrity } from '../verify/integrity.js';
import type { PackageEvidence } from '../verify/types.js';
import type { FlatOptions } from '../config/index.js';
import { limitConcurrency } from './concurrency.js';
import { registryFetchOptions } from './http.js';

/** Where a verified package's bytes come from and the integrity they must have. */
export interface VerifiedTarball {
  integrity: string;
  url: string;
}

export const tarballKey = (name: string, version: string): string => `${name}@${version}`;

/** Tarballs over this size are refused as they stream (npm's largest packages are far smaller). */
export const TARBALL_MAX_BYTES = 512 * 1024 * 1024;

/**
 * Fetches the tarball of every package whose integrity verified, and returns the evidence with the
 * tarball check folded in (TARBALL_MISMATCH when the bytes differ) and the verified tarballs to install.
 */
export async function fetchVerifiedTarballs(
  evidence: readonly PackageEvidence[],
  flat: FlatOptions,
  concurrency: number,
): Promise<{ evidence: PackageEvidence[]; tarballs: Map<string, VerifiedTarball> }> {
  return new TarballFetcher(flat, concurrency).finish(evidence);
}

/**
 * The same, started per package as soon as its evidence is in (`start`), so downloads overlap with the
 * verification of the rest of the tree instead of waiting for all of it: a cold install's two network
 * phases become one. `finish` waits for every package, in the given order, starting what was not started.
 */
export class TarballFetcher {
  private readonly fetches = new Map<PackageEvidence, Promise<Fetched>>();
  private readonly fetchLimited: (e: PackageEvidence) => Promise<Fetched>;

  constructor(flat: FlatOptions, concurrency: number) {
    const options = tarballFetchOptions(flat);
    this.fetchLimited = limitConcurrency((e: PackageEvidence) => tarballEvidence(e, options), concurrency);
  }

  start(e: PackageEvidence): void {
    if (!this.fetches.has(e)) this.fetches.set(e, this.fetchLimited(e));
  }

  async finish(evidence: readonly PackageEvidence[]): Promise<{ evidence: PackageEvidence[]; tarballs: Map<string, VerifiedTarball> }> {
    for (const e of evidence) this.start(e);
    const fetched = await Promise.all(evidence.map((e) => this.fetches.get(e)!));
    const tarballs = new Map<string, VerifiedTarball>();
    for (const { evidence: e, tarball } of fetched) if (tarball) tarballs.set(tarballKey(e.ref.name, e.ref.version), tarball);
    return { evidence: fetched.map((f) => f.evidence), tarballs };
  }
}

interface Fetched {
  evidence: PackageEvidence;
  /** Set when the fetched bytes matched: what reify installs. */
  tarball?: VerifiedTarball;
}

/** One package: its tarball fetched into npm's cache by the signed integrity, the bytes' sha512 bound in. */
async function tarballEvidence(e: PackageEvidence, flat: FlatOptions): Promise<Fetched> {
  if (e.integrity?.kind !== 'ok') return { evidence: e };
  // The signing registry's own dist.tarball first: a lockfile `resolved` on another host (lockfile
  // injection) is reported by the policy (RESOLVED_FOREIGN_HOST) and never contacted; the bytes
  // are bound by the signed integrity whichever URL serves them.
  const url = e.tarball ?? e.ref.resolved;
  if (!url) return { evidence: { ...e, integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: 'the registry gives no tarball URL' } } };
  const signed = e.integrity.integrity;
  try {
    // pacote checks the bytes against `integrity` as they stream (EINTEGRITY on a mismatch) and stores
    // them in npm's cache; vouch hashes the same bytes itself and bounds their size, never holding a
    // whole tarball in memory (a registry streaming forever is cut off, not buffered).
    const sha512 = await pacote.tarball.stream(`${e.ref.name}@${url}`, (stream) => hashBounded(stream, url, TARBALL_MAX_BYTES),
      { ...flat, integrity: signed, resolved: url } as pacote.Options);
    const integrity = checkIntegrity({ locked: e.ref.integrity, registry: e.registryIntegrity, tarball: sha512 });
    return { evidence: { ...e, integrity }, ...(integrity.kind === 'ok' ? { tarball: { integrity: signed, url } } : {}) };
  } catch (err) {
    const error = err as NodeJS.ErrnoException & { found?: unknown };
    if (error.code === 'EINTEGRITY') {
      return { evidence: { ...e, integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: `the tarball from ${url} does not match the signed integrity`, expected: signed, actual: String(error.found ?? '') } } };
    }
    if (error.code === TOO_LARGE) return { evidence: { ref: e.ref, unverifiable: { code: 'REGISTRY_ERROR', message: error.message } } };
    return { evidence: { ref: e.ref, unverifiable: { code: 'REGISTRY_UNREACHABLE', message: `could not fetch the tarball ${url}: ${error.message}` } } };
  }
}

export const TOO_LARGE = 'EVOUCHTARBALLSIZE';

/**
 * What pacote reads to fetch a tarball into the cache: npm-registry-fetch's options plus pacote's own
 * registry-host rewriting and hash choice. npm's ~130 flat options would be copied and merged on every
 * request (pacote's fetcher, then npm-registry-fetch twice): about 1 s of CPU per 1,000 tarballs, measured.
 */
function tarballFetchOptions(flat: FlatOptions): FlatOptions {
  const options = { ...registryFetchOptions(flat) };
  for (const key of ['replaceRegistryHost', 'defaultIntegrityAlgorithm'] as const) if (flat[key] !== undefined) options[key] = flat[key];
  return options;
}

/** sha512 SRI of a tarball stream, refusing it (and ending the download) past `maxBytes`. */
export function hashBounded(stream: NodeJS.ReadableStream, url: string, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        const err = Object.assign(new Error(`the tarball ${url} exceeds the ${maxBytes}-byte bound`), { code: TOO_LARGE });
        (stream as NodeJS.ReadableStream & { destroy?: (e: Error) => void }).destroy?.(err);
        reject(err);
        return;
      }
      hash.update(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(`sha512-${hash.digest('base64')}`));
  });
}

/**
 * Brings the git and remote-tarball dependencies the policy allowed by name into npm's cache before
 * the offline reify (which could not fetch them). Nothing signs them: they are installed because the
 * policy names them, and arborist still checks a locked integrity. A fetch failure stops the install
 * before anything is written (exit 3).
 */
export async function prefetchSources(refs: readonly NonRegistryRef[], flat: FlatOptions, concurrency: number): Promise<void> {
  await pMap(refs.filter((r) => r.kind === 'git' || r.kind === 'remote'), async (ref) => {
    try {
      await pacote.tarball(`${ref.name}@${ref.spec}`, { ...flat } as pacote.Options);
    } catch (err) {
      throw new VouchError('REGISTRY_UNREACHABLE', `could not fetch ${ref.name} from ${ref.spec}: ${(err as Error).message}`,
        { pkg: ref.name }, 'retry when the source is reachable; nothing was installed', { cause: err });
    }
  }, { concurrency });
}
