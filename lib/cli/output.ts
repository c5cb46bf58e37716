// Where commands write. Tests pass a capturing Output; the launcher passes the process streams.
import { redactSecrets } from '../config/index.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress bars and colour only then. */
  readonly isTTY: boolean;
  /**
   * Where progress is drawn (lib/cli/progress.ts), chunks written as they are: a bar redraws its line
   * with `\r` and no newline. Absent: no progress anywhere (the Node API, tests that do not ask for it).
   */
  readonly progress?: ProgressSink;
}

/** The part of a stream progress needs (process.stderr fits). */
export interface ProgressSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width, read at each redraw (it changes when the window does). */
  readonly columns?: number;
}

export const processOutput: Output = {
  stdout: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  progress: process.stderr,
};

/** `out` with every write passed through redactSecrets: the last edge before a terminal or a CI log. */
export function redacting(out: Output): Output {
  const sink = out.progress;
  return {
    stdout: (text) => out.stdout(redactSecrets(text)),
    stderr: (text) => out.stderr(redactSecrets(text)),
    get isTTY() {
      return out.isTTY;
    },
    ...(sink ? { progress: redactingSink(sink) } : {}),
  };
}

function redactingSink(sink: ProgressSink): ProgressSink {
  return {
    write: (chunk) => sink.write(redactSecrets(chunk)),
    get isTTY() {
      return sink.isTTY;
    },
    get columns() {
      return sink.columns;
    },
  };
}
