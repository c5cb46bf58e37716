// The reify boundary: a second check, independent of how the targets were computed. Every extraction
// arborist's reify asks pacote for is looked up by its destination folder: it must be a package vouch
// verified at that location (its bytes are then read from vouch's verified store by that digest, never
// from the network or npm's cache), or a git / remote / directory source the policy allowed there.
// Anything else is refused before a byte is written.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import cacache from 'cacache';
import ssri from 'ssri';
import { VouchError } from '../errors/index.js';
import { EXTRACT_CONCURRENCY, limitExtractions } from '../patches/pacote/extract-limit.js';
import { withPacoteWrapped, type Extract } from '../patches/pacote/hooks.js';

export interface AllowedExtraction {
  kind: 'verified';
  /** The single sha512 SRI vouch verified; the store holds these bytes. */
  integrity: string;
  url: string;
  pkg: string;
  /**
   * A folder of install-strategy=linked's node_modules/.store (lib/tree/linked.ts): arborist gives its
   * extraction no integrity, and the boundary reads the verified bytes by this one.
   */
  storeFolder?: boolean;
}

export interface AllowedSource {
  kind: 'source';
  /** The locked spec the policy allowed (git URL, tarball URL, directory). */
  spec: string;
  pkg: string;
  /**
   * A git or remote source vouch packed into its store before reify (lib/registry prefetchSources): reify
   * reads it from there by this digest, never clones or downloads (or prepares) it a second time.
   */
  prefetched?: { integrity: string; resolved: string };
}

export interface ReifyBoundary {
  /** vouch's verified store (a cacache folder): the only cache reify reads. */
  store: string;
  /** Absolute destination folder → what may be extracted there. */
  allowed: ReadonlyMap<string, AllowedExtraction | AllowedSource>;
}

/** An extraction the boundary refused (recorded even when arborist swallows the error of an optional node). */
export interface RefusedExtraction {
  dest: string;
  spec: string;
  reason: string;
}

/**
 * Runs `task` (a reify) with every extraction checked against `boundary`, at most EXTRACT_CONCURRENCY at
 * once. Returns what was refused: reify fails on a refused required package, but skips a refused
 * optional one silently, so the caller must look.
 */
export async function withReifyBoundary<T>(boundary: ReifyBoundary, task: () => Promise<T>): Promise<{ result: T; refused: RefusedExtraction[] }> {
  const refused: RefusedExtraction[] = [];
  const result = await withPacoteWrapped('extract', (extract) => limitExtractions(guarded(extract, boundary, refused), EXTRACT_CONCURRENCY), task);
  return { result, refused };
}

function guarded(extract: Extract, boundary: ReifyBoundary, refused: RefusedExtraction[]): Extract {
  return async (spec, dest, opts) => {
    const allowed = boundary.allowed.get(resolve(dest));
    const reason = refusal(allowed, opts);
    if (reason !== null || !allowed) {
      const why = reason ?? 'vouch did not verify any package for this folder';
      refused.push({ dest, spec, reason: why });
      throw new VouchError(
        'REIFY_UNVERIFIED',
        `refused to install ${spec} into ${dest}: ${why}`,
        {},
        "nothing unverified was written; run `vouch verify` and report this as a bug in vouch's install plan",
      );
    }
    const offline = { ...opts, cache: boundary.store, offline: true, preferOnline: false, preferOffline: false };
    if (allowed.kind === 'source')
      return allowed.prefetched
        ? extractStored(extract, allowed.pkg, allowed.prefetched.integrity, dest, offline, boundary.store)
        : extract(spec, dest, offline);
    // The verified bytes, by their digest, from the store: whatever `resolved` the tree carries.
    return extract(`${allowed.pkg}@${allowed.url}`, dest, { ...offline, integrity: allowed.integrity, resolved: allowed.url });
  };
}

/**
 * A source packed before reify, extracted from vouch's store by its digest: pacote never reads a git
 * dependency from a cache (it clones again, and with scripts off it would not prepare it), so the stored
 * bytes are handed to it as a local tarball, checked against the same digest.
 */
async function extractStored(extract: Extract, pkg: string, integrity: string, dest: string, opts: Record<string, unknown>, store: string): Promise<unknown> {
  const dir = await mkdtemp(join(store, 'tmp-source-'));
  try {
    const file = join(dir, 'package.tgz');
    await writeFile(file, await cacache.get.byDigest(store, integrity));
    return await extract(`${pkg}@file:${file}`, dest, { ...opts, integrity, resolved: `file:${file}` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why an extraction is refused, or null when it is the one allowed at that folder. */
function refusal(allowed: AllowedExtraction | AllowedSource | undefined, opts: Record<string, unknown>): string | null {
  if (!allowed) return 'vouch did not verify any package for this folder';
  if (allowed.kind === 'source') return null;
  const integrity = typeof opts['integrity'] === 'string' ? opts['integrity'] : opts['integrity'] ? String(opts['integrity']) : '';
  if (!integrity) return allowed.storeFolder ? null : `no integrity was given for ${allowed.pkg}; vouch verified ${allowed.integrity}`;
  // pacote accepts bytes matching any hash of the strongest algorithm given: each one must be the verified hash.
  const parsed = ssri.parse(integrity, { single: false });
  const algorithm = parsed.pickAlgorithm();
  const hashes = (parsed[algorithm] ?? []).map((h) => h.toString());
  if (hashes.length === 0 || hashes.some((h) => h !== allowed.integrity)) return `integrity ${integrity} is not the verified ${allowed.integrity}`;
  return null;
}
