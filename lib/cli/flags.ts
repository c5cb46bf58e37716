// Flag parsing for every command: node:util parseArgs, strict, with usage errors as exit 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VouchError } from '../errors/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What parseArgs returns for `options` (named, so that declaration files can name it). */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new VouchError('USAGE', message, {}, 'run the command with --help to see its options');
  }
}

/** Reads a flag that must be one of a few words. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new VouchError('USAGE', `--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
}

/** Reads a positive integer flag. */
export function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new VouchError('USAGE', `--${flag} must be a positive integer, got "${value}"`);
  return n;
}
