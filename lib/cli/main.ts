// Entry point: picks the command, loads it lazily, maps errors to exit codes in one place.
import { INTERNAL_ERROR_EXIT, type VouchError, exitCodeForError, isVouchError, type ExitCode } from '../errors/index.js';
import { redactSecrets } from '../config/index.js';
import { processOutput, redacting, type Output } from './output.js';
import { patchNoteLines } from '../patches/index.js';
import { printRetryNotices } from './retry-notices.js';
import { vouchVersion } from './version.js';
import { findCommand } from './commands/index.js';
import { commandHelp, generalHelp } from './help.js';

export async function main(argv: string[], output: Output = processOutput): Promise<ExitCode> {
  const out = redacting(output); // whatever a command prints, no credential reaches the terminal or a log
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(generalHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    out.stdout(vouchVersion());
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    out.stderr(`vouch: unknown command "${name}"\n\n${generalHelp()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.stdout(commandHelp(command));
    return 0;
  }
  const stopNotices = printRetryNotices(out);
  try {
    const run = await command.load();
    return await run(rest, out);
  } catch (err) {
    return reportError(err, out, rest.includes('--verbose'));
  } finally {
    stopNotices();
    // A library patch whose probe did not recognise the library's internals (lib/patches/): the run used
    // the library's own code; said only with --verbose, as it changes speed, not results.
    if (rest.includes('--verbose')) for (const line of patchNoteLines()) out.stderr(line);
  }
}

export function reportError(err: unknown, out: Output, verbose: boolean): ExitCode {
  if (isVouchError(err)) {
    out.stderr(formatVouchError(err));
    return exitCodeForError(err);
  }
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  const detail = redactSecrets(verbose && err instanceof Error && err.stack ? err.stack : 'run again with --verbose for the stack trace');
  out.stderr(
    `vouch ${vouchVersion()}: internal error (exit ${INTERNAL_ERROR_EXIT}): ${message}\n  this is a fault of vouch, not of your input: please report it with the command and this output\n  ${detail}`,
  );
  return INTERNAL_ERROR_EXIT;
}

export function formatVouchError(err: VouchError): string {
  const where = [err.where.file, err.where.path].filter(Boolean).join(' at ');
  const lines = [`vouch: ${err.code}: ${err.message}`];
  if (where) lines.push(`  in ${where}`);
  if (err.where.pkg) lines.push(`  package: ${err.where.pkg}`);
  if (err.hint) lines.push(`  fix: ${err.hint}`);
  return redactSecrets(lines.join('\n'));
}
