// `vouch verify`: the CI gate over the lockfile (or node_modules with --installed). Writes nothing.
import { VouchError, type ExitCode } from '../../errors/index.js';
import { verifyLockCanonical } from '../../lock/index.js';
import { exitCodeFor } from '../exit.js';
import { gateOptions, isSilent, loadProjectConfig, reportFormat } from '../common-flags.js';
import { oneOf } from '../flags.js';
import { LOCKFILE_KINDS } from '../../tree/index.js';
import { readTrustFiles } from '../gate.js';
import { parseNpmCommandLine } from '../npm-command-line.js';
import { gatePackageList } from '../package-list-gate.js';
import { gateProjectTree } from '../project-gate.js';
import type { Output } from '../output.js';
import { emitReport, parseReportFiles } from '../report-files.js';
import { attestWritten, planAttest } from '../verify-attest.js';
import { FLAGS } from './flag-table.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const line = parseNpmCommandLine(argv, 'verify', FLAGS.verify);
  const { vouch: values } = line;
  if (line.positionals.length > 0) {
    throw new VouchError(
      'USAGE',
      `vouch verify takes no arguments (got ${line.positionals.map((p) => JSON.stringify(p)).join(', ')})`,
      {},
      'to look at one package: vouch explain <name>',
    );
  }
  if (values.tarballs && values.installed) {
    throw new VouchError('USAGE', "--tarballs checks the registry's tarballs for the lockfile; --installed reads node_modules", {}, 'drop one of them');
  }
  const packages = typeof values.packages === 'string' ? values.packages : undefined;
  if (packages !== undefined && (values.installed || values.tarballs || values.lockfile || values['lockfile-kind'] !== undefined)) {
    throw new VouchError(
      'USAGE',
      '--packages judges the list it is given; --lockfile, --lockfile-kind, --installed and --tarballs read the project',
      {},
      'drop one of them',
    );
  }
  if (values['lockfile-kind'] !== undefined && values.installed) {
    throw new VouchError('USAGE', '--lockfile-kind chooses the lockfile to read; --installed reads node_modules', {}, 'drop one of them');
  }
  const lockfileKind = values['lockfile-kind'] === undefined ? undefined : oneOf('lockfile-kind', String(values['lockfile-kind']), LOCKFILE_KINDS, 'npm');
  const targets = { format: reportFormat(values.format, line.npmFlags), verbose: values.verbose === true, files: parseReportFiles(values['report-file']) };
  const config = await loadProjectConfig(line.npmArgs);
  const cwd = config.localPrefix;
  if (values.locked) {
    // Non-canonical or hand-edited lock content fails before anything else, with the diff (exit 2).
    const { lockText, lockFile } = await readTrustFiles(cwd);
    if (lockText !== null) verifyLockCanonical(lockText, lockFile);
  }
  const quiet = isSilent(line.npmFlags);
  const attest = await planAttest(
    values,
    process.env,
    {
      cwd,
      installed: values.installed === true,
      tarballs: values.tarballs === true,
      packages: packages !== undefined,
      ...(lockfileKind ? { lockfileKind } : {}),
    },
    out,
  );
  const opts = { ...gateOptions(values, config, quiet), locked: values.locked === true, ...(lockfileKind ? { lockfileKind } : {}) };
  const { report, lockfile } =
    packages !== undefined
      ? { ...(await gatePackageList(opts, config, packages, out)), lockfile: undefined }
      : await gateProjectTree(opts, config, values.installed === true, out, values.tarballs ? 'verify-tarballs' : 'verify');
  const code = exitCodeFor(report);
  await emitReport(report, targets, cwd, out, quiet && code === 0, lockfile?.file);
  if (attest) {
    await attest.write(report, opts.now);
    if (!quiet) out.stderr(attestWritten(attest.file, report));
  }
  return code;
}
