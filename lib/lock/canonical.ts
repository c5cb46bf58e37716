// `vouch verify --locked`: the stored vouch.lock must be exactly its canonical form, so what reviewers
// read is what vouch reads. Otherwise LOCK_NOT_CANONICAL with a unified diff of stored vs canonical.
import { createTwoFilesPatch } from 'diff';
import { VouchError } from '../errors/index.js';
import { parseLock } from './parse.js';
import { serializeLock } from './serialize.js';
import type { Lock } from './types.js';

/** A unified diff between two lock texts ('' when equal). */
export function diffLock(oldText: string, newText: string, file = 'vouch.lock', labels: [string, string] = ['stored', 'canonical']): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(`${file} (${labels[0]})`, `${file} (${labels[1]})`, oldText, newText, '', '', { context: 3 });
}

export type CanonicalCheck = { canonical: true; lock: Lock } | { canonical: false; lock: Lock; diff: string };

/** Parses (LOCK_PARSE / LOCK_SCHEMA on failure) and compares the text with its canonical form. */
export function checkLockCanonical(text: string, file: string): CanonicalCheck {
  const lock = parseLock(text, file);
  const canonical = serializeLock(lock);
  return canonical === text ? { canonical: true, lock } : { canonical: false, lock, diff: diffLock(text, canonical, file) };
}

/** Like checkLockCanonical, but throws LOCK_NOT_CANONICAL (exit 2) with the diff in the message. */
export function verifyLockCanonical(text: string, file: string): Lock {
  const result = checkLockCanonical(text, file);
  if (result.canonical) return result.lock;
  throw new VouchError(
    'LOCK_NOT_CANONICAL',
    `${file} is not in canonical form (hand-edited or merged by hand):\n${result.diff}`,
    { file },
    'run `vouch install` to rewrite vouch.lock in canonical form, review the diff, and commit it',
  );
}
