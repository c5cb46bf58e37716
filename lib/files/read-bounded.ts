// Reading a file a person commits (vouch.policy.json, vouch.lock): bounded, so a huge file is refused
// before it is read, and a folder or device in its place is an error, not a hang.
import { open, type FileHandle } from 'node:fs/promises';
import { VouchError } from '../errors/index.js';
import { problemsError } from './json-file.js';

/** Reads a file of at most `max` bytes; null when it does not exist. */
export async function readBounded(file: string, max: number, code: 'POLICY_PARSE' | 'LOCK_PARSE'): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VouchError(code, `cannot read ${file}: ${(err as Error).message}`, { file }, undefined, { cause: err });
  }
  try {
    const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw new VouchError(code, `${file} is not a regular file`, { file });
    if (size > max) throw problemsError(code, file, [{ path: '(root)', message: `file is ${size} bytes; the limit is ${max} bytes` }]);
    return (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
}
