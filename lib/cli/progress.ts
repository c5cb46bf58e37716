// A one-line progress bar on stderr for long runs, so a 2,000-package verify does not look hung.
// Shown only on a terminal and for trees over PROGRESS_THRESHOLD packages; silent otherwise, so logs,
// pipes and CI output never carry carriage returns. Redrawn at most every REDRAW_INTERVAL_MS, with
// no timer of its own: it draws on tick, so nothing keeps the process alive or fires after done().
// (Written here rather than taken from cli-progress, which pulls in string-width and runs a redraw timer.)
import { printable } from './render/printable.js';

export const PROGRESS_THRESHOLD = 50;
export const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 20;

/** The part of a stream the bar needs (process.stderr fits). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Packages to verify. */
  total: number;
  out: ProgressStream;
  /** The caller's veto (--quiet, --format sarif to a terminal, …); a bar still needs a TTY and a large tree. */
  enabled?: boolean;
  /** What is being done, shown before the bar (default "verifying"). */
  title?: string;
  /** Clock in milliseconds, for tests (default Date.now). */
  now?: () => number;
}

export interface Progress {
  /** True when the bar is drawn at all. */
  readonly active: boolean;
  /** One more package done; `label` (e.g. name@version) is shown after the count. */
  tick(label?: string): void;
  /** Erases the bar. Safe to call twice; later ticks are ignored. */
  done(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const active = (opts.enabled ?? true) && opts.out.isTTY === true && opts.total > PROGRESS_THRESHOLD;
  const now = opts.now ?? Date.now;
  const title = opts.title ?? 'verifying';
  let count = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let finished = false;
  return {
    active,
    tick(label) {
      count += 1;
      if (!active || finished) return;
      const t = now();
      if (t - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = t;
      drawn = true;
      opts.out.write(`\r${progressLine(title, count, opts.total, label, opts.out.columns ?? 80)}\x1b[K`);
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) opts.out.write('\r\x1b[K');
    },
  };
}

/** `vouch: verifying [#####---------------] 23/120 name@1.0.0`, cut to fit the terminal width. */
export function progressLine(title: string, count: number, total: number, label: string | undefined, columns: number): string {
  const shown = Math.min(count, total);
  const filled = total > 0 ? Math.round((shown / total) * BAR_WIDTH) : BAR_WIDTH;
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  const line = `vouch: ${title} [${bar}] ${shown}/${total}${label ? ` ${printable(label)}` : ''}`;
  // One column short of the width: writing the last column makes some terminals wrap.
  const max = Math.max(1, columns - 1);
  return line.length > max ? line.slice(0, max) : line;
}
