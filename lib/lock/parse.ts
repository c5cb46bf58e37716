// Reading vouch.lock: bounded, strict JSON, strict schema, every problem with its place. A corrupt
// lock is an error (LOCK_PARSE / LOCK_SCHEMA, exit 2) and is never rewritten behind the user's back; a
// lock that contradicts itself (a copied line, a hand-edited pin) is LOCK_INCONSISTENT, a deny (exit 1).
import { join } from 'node:path';
import semver from 'semver';
import { locate, parseJsonText, problemsError, readBounded, schemaProblems } from '../files/index.js';
import type { FileProblem } from '../files/json-file.js';
import { withoutCredentials } from '../config/index.js';
import { lockInconsistencies } from './consistency.js';
import { LockFileSchema } from './schema.js';
import { LOCK_FILE, emptyLock, type LoadedLock, type Lock } from './types.js';

/** Large trees make large locks; this bounds a hostile or runaway one. */
export const MAX_LOCK_BYTES = 64 * 1024 * 1024;

const HINT =
  'vouch.lock is written by vouch: restore it from version control (`git checkout -- vouch.lock`), or delete it and run `vouch install` to pin identities afresh.';
const INCONSISTENT_HINT =
  'vouch.lock changes identities only through `vouch approve`, which records who, when and why: restore vouch.lock from version control and review the change that edited it (docs/lock.md, "Reviewing a vouch.lock diff").';
const CONFLICT_HINT =
  'Resolve the conflict by taking either side (e.g. `git checkout --theirs vouch.lock`), then run `vouch install`: it records what the other side added, and denies any identity change until approved.';

/** Reads `<cwd>/vouch.lock`; an absent file is an empty lock with `text: null`. */
export async function readLock(cwd: string): Promise<LoadedLock> {
  const file = join(cwd, LOCK_FILE);
  const text = await readBounded(file, MAX_LOCK_BYTES, 'LOCK_PARSE');
  return text === null ? { lock: emptyLock(), text: null, file } : { lock: parseLock(text, file), text, file };
}

/** Parses and validates lock text. Pure. Throws VouchError LOCK_PARSE | LOCK_SCHEMA with every problem. */
export function parseLock(text: string, file: string): Lock {
  if (/^(<{7}|={7}|>{7})( |$)/m.test(text)) {
    const line = text.split('\n').findIndex((l) => /^(<{7}|={7}|>{7})( |$)/.test(l)) + 1;
    throw problemsError('LOCK_PARSE', file, [{ path: '(syntax)', message: 'merge conflict markers', line, column: 1 }], CONFLICT_HINT);
  }
  const doc = parseJsonText(text, MAX_LOCK_BYTES);
  if ('problems' in doc) throw problemsError('LOCK_PARSE', file, doc.problems, HINT);
  const parsed = LockFileSchema.safeParse(doc.value);
  if (!parsed.success) throw problemsError('LOCK_SCHEMA', file, schemaProblems(doc, parsed.error.issues, LockFileSchema), HINT);
  const problems: FileProblem[] = [];
  for (const [name, pkg] of Object.entries(parsed.data.packages)) {
    for (const version of Object.keys(pkg.versions)) {
      if (semver.valid(version) !== version)
        problems.push(locate(doc, ['packages', name, 'versions', version], `${JSON.stringify(version)} is not a semver version`));
    }
    pkg.approvals?.forEach((a, i) => {
      if (a.versions !== undefined && semver.validRange(a.versions) === null)
        problems.push(locate(doc, ['packages', name, 'approvals', i, 'versions'], 'not a semver range'));
    });
  }
  if (problems.length > 0) throw problemsError('LOCK_SCHEMA', file, problems, HINT);
  const lock = withRegistryIdentities(parsed.data);
  const inconsistent = lockInconsistencies(lock).map((p) => locate(doc, p.path, p.message));
  if (inconsistent.length > 0) throw problemsError('LOCK_INCONSISTENT', file, inconsistent, INCONSISTENT_HINT);
  return lock;
}

/**
 * A lock an older vouch wrote with a password in a registry URL: read under the registry's identity (the
 * pins still apply; the next write drops the password, and `--locked` reports the lock as not canonical).
 */
function withRegistryIdentities(lock: Lock): Lock {
  if (!lock.registries || Object.keys(lock.registries).every((url) => withoutCredentials(url) === url)) return lock;
  const registries: NonNullable<Lock['registries']> = {};
  for (const [url, registry] of Object.entries(lock.registries)) {
    const id = withoutCredentials(url);
    if (id === url || !lock.registries[id]) registries[id] = registry;
  }
  return { ...lock, registries };
}
