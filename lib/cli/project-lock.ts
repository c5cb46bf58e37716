// One writer per project: two `vouch install`/`vouch ci` runs in the same folder would otherwise race on
// node_modules, package-lock.json and vouch.lock. The lock file lives in the OS temp folder, never in the
// project, so a denied run leaves the project byte-for-byte as it was.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VouchError } from '../errors/index.js';

export interface ProjectLockOptions {
  /** How long to wait for another run to finish before giving up. */
  waitMs: number;
  onWait?: (holderPid: number) => void;
}

/** Runs `fn` holding the project's lock; waits for a live holder, takes over from a dead one. */
export async function withProjectLock<T>(cwd: string, opts: ProjectLockOptions, fn: () => Promise<T>): Promise<T> {
  const file = join(tmpdir(), `vouch-${createHash('sha256').update(resolve(cwd)).digest('hex').slice(0, 16)}.lock`);
  await acquire(file, opts);
  const onExit = () => rmSync(file, { force: true }); // released even when the process is interrupted
  process.once('exit', onExit);
  try {
    return await fn();
  } finally {
    process.off('exit', onExit);
    await rm(file, { force: true });
  }
}

async function acquire(file: string, opts: ProjectLockOptions): Promise<void> {
  const deadline = Date.now() + opts.waitMs;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(await readFile(file, 'utf8').catch(() => ''));
    if (!isAlive(holder)) {
      await rm(file, { force: true }); // the holder died without releasing: take over
      continue;
    }
    if (Date.now() > deadline) {
      throw new VouchError(
        'PROJECT_BUSY',
        `another vouch run (pid ${holder}) is installing in this project`,
        { file },
        'wait for it to finish and run the command again',
      );
    }
    if (!announced) opts.onWait?.(holder);
    announced = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
