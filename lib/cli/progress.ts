// Progress for long runs, drawn on the Output's progress sink (stderr from the launcher, none from the
// Node API), so a 2,000-package verify does not look hung. On a terminal: a
// one-line bar, redrawn at most every REDRAW_INTERVAL_MS. Elsewhere (CI logs, pipes): a plain line every
// LOG_INTERVAL_MS, none in the first interval, so short runs stay silent and logs never carry carriage
// returns. Only for trees over PROGRESS_THRESHOLD packages. No timer of its own: it writes on tick, so
// nothing keeps the process alive or fires after done().
// (Written here rather than taken from cli-progress, which pulls in string-width and runs a redraw timer.)
import { redactSecrets } from '../config/index.js';
import type { Output, ProgressSink } from './output.js';
import { printable } from './render/printable.js';

export const PROGRESS_THRESHOLD = 50;
export const REDRAW_INTERVAL_MS = 100;
export const LOG_INTERVAL_MS = 5_000;
const BAR_WIDTH = 20;

export interface ProgressOptions {
  /** Packages to verify. */
  total: number;
  /** Where to draw; undefined: nowhere, so progress stays off. */
  out: ProgressSink | undefined;
  /** The caller's veto (--quiet, …); progress still needs a large tree, and a bar a TTY. */
  enabled?: boolean;
  /** What is being done, shown before the bar (default "verifying"). */
  title?: string;
  /** Clock in milliseconds, for tests (default Date.now). */
  now?: () => number;
}

export interface Progress {
  /** True when progress is shown at all (a bar on a TTY, else a line every LOG_INTERVAL_MS). */
  readonly active: boolean;
  /** One more package done; `label` (e.g. name@version) is shown after the count. */
  tick(label?: string): void;
  /** Erases the bar. Safe to call twice; later ticks are ignored. */
  done(): void;
}

/** Progress over `total` packages on `out`'s progress sink; `enabled` is the caller's veto (--silent). */
export function outputProgress(out: Output, total: number, enabled: boolean): Progress {
  return createProgress({ total, out: out.progress, enabled });
}

export function createProgress(opts: ProgressOptions): Progress {
  const sink = opts.out;
  const active = sink !== undefined && (opts.enabled ?? true) && opts.total > PROGRESS_THRESHOLD;
  const bar = sink?.isTTY === true;
  const now = opts.now ?? Date.now;
  const title = opts.title ?? 'verifying';
  const started = now();
  let count = 0;
  let lastDraw = bar ? Number.NEGATIVE_INFINITY : started;
  let drawn = false;
  let finished = false;
  return {
    active,
    tick(label) {
      count += 1;
      if (!active || finished || !sink) return;
      const t = now();
      if (t - lastDraw < (bar ? REDRAW_INTERVAL_MS : LOG_INTERVAL_MS)) return;
      lastDraw = t;
      if (!bar) {
        sink.write(`vouch: ${title} ${Math.min(count, opts.total)}/${opts.total} packages (${Math.round((t - started) / 1000)} s)\n`);
        return;
      }
      drawn = true;
      sink.write(`\r${progressLine(title, count, opts.total, label, sink.columns ?? 80)}\x1b[K`);
    },
    done() {
      if (finished) return;
      finished = true;
      if (drawn) sink?.write('\r\x1b[K');
    },
  };
}

/** `vouch: verifying [#####---------------] 23/120 name@1.0.0`, cut to fit the terminal width. */
export function progressLine(title: string, count: number, total: number, label: string | undefined, columns: number): string {
  const shown = Math.min(count, total);
  const filled = total > 0 ? Math.round((shown / total) * BAR_WIDTH) : BAR_WIDTH;
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  const line = `vouch: ${title} [${bar}] ${shown}/${total}${label ? ` ${printable(redactSecrets(label))}` : ''}`;
  // One column short of the width: writing the last column makes some terminals wrap.
  const max = Math.max(1, columns - 1);
  return line.length > max ? line.slice(0, max) : line;
}
