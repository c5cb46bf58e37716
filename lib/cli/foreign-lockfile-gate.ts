// The read-only gate over a pnpm, Yarn or Bun lockfile: its entries become the same targets as npm's
// lockfile's (lib/tree/lockfiles), judged by the same evidence stage, policy, vouch.lock and reports.
import { basename } from 'node:path';
import { omitList, registryFor, type NpmConfig } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import { withFetchedIntegrity } from '../registry/index.js';
import { foreignLockfileTargets, type ProjectLockfile } from '../tree/index.js';
import type { PackageRef, Targets } from '../tree/types.js';
import { httpOptions, runGate, type GateInputs, type GateOptions, type GateResult } from './gate.js';
import type { Output } from './output.js';

export async function gateForeignLockfile(
  lockfile: ProjectLockfile,
  inputs: GateInputs,
  config: NpmConfig,
  opts: GateOptions,
  out: Output,
  mode: 'verify' | 'verify-tarballs',
): Promise<GateResult & { targets: Targets }> {
  if (mode === 'verify-tarballs') {
    throw new VouchError(
      'USAGE',
      `--tarballs reads package-lock.json; ${basename(lockfile.file)} is ${lockfile.kind}'s`,
      { file: lockfile.file },
      "run vouch verify without --tarballs (the registry's signed integrity is checked against the lockfile's)",
    );
  }
  const read = await foreignLockfileTargets(opts.cwd, lockfile, (name) => registryFor(name, config), omitList(config));
  const targets = { ...read, packages: await bindTarballIntegrity(read.packages, config, opts) };
  const gated = await runGate(targets, inputs, config, opts, out);
  const hashed = read.packages.filter((ref) => ref.integrityFromTarball).length;
  const notices = [
    `verified ${basename(lockfile.file)} (${lockfile.kind}): ${targets.packages.length} registry package${targets.packages.length === 1 ? '' : 's'}`,
    ...(hashed > 0
      ? [
          `${basename(lockfile.file)} records Yarn's zip checksums, not npm's integrity: vouch downloaded ${hashed} tarball${hashed === 1 ? '' : 's'} and bound their sha512 to the registry's signatures (Yarn checks its zip against the lockfile)`,
        ]
      : []),
  ];
  return { ...gated, targets, report: { ...gated.report, notices: [...notices, ...gated.report.notices] } };
}

/**
 * Entries whose lockfile binds the bytes with the manager's own checksum (Yarn Berry's zip) get the sha512
 * of the tarball the registry serves; an entry without any checksum keeps none (INTEGRITY_MISSING).
 */
async function bindTarballIntegrity(refs: PackageRef[], config: NpmConfig, opts: GateOptions): Promise<PackageRef[]> {
  const toHash = refs.filter((ref) => ref.integrityFromTarball && ref.integrity === null);
  if (toHash.length === 0) return refs;
  const hashed = new Map((await withFetchedIntegrity(toHash, httpOptions(config, opts), opts.concurrency)).map((ref, i) => [toHash[i]!, ref]));
  return refs.map((ref) => hashed.get(ref) ?? ref);
}
