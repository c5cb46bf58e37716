// What `vouch install` and `vouch ci` print once the install flow (lib/cli/install-flow.ts) has ended:
// the gate report on stdout and in each --report-file, then vouch's closing line (text format only).
import type { ExitCode } from '../errors/index.js';
import type { ReifySummary } from '../tree/reify.js';
import type { InstallOutcome } from './install-flow.js';
import type { Output } from './output.js';
import type { Format } from './render/index.js';
import { emitReport, type ReportFile } from './report-files.js';

export interface InstallOutputOptions {
  /** The project folder (SARIF and Code Quality locate findings in its lockfile). */
  cwd: string;
  format: Format;
  verbose: boolean;
  /** --report-file: the report also written in these formats (ci). */
  reportFiles?: readonly ReportFile[];
  /** npm's --silent: a success prints nothing (a deny still prints its report). */
  quiet?: boolean;
}

/** Prints `outcome` and returns the exit code it stands for. */
export async function showInstallOutcome(outcome: InstallOutcome, opts: InstallOutputOptions, out: Output): Promise<ExitCode> {
  const quiet = outcome.kind !== 'denied' && opts.quiet === true;
  await emitReport(outcome.report, { format: opts.format, verbose: opts.verbose, files: opts.reportFiles ?? [] }, opts.cwd, out, quiet);
  if (outcome.kind === 'denied') return outcome.code;
  if (opts.format === 'text' && !quiet) out.stdout(closingLine(outcome));
  return 0;
}

function closingLine(outcome: Exclude<InstallOutcome, { kind: 'denied' }>): string {
  switch (outcome.kind) {
    case 'dry-run':
      return `vouch: --dry-run: ${outcome.verified} packages verified and allowed; nothing was installed or written in the project`;
    case 'lock-only':
      return 'vouch: --package-lock-only: every package verified; package-lock.json written, nothing installed';
    case 'installed':
      return installSummary(outcome.summary);
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** npm's closing line, and what happened to install scripts: `added 77 packages, removed 1, changed 2; install scripts: 3 ran`. */
export function installSummary(s: ReifySummary): string {
  const n = (count: number) => (count === 1 ? '1 package' : `${count} packages`);
  const parts = [`added ${n(s.added)}`, ...(s.removed > 0 ? [`removed ${n(s.removed)}`] : []), ...(s.changed > 0 ? [`changed ${n(s.changed)}`] : [])];
  const scripts =
    s.scripts.ran > 0
      ? `; install scripts of ${n(s.scripts.ran)} ran`
      : s.scripts.skipped > 0
        ? `; install scripts of ${n(s.scripts.skipped)} skipped (--ignore-scripts)`
        : '';
  return `vouch: installed only verified bytes: ${parts.join(', ')}${scripts}`;
}
