// Binds the bytes: lockfile integrity = the registry's signed dist.integrity (= tarball sha512 when fetched).
import ssri from 'ssri';
import type { IntegrityResult } from './types.js';

export interface IntegrityInput {
  /** Lockfile integrity (may hold several algorithms), or null. */
  locked: string | null;
  /** The registry's dist.integrity for the locked name@version. */
  registry: string | undefined;
  /** sha512 SRI of the tarball bytes actually fetched, when they were. */
  tarball?: string;
}

/** sha512 digest (base64) of an SRI string, or undefined when it has none. */
export function sha512Of(sri: string | null | undefined): string | undefined {
  if (!sri) return undefined;
  const parsed = ssri.parse(sri, { single: false });
  return parsed.sha512?.[0]?.digest;
}

/** Hex of the sha512 in an SRI string: what provenance subjects carry. */
export function sha512Hex(sri: string): string | undefined {
  const digest = sha512Of(sri);
  return digest ? Buffer.from(digest, 'base64').toString('hex') : undefined;
}

export function checkIntegrity(input: IntegrityInput): IntegrityResult {
  if (!input.locked) return { kind: 'failed', code: 'INTEGRITY_MISSING', message: 'the lockfile records no integrity for this package' };
  const locked = sha512Of(input.locked);
  if (!locked) {
    return { kind: 'failed', code: 'INTEGRITY_SHA1_ONLY', message: 'the lockfile has no sha512 integrity (sha1 is not trusted)', actual: input.locked };
  }
  const signed = sha512Of(input.registry);
  if (!signed || signed !== locked) {
    return {
      kind: 'failed', code: 'INTEGRITY_MISMATCH',
      message: 'the lockfile integrity differs from the registry\'s signed dist.integrity',
      expected: input.registry ?? '(none)', actual: input.locked,
    };
  }
  if (input.tarball !== undefined && sha512Of(input.tarball) !== signed) {
    return {
      kind: 'failed', code: 'TARBALL_MISMATCH',
      message: 'the downloaded tarball does not match the signed integrity', expected: input.registry, actual: input.tarball,
    };
  }
  return { kind: 'ok', integrity: `sha512-${signed}`, tarballChecked: input.tarball !== undefined };
}
