// Writing vouch.lock: the canonical text to a temporary file in the same directory, flushed, then
// renamed over the old one, so a crash leaves the old lock or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeLock } from './serialize.js';
import { LOCK_FILE, type Lock } from './types.js';

export async function writeLockAtomic(cwd: string, lock: Lock): Promise<string> {
  const file = join(cwd, LOCK_FILE);
  const temp = join(cwd, `.${LOCK_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(serializeLock(lock), 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return file;
}
