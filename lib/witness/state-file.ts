// The witness's state on disk: one JSON file (lib/tlog/witness.ts witnessStateText) holding, per log, the
// size and root of the latest checkpoint cosigned. Written whole and atomically (temporary file, fsync,
// rename, fsync of the folder) before a cosignature leaves the process; never moved back; held by one
// witness process at a time (a lock file beside it), since two sharing it could each roll the other back.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VouchError } from '../errors/index.js';
import { advanceState, parseWitnessState, witnessStateText, type LogHead, type WitnessState } from '../tlog/index.js';

export class WitnessStateFile {
  private current: WitnessState;

  private constructor(
    readonly file: string,
    private readonly lock: string,
    state: WitnessState,
  ) {
    this.current = state;
  }

  /** Reads the state (none yet: every log at size 0) and takes the lock; a damaged file is an error, never a reset. */
  static open(path: string): WitnessStateFile {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    const lock = `${file}.lock`;
    takeLock(lock, file);
    try {
      return new WitnessStateFile(file, lock, readState(file));
    } catch (err) {
      rmSync(lock, { force: true });
      throw err;
    }
  }

  get state(): WitnessState {
    return this.current;
  }

  /** Records a cosigned checkpoint's head, durably, before the caller answers; refuses to go back. */
  commit(origin: string, head: LogHead): void {
    const next = advanceState(this.current, origin, head);
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeFileSync(fd, witnessStateText(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    syncFolder(dirname(this.file));
    this.current = next;
  }

  close(): void {
    rmSync(this.lock, { force: true });
  }
}

function readState(file: string): WitnessState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new VouchError('CONFIG', `cannot read the witness state ${file}: ${(err as Error).message}`, { file });
  }
  try {
    return parseWitnessState(text);
  } catch (err) {
    throw new VouchError(
      'CONFIG',
      `the witness state ${file} is damaged: ${(err as Error).message}`,
      { file },
      'restore it from a backup; starting from an empty state would let the witness cosign a rolled-back or forked log',
    );
  }
}

/** The lock holds the owner's pid; a lock whose process is gone (a crash) is taken over. */
function takeLock(lock: string, file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new VouchError('CONFIG', `cannot lock the witness state ${file}: ${(err as Error).message}`, { file });
    }
    const owner = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (Number.isSafeInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new VouchError(
        'CONFIG',
        `the witness state ${file} is in use by process ${owner}`,
        { file },
        'run one witness per state file (stop the other one, or give this one its own --state)',
      );
    }
    rmSync(lock, { force: true });
  }
  throw new VouchError('CONFIG', `cannot lock the witness state ${file}`, { file });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a folder; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
