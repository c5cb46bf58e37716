// `vouch verify`: the CI gate over the lockfile (or node_modules with --installed). Writes nothing.
import { VouchError, type ExitCode } from '../../errors/index.js';
import { verifyLockCanonical } from '../../lock/index.js';
import { exitCodeFor } from '../exit.js';
import { commonFlags, gateOptions, npmArgs } from '../common-flags.js';
import { parseFlags, oneOf } from '../flags.js';
import { lockfileText, readTrustFiles } from '../gate.js';
import { gateProjectTree } from '../project-gate.js';
import type { Output } from '../output.js';
import { FORMATS, render } from '../render/index.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseFlags(argv, {
    ...commonFlags,
    lockfile: { type: 'boolean' },
    installed: { type: 'boolean' },
    locked: { type: 'boolean' },
    tarballs: { type: 'boolean' },
  });
  if (values.tarballs && values.installed) {
    throw new VouchError('USAGE', '--tarballs checks the registry\'s tarballs for the lockfile; --installed reads node_modules', {}, 'drop one of them');
  }
  const cwd = process.cwd();
  const format = oneOf('format', values.format, FORMATS, 'text');
  if (values.locked) {
    // Non-canonical or hand-edited lock content fails before anything else, with the diff (exit 2).
    const { lockText, lockFile } = await readTrustFiles(cwd);
    if (lockText !== null) verifyLockCanonical(lockText, lockFile);
  }
  const opts = { ...gateOptions(values, cwd), locked: Boolean(values.locked) };
  const { report } = await gateProjectTree(opts, npmArgs(values), Boolean(values.installed), out, values.tarballs ? 'verify-tarballs' : 'verify');
  out.stdout(render(report, format, { color: out.isTTY && !process.env.NO_COLOR, verbose: Boolean(values.verbose), lockfileText: await lockfileText(cwd) }));
  return exitCodeFor(report);
}
