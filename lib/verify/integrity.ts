// Binds the bytes: lockfile integrity = the registry's signed dist.integrity (= tarball sha512 when fetched).
// Decided under npm's own reading of an SRI string: ssri, as pacote, make-fetch-happen and cacache call it.
//
// What npm accepts for a lockfile integrity L (ssri 13, read in node_modules/ssri/lib/index.js):
// - L is split on whitespace; each token that ssri's non-strict regex and this Node's crypto.getHashes()
//   accept becomes a hash, every other token is dropped silently. A string with no hash at all is no
//   integrity: pacote then checks nothing.
// - Downloaded bytes are checked with ONE algorithm, L's strongest by ssri's priority list (pickAlgorithm),
//   and accepted if ANY hash of that algorithm matches: `sha512-<signed> sha512-<evil>` installs the evil bytes.
// - A cached response is matched on any algorithm L shares with the cache entry (make-fetch-happen's
//   cache policy calls `ssri.parse(L).match(entry)`): `sha512-<signed> sha1-<evil>` serves evil bytes an
//   earlier sha1-only fetch of the same URL stored (tried with pacote 21 and a warm cache).
// So vouch accepts L only when every hash in it is a sha512 equal to the signed one: then npm accepts
// exactly the bytes the registry signed, on every path.
import ssri from 'ssri';
import type { IntegrityCode, IntegrityResult } from './types.js';

type Failed = Extract<IntegrityResult, { kind: 'failed' }>;

export interface IntegrityInput {
  /** Lockfile integrity, or null. */
  locked: string | null;
  /** The registry's dist.integrity for the locked name@version. */
  registry: string | undefined;
  /** sha512 SRI of the tarball bytes actually fetched, when they were. */
  tarball?: string;
}

/** sha512 digest (base64) of an SRI string, or undefined when it has none. */
export function sha512Of(sri: string | null | undefined): string | undefined {
  if (!sri) return undefined;
  const parsed = ssri.parse(sri, { single: false }) as ssri.IntegrityMap | null;
  return parsed?.sha512?.[0]?.digest;
}

/** Hex of the sha512 in an SRI string: what provenance subjects carry. */
export function sha512Hex(sri: string): string | undefined {
  const digest = sha512Of(sri);
  return digest ? Buffer.from(digest, 'base64').toString('hex') : undefined;
}

export function checkIntegrity(input: IntegrityInput): IntegrityResult {
  if (!input.locked?.trim()) return failed('INTEGRITY_MISSING', 'the lockfile records no integrity for this package');
  const locked = lockedSha512(input.locked);
  if (typeof locked !== 'string') return { ...locked, actual: input.locked };
  if (!input.registry) {
    return {
      ...failed('INTEGRITY_MISMATCH', "the lockfile integrity differs from the registry's signed dist.integrity"),
      expected: '(none)',
      actual: input.locked,
    };
  }
  const signed = signedSha512(input.registry);
  if (!signed) {
    return {
      ...failed('INTEGRITY_MALFORMED', "the registry's signed dist.integrity is not a single sha512 hash, so nothing binds the bytes to it"),
      actual: input.registry,
    };
  }
  if (signed !== locked) {
    return {
      ...failed('INTEGRITY_MISMATCH', "the lockfile integrity differs from the registry's signed dist.integrity"),
      expected: input.registry,
      actual: input.locked,
    };
  }
  if (input.tarball !== undefined && sha512Of(input.tarball) !== signed) {
    return { ...failed('TARBALL_MISMATCH', 'the downloaded tarball does not match the signed integrity'), expected: input.registry, actual: input.tarball };
  }
  return { kind: 'ok', integrity: `sha512-${signed}`, tarballChecked: input.tarball !== undefined };
}

interface ReadSri {
  /** The tokens ssri keeps, in order. */
  hashes: { algorithm: string; digest: string }[];
  /** The tokens ssri drops (unknown algorithm, no digest, not an SRI token at all). */
  dropped: string[];
}

/** An SRI string token by token, exactly as ssri's parse splits and reads it. */
function readSri(sri: string): ReadSri {
  const read: ReadSri = { hashes: [], dropped: [] };
  for (const token of sri.trim().split(/\s+/)) {
    if (token === '') continue;
    const hash = ssri.parse(token, { single: true }) as ssri.Hash | null;
    if (hash?.algorithm && hash.digest) read.hashes.push({ algorithm: hash.algorithm, digest: hash.digest });
    else read.dropped.push(token);
  }
  return read;
}

// ssri ranks the sha3 family above sha512 (DEFAULT_PRIORITY). Its regex cannot read `sha3-512-…` today,
// so that token is dropped, but a token another ssri or Node would read as the stronger hash is ambiguous.
const STRONGER_NAMES = /^sha3/;

/** The lockfile's one sha512 digest, or why npm would check something else. */
function lockedSha512(locked: string): string | Failed {
  const read = readSri(locked);
  const stronger = read.dropped.find((t) => STRONGER_NAMES.test(t));
  if (stronger) return ambiguous(`the lockfile integrity has a ${stronger.split('-')[0]} hash, which npm ranks above sha512`);
  if (read.dropped.length > 0 || read.hashes.length === 0) {
    return failed(
      'INTEGRITY_MALFORMED',
      `the lockfile integrity has ${read.hashes.length === 0 ? 'no hash npm can read (npm would then check nothing)' : 'a token that is not a hash npm can read'}`,
    );
  }
  const checked = (ssri.parse(locked) as ssri.IntegrityMap).pickAlgorithm();
  if (checked !== 'sha512') {
    if (ranksAboveSha512(checked)) return ambiguous(`npm would check its ${checked} hash, not the signed sha512`);
    return failed('INTEGRITY_SHA1_ONLY', `the lockfile has no sha512 integrity (${checked} is not trusted)`);
  }
  const other = read.hashes.find((h) => h.algorithm !== 'sha512');
  if (other) return ambiguous(`the lockfile integrity also has a ${other.algorithm} hash, which npm matches against cached downloads`);
  const digests = new Set(read.hashes.map((h) => h.digest));
  if (digests.size > 1) return ambiguous(`the lockfile integrity has ${digests.size} different sha512 hashes, and npm accepts bytes matching any of them`);
  return [...digests][0]!;
}

/** The signed dist.integrity's one sha512 digest (canonical base64 of 64 bytes), or undefined. */
function signedSha512(signed: string): string | undefined {
  const read = readSri(signed);
  if (read.dropped.length > 0 || read.hashes.some((h) => h.algorithm !== 'sha512')) return undefined;
  const digests = new Set(read.hashes.map((h) => h.digest));
  const [digest] = digests;
  if (digests.size !== 1 || digest === undefined) return undefined;
  // ssri compares base64 strings: only the canonical spelling of a 64-byte digest names actual bytes.
  const bytes = Buffer.from(digest, 'base64');
  return bytes.length === 64 && bytes.toString('base64') === digest ? digest : undefined;
}

/** True when ssri's pickAlgorithm prefers `algorithm` to sha512. */
function ranksAboveSha512(algorithm: string): boolean {
  const both = ssri.parse(`${algorithm}-AA== sha512-AA==`) as ssri.IntegrityMap | null;
  return algorithm !== 'sha512' && both?.pickAlgorithm() === algorithm;
}

function ambiguous(why: string): Failed {
  return failed('INTEGRITY_AMBIGUOUS', `${why}: npm may install bytes other than the ones the registry signed`);
}

function failed(code: IntegrityCode, message: string): Failed {
  return { kind: 'failed', code, message };
}
