// checkIntegrity against npm's own reading of integrity strings: real ssri (the version pacote,
// make-fetch-happen and cacache load) is the oracle. Whenever vouch says ok for (lockfile L, signed S),
// ssri must accept the signed bytes under L and no other bytes, on each path npm checks them:
// checkData / integrityStream (a download) and Integrity.match against a cache entry of any algorithm.
import { createHash, getHashes } from 'node:crypto';
import { Readable } from 'node:stream';
import ssri from 'ssri';
import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../../lib/verify/integrity.js';

const SIGNED_BYTES = Buffer.from('the tarball the registry signed');
const EVIL_BYTES = [Buffer.from('an evil tarball'), Buffer.from('another evil tarball')];

/** `algorithm-base64digest` of bytes, or undefined when Node cannot hash with that name. */
function token(algorithm: string, bytes: Buffer): string | undefined {
  try {
    return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
  } catch {
    return undefined;
  }
}

const S = token('sha512', SIGNED_BYTES)!;
const E = token('sha512', EVIL_BYTES[0]!)!;
const verdict = (locked: string | null, registry: string | undefined = S) => checkIntegrity({ locked, registry });

/** Every hash name Node knows (ssri reads those whose name is [a-z0-9]+), over signed and evil bytes. */
const HASH_TOKENS = getHashes().flatMap((algorithm) => [SIGNED_BYTES, ...EVIL_BYTES].flatMap((bytes) => token(algorithm, bytes) ?? []));
/** Tokens that are not plain hashes: options, wrong case, no digest, non-canonical base64, garbage. */
const ODD_TOKENS = [
  `${S}?opt`,
  `${S}?a?b`,
  `${E}?opt`,
  S.toUpperCase(),
  S.replace('sha512-', 'SHA512-'),
  'sha512-',
  'sha512',
  '-abc',
  'garbage',
  S.replace(/=+$/, ''),
  `${S}A`,
  'sha512-AAAA',
  `sha3-512-${createHash('sha3-512').update(EVIL_BYTES[0]!).digest('base64')}`,
  `sha512-256-${createHash('sha512-256').update(EVIL_BYTES[0]!).digest('base64')}`,
  `sha1-${createHash('sha1').update(SIGNED_BYTES).digest('base64')}`,
];
const SEPARATORS = [' ', '  ', '\t', '\n', ' \r\n ', '\u00a0', '\u2028', '\ufeff'];

/** A deterministic generator (mulberry32): the same cases every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lockfile integrities: every token alone, S with every token, and random mixes with odd whitespace. */
function generatedIntegrities(): string[] {
  const pool = [...HASH_TOKENS, ...ODD_TOKENS, S, S, S];
  const next = random(14);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const cases = [...pool, ...pool.map((t) => `${S} ${t}`), ...pool.map((t) => `${t} ${S}`)];
  for (let i = 0; i < 600; i++) {
    const tokens = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(pool));
    cases.push(`${pick(['', ' ', '\n'])}${tokens.map((t) => t + pick(SEPARATORS)).join('')}`);
  }
  return cases;
}

/** Every algorithm ssri reads from a lockfile string, plus sha512. */
function algorithmsOf(locked: string): string[] {
  const parsed = ssri.parse(locked) as ssri.IntegrityMap | null;
  return [...new Set(['sha512', ...Object.keys(parsed ?? {})])];
}

describe('checkIntegrity: vouch says ok only where npm accepts exactly the signed bytes', () => {
  const cases = generatedIntegrities();

  it(`holds on ${cases.length} generated lockfile integrities (every hash Node knows, duplicates, whitespace, ?options, malformed)`, () => {
    let ok = 0;
    for (const locked of cases) {
      if (verdict(locked).kind !== 'ok') continue;
      ok++;
      expect(ssri.checkData(SIGNED_BYTES, locked), JSON.stringify(locked)).toBeTruthy();
      const parsed = ssri.parse(locked) as ssri.IntegrityMap;
      for (const evil of EVIL_BYTES) {
        expect(ssri.checkData(evil, locked), JSON.stringify(locked)).toBe(false);
        // make-fetch-happen's cache policy: ssri.parse(L).match(entry), the entry hashed with any algorithm
        for (const algorithm of algorithmsOf(locked)) expect(parsed.match(token(algorithm, evil)!), `${JSON.stringify(locked)} vs ${algorithm}`).toBe(false);
      }
    }
    expect(ok).toBeGreaterThan(20); // the generator reaches the accepted side too
  });

  it('holds on the streaming check pacote and make-fetch-happen run (integrityStream)', async () => {
    const accepted = cases.filter((locked) => verdict(locked).kind === 'ok').slice(0, 12);
    for (const locked of accepted) {
      await expect(ssri.checkStream(Readable.from([SIGNED_BYTES]), locked)).resolves.toBeTruthy();
      for (const evil of EVIL_BYTES) await expect(ssri.checkStream(Readable.from([evil]), locked)).rejects.toMatchObject({ code: 'EINTEGRITY' });
    }
  });
});

describe('checkIntegrity: what npm would accept besides the signed bytes', () => {
  it('fails INTEGRITY_AMBIGUOUS for two sha512 hashes, either of which npm accepts', () => {
    const locked = `${S} ${E}`;
    expect(ssri.checkData(EVIL_BYTES[0]!, locked)).toBeTruthy(); // npm installs the evil bytes
    expect(verdict(locked)).toMatchObject({ kind: 'failed', code: 'INTEGRITY_AMBIGUOUS' });
    expect(verdict(`${E}\n${S}`)).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
  });

  it('fails INTEGRITY_AMBIGUOUS for a weaker hash beside the sha512: npm matches a cached download on it', () => {
    const locked = `${S} ${token('sha1', EVIL_BYTES[0]!)}`;
    expect(ssri.checkData(EVIL_BYTES[0]!, locked)).toBe(false);
    expect((ssri.parse(locked) as ssri.IntegrityMap).match(token('sha1', EVIL_BYTES[0]!)!)).toBeTruthy(); // a sha1 cache entry
    expect(verdict(locked)).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
    expect(verdict(`${S} ${token('sha384', SIGNED_BYTES)}`)).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
  });

  it('fails INTEGRITY_AMBIGUOUS for a sha3 hash, which ssri ranks above sha512', () => {
    const sha3 = `sha3-512-${createHash('sha3-512').update(EVIL_BYTES[0]!).digest('base64')}`;
    expect(verdict(`${S} ${sha3}`)).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
    expect(verdict(sha3)).toMatchObject({ code: 'INTEGRITY_AMBIGUOUS' });
  });

  it('accepts the signed sha512 alone, repeated, with ?options and with any whitespace around it', () => {
    for (const locked of [S, `${S} ${S}`, `${S}?opt`, `  ${S}\n`, `${S}\u00a0${S}?x`]) {
      expect(verdict(locked), JSON.stringify(locked)).toEqual({ kind: 'ok', integrity: S, tarballChecked: false });
    }
  });
});

describe('checkIntegrity: the remaining codes', () => {
  it('fails INTEGRITY_MISSING for no integrity or only whitespace (npm would check nothing)', () => {
    expect(verdict(null)).toMatchObject({ code: 'INTEGRITY_MISSING' });
    expect(verdict(' \n')).toMatchObject({ code: 'INTEGRITY_MISSING' });
  });

  it('fails INTEGRITY_SHA1_ONLY when npm would check only a weaker hash', () => {
    expect(verdict(token('sha1', SIGNED_BYTES)!)).toMatchObject({ code: 'INTEGRITY_SHA1_ONLY' });
    expect(verdict(`${token('sha1', SIGNED_BYTES)} ${token('sha256', SIGNED_BYTES)}`)).toMatchObject({ code: 'INTEGRITY_SHA1_ONLY' });
  });

  it('fails INTEGRITY_MALFORMED for a token npm cannot read, which ssri would drop silently', () => {
    for (const locked of ['garbage', 'sha512-', S.replace('sha512-', 'SHA512-'), `${S} garbage`, `${S} md4-`]) {
      expect(verdict(locked), locked).toMatchObject({ kind: 'failed', code: 'INTEGRITY_MALFORMED' });
    }
    expect(ssri.parse('garbage')).toBeNull(); // and then pacote checks nothing at all
  });

  it('fails INTEGRITY_MALFORMED when the signed dist.integrity is not exactly one sha512 of 64 bytes', () => {
    for (const registry of [
      token('sha1', SIGNED_BYTES)!,
      `${S} ${E}`,
      `${S} ${token('sha1', SIGNED_BYTES)}`,
      S.replace(/=+$/, ''),
      'sha512-AAAA',
      'nonsense',
    ]) {
      expect(verdict(S, registry), registry).toMatchObject({ kind: 'failed', code: 'INTEGRITY_MALFORMED' });
    }
    expect(verdict(S, `${S} ${S}?x`)).toMatchObject({ kind: 'ok' });
  });

  it('fails INTEGRITY_MISMATCH when the signed sha512 is another one, or absent', () => {
    expect(verdict(E)).toMatchObject({ code: 'INTEGRITY_MISMATCH', expected: S, actual: E });
    expect(checkIntegrity({ locked: S, registry: undefined })).toMatchObject({ code: 'INTEGRITY_MISMATCH', expected: '(none)' });
  });
});
