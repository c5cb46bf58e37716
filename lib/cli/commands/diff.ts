// `vouch diff <base>`: what a reviewer reads on a lockfile pull request. Each package added, removed or
// changed since the base lockfile, with its evidence and verdict, and the lockfile edits npm would not
// have made (lockfile injection). Exit codes as verify's, over what changed. docs/diff.md.
import { VouchError, type ExitCode } from '../../errors/index.js';
import { gateOptions, loadProjectConfig, npmArgs } from '../common-flags.js';
import { lockfileUri, readBase } from '../diff-base.js';
import { gateDiff } from '../diff-gate.js';
import { exitCodeFor } from '../exit.js';
import { oneOf, parseFlags } from '../flags.js';
import type { Output } from '../output.js';
import { FORMATS } from '../render/index.js';
import { renderDiff } from '../render/diff.js';
import { vouchVersion } from '../version.js';
import { FLAGS } from './flag-table.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS.diff, true);
  const [base, ...extra] = positionals;
  if (!base || extra.length > 0) {
    throw new VouchError('USAGE', 'diff takes one base: vouch diff <base-lockfile | folder | git-revision>', {}, 'e.g. vouch diff origin/main');
  }
  const format = oneOf('format', values.format, FORMATS, 'text');
  const config = await loadProjectConfig(npmArgs(values));
  const opts = { ...gateOptions(values, config), locked: false };
  const snapshot = await readBase(base, opts.cwd);
  const diff = await gateDiff(opts, config, snapshot, out);
  out.stdout(
    renderDiff(diff, format, {
      base: snapshot.label,
      version: vouchVersion(),
      now: opts.now,
      color: out.isTTY && !process.env.NO_COLOR,
      lockfileText: diff.headText,
      lockfileUri: await lockfileUri(opts.cwd),
    }),
  );
  return exitCodeFor(diff.report);
}
