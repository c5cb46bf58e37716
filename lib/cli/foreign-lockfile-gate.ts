// The read-only gate over a pnpm, Yarn or Bun lockfile: its entries become the same targets as npm's
// lockfile's (lib/tree/lockfiles), judged by the same evidence stage, policy, vouch.lock and reports.
import { basename } from 'node:path';
import { registryFor, type NpmConfig } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import { foreignLockfileTargets, type ProjectLockfile, type Targets } from '../tree/index.js';
import { omitList } from './common-flags.js';
import { runGate, type GateInputs, type GateOptions, type GateResult } from './gate.js';
import type { Output } from './output.js';

export async function gateForeignLockfile(
  lockfile: ProjectLockfile, inputs: GateInputs, config: NpmConfig, opts: GateOptions, out: Output, mode: 'verify' | 'verify-tarballs',
): Promise<GateResult & { targets: Targets }> {
  if (mode === 'verify-tarballs') {
    throw new VouchError('USAGE', `--tarballs reads package-lock.json; ${basename(lockfile.file)} is ${lockfile.kind}'s`, { file: lockfile.file },
      'run vouch verify without --tarballs (the registry\'s signed integrity is checked against the lockfile\'s)');
  }
  const targets = await foreignLockfileTargets(opts.cwd, lockfile, (name) => registryFor(name, config), omitList(config.flat.omit));
  const gated = await runGate(targets, inputs, config, opts, out);
  const notice = `verified ${basename(lockfile.file)} (${lockfile.kind}): ${targets.packages.length} registry package${targets.packages.length === 1 ? '' : 's'}`;
  return { ...gated, targets, report: { ...gated.report, notices: [notice, ...gated.report.notices] } };
}
