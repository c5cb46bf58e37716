// `vouch verify`: the CI gate over the lockfile (or node_modules with --installed). Writes nothing.
import { loadNpmConfig } from '../../config/index.js';
import type { ExitCode } from '../../errors/index.js';
import { verifyLockCanonical } from '../../lock/index.js';
import { listTargets, loadTree } from '../../tree/index.js';
import { exitCodeFor } from '../exit.js';
import { commonFlags, gateOptions, npmArgs, omitList } from '../common-flags.js';
import { parseFlags, oneOf } from '../flags.js';
import { lockfileText, readTrustFiles, runGate } from '../gate.js';
import type { Output } from '../output.js';
import { FORMATS, render } from '../render/index.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseFlags(argv, {
    ...commonFlags,
    lockfile: { type: 'boolean' },
    installed: { type: 'boolean' },
    locked: { type: 'boolean' },
  });
  const cwd = process.cwd();
  const format = oneOf('format', values.format, FORMATS, 'text');
  const opts = gateOptions(values, cwd);
  const inputs = await readTrustFiles(cwd);
  if (values.locked && inputs.lockText !== null) verifyLockCanonical(inputs.lockText, inputs.lockFile);
  const config = await loadNpmConfig(cwd, npmArgs(values));
  const tree = await loadTree(cwd, config, values.installed ? 'actual' : 'virtual');
  const targets = listTargets(tree, config, omitList(config.flat.omit));
  const { report } = await runGate(targets, inputs, config, { ...opts, locked: Boolean(values.locked) }, out);
  out.stdout(render(report, format, { color: out.isTTY && !process.env.NO_COLOR, verbose: Boolean(values.verbose), lockfileText: await lockfileText(cwd) }));
  return exitCodeFor(report);
}
