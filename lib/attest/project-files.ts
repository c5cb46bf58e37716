// The digests a verification summary binds, read from the project folder: the lockfile and the node_modules
// tree (its subjects), vouch.policy.json and vouch.lock (what the verdict stood on). Both `vouch verify
// --attest` and `vouch verify-summary` read them here, so the two compute them the same way.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VouchError } from '../errors/index.js';
import { treeDigestOf, TREE_DIGEST_FOLDER } from '../installed/index.js';
import { LOCK_FILE } from '../lock/index.js';
import { POLICY_FILE } from '../policy/index.js';
import { LOCKFILE_NAMES } from '../tree/index.js';
import type { FileDigest, SubjectDigest } from './summary.js';

/** The subject names a summary may carry: a lockfile vouch reads, or the node_modules tree. */
export function isSubjectName(name: string): boolean {
  return name === TREE_DIGEST_FOLDER || LOCKFILE_NAMES.includes(name);
}

/** The current digest of the subject `name` in `projectDir`; null when the file or folder is absent. */
export async function subjectDigest(projectDir: string, name: string): Promise<SubjectDigest | null> {
  if (!isSubjectName(name)) throw new Error(`not a summary subject: ${name}`);
  if (name === TREE_DIGEST_FOLDER) {
    const tree = await treeDigestOf(projectDir);
    return tree ? { name, digest: { sha256: tree.sha256 } } : null;
  }
  const bytes = await readIfPresent(join(projectDir, name));
  return bytes ? { name, digest: { sha256: hex('sha256', bytes), sha512: hex('sha512', bytes) } } : null;
}

/** The lockfile at `file` as a subject; it must exist (the run just read it). */
export async function lockfileSubject(file: string): Promise<SubjectDigest> {
  const name = basename(file);
  const subject = isSubjectName(name) ? await subjectDigest(dirname(file), name) : null;
  if (!subject) throw new VouchError('NO_LOCKFILE', `cannot attest ${file}: it is not a lockfile vouch reads, or it is gone`, { file });
  return subject;
}

/** vouch.policy.json and vouch.lock of `projectDir` (null: absent, the built-in policy or an empty lock). */
export async function trustFileDigests(projectDir: string): Promise<{ policy: FileDigest; lock: FileDigest }> {
  const [policy, lock] = await Promise.all([fileDigest(projectDir, POLICY_FILE), fileDigest(projectDir, LOCK_FILE)]);
  return { policy, lock };
}

async function fileDigest(projectDir: string, name: string): Promise<FileDigest> {
  const bytes = await readIfPresent(join(projectDir, name));
  return bytes ? { uri: name, sha256: hex('sha256', bytes) } : null;
}

async function readIfPresent(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VouchError('USAGE', `cannot read ${file}: ${(err as Error).message}`, { file }, undefined, { cause: err });
  }
}

const hex = (algorithm: 'sha256' | 'sha512', bytes: Buffer): string => createHash(algorithm).update(bytes).digest('hex');
