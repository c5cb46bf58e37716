// Where commands write. Tests pass a capturing Output; the launcher passes the process streams.
import { redactSecrets } from '../config/index.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress bars and colour only then. */
  readonly isTTY: boolean;
}

export const processOutput: Output = {
  stdout: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stderr.isTTY),
};

/** `out` with every write passed through redactSecrets: the last edge before a terminal or a CI log. */
export function redacting(out: Output): Output {
  return {
    stdout: (text) => out.stdout(redactSecrets(text)),
    stderr: (text) => out.stderr(redactSecrets(text)),
    get isTTY() {
      return out.isTTY;
    },
  };
}
