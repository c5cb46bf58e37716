// The registry's side of its witnesses (C2SP tlog-witness): every checkpoint the signing log writes is
// submitted, in the background, to each configured witness, and the cosignature lines a witness returns are
// kept with the exact checkpoint they are for (`<storage>/.vouch/witness-cosignatures.json`, so a restart
// keeps them). The checkpoint route serves the log's checkpoint with the lines made for exactly that text.
// Trusts nothing a witness answers: its lines are served as received (well-formed, a few per witness) and
// clients check them with the witness keys their policy names (cosignedBy). Appends never wait for a
// witness; one that fails is retried with backoff, the latest checkpoint each time.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { submitCheckpoint, type SubmitResult } from './vouch-core.js';
import type { SigningLog } from './signing-log.js';
import type { Logger } from './state.js';

/** What the registry keeps per witness: the newest cosignature lines, and the checkpoint note (the log's) they are for. */
export interface WitnessRecord {
  size: number;
  checkpoint: string;
  lines: string[];
}

export interface WitnessingOptions {
  /** Milliseconds since 1970 (tests move it). */
  now?: () => number;
  /** One add-checkpoint request's time bound (default 10 s). */
  timeoutMs?: number;
  /** The longest wait before retrying a witness that failed (default 60 s; the first is 1 s, doubling). */
  maxBackoffMs?: number;
}

/** A witness's answer is a few signature lines (one per key it cosigns with); more is not served. */
const MAX_LINES_PER_WITNESS = 8;
const LINE = /^\u2014 [^\s]+ [A-Za-z0-9+/]+={0,2}\n$/u;

interface Track {
  url: string;
  /** The size this witness holds for the log: its last cosignature's, or what its 409 said. */
  size: number;
  record: WitnessRecord | undefined;
  running: boolean;
  /** A newer checkpoint was written while a submission was under way. */
  again: boolean;
  failures: number;
  /** A publish's wait ended before this witness answered: later waits do not wait for it until it answers. */
  slow: boolean;
  retryAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** Submits the log's checkpoints to the witnesses at `urls`, keeps their cosignatures in `file`, serves them. */
export class Witnessing {
  private readonly tracks: Track[];
  private readonly waiters = new Set<() => void>();
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly log: SigningLog,
    urls: readonly string[],
    private readonly file: string,
    private readonly logger: Logger,
    private readonly opts: WitnessingOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    const saved = readRecords(file, logger);
    this.tracks = urls.map((url) => {
      const record = saved.get(url);
      return { url, size: record?.size ?? 0, record, running: false, again: false, failures: 0, slow: false, retryAt: 0, timer: undefined };
    });
    log.onCheckpoint(() => this.submitAll());
    this.submitAll(); // the checkpoint as the registry starts, to the witnesses that have not cosigned it
  }

  get urls(): string[] {
    return this.tracks.map((t) => t.url);
  }

  /** The checkpoint as served: the log's note with the cosignature lines made for exactly that text ('' while empty). */
  served(): string {
    const checkpoint = this.log.checkpoint;
    if (checkpoint === '') return '';
    return checkpoint + this.tracks.flatMap((t) => (t.record?.checkpoint === checkpoint ? t.record.lines : [])).join('');
  }

  /**
   * Resolves once every witness has cosigned `checkpoint` or failed, once the log has moved past it, or after
   * `ms`: the publish path's bounded wait. A witness backing off, or one still silent since a wait ran out
   * on it, is not waited for: a witness that is down or hangs costs a publish nothing after the first.
   */
  settled(checkpoint: string, ms: number): Promise<void> {
    if (this.isSettled(checkpoint)) return Promise.resolve();
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        done();
      };
      const check = () => {
        if (this.isSettled(checkpoint)) finish();
      };
      const timer = setTimeout(() => {
        for (const t of this.tracks) if (t.running) t.slow = true;
        finish();
      }, ms);
      this.waiters.add(check);
    });
  }

  /** Stops the retry timers (a submission under way still ends on its own time bound). */
  close(): void {
    this.closed = true;
    for (const t of this.tracks) clearTimeout(t.timer);
  }

  private isSettled(checkpoint: string): boolean {
    if (this.log.checkpoint !== checkpoint) return true;
    return this.tracks.every((t) => t.record?.checkpoint === checkpoint || (t.running ? t.slow : t.failures > 0));
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }

  private submitAll(): void {
    const checkpoint = this.log.checkpoint;
    if (checkpoint === '' || this.closed) return;
    for (const t of this.tracks) {
      if (t.record?.checkpoint === checkpoint) continue;
      if (t.failures > 0 && this.now() < t.retryAt) continue; // backing off: its timer submits the latest
      void this.run(t);
    }
  }

  /** Submits the latest checkpoint to one witness, again while the log grew meanwhile; one run per witness at a time. */
  private async run(t: Track): Promise<void> {
    if (t.running) {
      t.again = true;
      return;
    }
    t.running = true;
    try {
      do {
        t.again = false;
        await this.submit(t);
        this.wake();
      } while (t.again && t.failures === 0);
      t.slow = false;
    } catch (err) {
      this.logger.error({ witness: t.url, err: String(err) }, 'vouch: submitting the signing log checkpoint to witness @{witness} failed: @{err}');
    } finally {
      t.running = false;
      this.wake();
    }
  }

  private async submit(t: Track): Promise<void> {
    if (t.record?.checkpoint === this.log.checkpoint) return;
    let sent = await this.send(t);
    if (sent.result.kind === 'conflict') {
      // The witness holds another size (its state is ahead of our records, or we never knew it): prove from there, once.
      t.size = sent.result.size;
      sent = await this.send(t);
    }
    const { result, checkpoint, size } = sent;
    if (result.kind === 'cosigned') {
      if (result.lines.length > MAX_LINES_PER_WITNESS || result.lines.some((l) => !LINE.test(l))) {
        return this.failed(t, size, `answered ${result.lines.length} signature lines (at most ${MAX_LINES_PER_WITNESS} are served)`);
      }
      if (t.failures > 0) this.logger.warn({ witness: t.url, size: entries(size) }, 'vouch: witness @{witness} cosigns again (the checkpoint of @{size})');
      t.failures = 0;
      t.size = size;
      t.record = { size, checkpoint, lines: result.lines };
      writeRecords(this.file, this.tracks);
      return;
    }
    const answer =
      result.kind === 'conflict'
        ? `409: it holds ${result.size} entries of this log, and did again after a proof from there`
        : result.kind === 'refused'
          ? `${result.status}: ${result.message}`
          : `unreachable: ${result.message}`;
    this.failed(t, size, answer);
  }

  /** One add-checkpoint of the log's current checkpoint, proven from the size the witness holds. */
  private async send(t: Track): Promise<{ result: SubmitResult; checkpoint: string; size: number }> {
    // Taken together, synchronously: the checkpoint, its size and the proof describe one tree.
    const checkpoint = this.log.checkpoint;
    const size = this.log.treeSize;
    if (t.size > size) {
      const message = `it holds ${t.size} entries of this log, which has ${size}: was the log restored from an older backup?`;
      return { result: { kind: 'refused', status: 409, message }, checkpoint, size };
    }
    const result = await submitCheckpoint(t.url, t.size, this.log.consistencyProof(t.size), checkpoint, { timeoutMs: this.opts.timeoutMs ?? 10_000 });
    return { result, checkpoint, size };
  }

  private failed(t: Track, size: number, answer: string): void {
    t.failures += 1;
    const delay = Math.min(this.opts.maxBackoffMs ?? 60_000, 1000 * 2 ** Math.min(t.failures - 1, 16));
    t.retryAt = this.now() + delay;
    this.logger.warn(
      { witness: t.url, size: entries(size), answer, retry: Math.round(delay / 1000) },
      'vouch: witness @{witness} did not cosign the signing log checkpoint of @{size} (@{answer}); retrying in @{retry} s',
    );
    clearTimeout(t.timer);
    if (this.closed) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      void this.run(t);
    }, delay);
    t.timer.unref();
  }
}

function entries(size: number): string {
  return `${size} ${size === 1 ? 'entry' : 'entries'}`;
}

/** The records kept by a previous run; a missing file is none, a damaged one is logged and dropped (witnesses are asked again). */
function readRecords(file: string, logger: Logger): Map<string, WitnessRecord> {
  const out = new Map<string, WitnessRecord>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, err: String(err) }, 'vouch: cannot read @{file}: @{err}');
    return out;
  }
  try {
    const doc = JSON.parse(text) as unknown;
    const witnesses = isRecord(doc) && doc['witnessCosignaturesVersion'] === 1 ? doc['witnesses'] : undefined;
    if (!isRecord(witnesses)) throw new Error('not {witnessCosignaturesVersion: 1, witnesses}');
    for (const [url, record] of Object.entries(witnesses)) {
      if (!isWitnessRecord(record)) throw new Error(`witness ${url}: a record is {size, checkpoint, lines}`);
      out.set(url, record);
    }
  } catch (err) {
    logger.warn({ file, err: String(err) }, 'vouch: ignoring the damaged witness cosignatures in @{file} (the witnesses are asked again): @{err}');
    out.clear();
  }
  return out;
}

function writeRecords(file: string, tracks: readonly Track[]): void {
  const witnesses = Object.fromEntries(tracks.flatMap((t) => (t.record ? [[t.url, t.record]] : [])));
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ witnessCosignaturesVersion: 1, witnesses }, null, 2)}\n`);
  renameSync(tmp, file);
}

function isWitnessRecord(v: unknown): v is WitnessRecord {
  return (
    isRecord(v) &&
    typeof v['size'] === 'number' &&
    Number.isSafeInteger(v['size']) &&
    v['size'] >= 0 &&
    typeof v['checkpoint'] === 'string' &&
    Array.isArray(v['lines']) &&
    v['lines'].every((l) => typeof l === 'string' && LINE.test(l))
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
