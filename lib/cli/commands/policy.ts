// `vouch policy init`: a starter vouch.policy.json written from what the current tree shows, and the
// first vouch.lock (identities pinned on first use), with a summary of what was found.
import { rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { LOCK_FILE, recordVerified, writeLockAtomic } from '../../lock/index.js';
import { DEFAULT_MIN_RELEASE_AGE_DAYS, parsePolicy, POLICY_FILE, schemaRefFor, evaluate, type PackageVerdict, type Report } from '../../policy/index.js';
import type { PolicyFile } from '../../policy/schema.js';
import type { RegistryKeysSeen } from '../../verify/index.js';
import { gateOptions, loadProjectConfig, npmArgs } from '../common-flags.js';
import { FLAGS } from './flag-table.js';
import { parseFlags } from '../flags.js';
import { gateProjectTree } from '../project-gate.js';
import type { Output } from '../output.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS.policy, true);
  if (positionals[0] !== 'init' || positionals.length !== 1)
    throw new VouchError('USAGE', 'vouch policy takes one subcommand, init', {}, 'vouch policy init [--force]');
  const config = await loadProjectConfig(npmArgs(values));
  const cwd = config.localPrefix;
  const file = join(cwd, POLICY_FILE);
  if (existsSync(file) && !values.force) {
    throw new VouchError('USAGE', `${POLICY_FILE} already exists`, { file }, 'edit it, or pass --force to replace it');
  }
  const opts = { ...gateOptions(values, config), locked: false };
  const gate = await gateProjectTree(opts, config, false, out);
  const starter = starterPolicy(gate.registries, schemaRefFor(cwd, existsSync));
  const text = `${JSON.stringify(starter, null, 2)}\n`;
  const policy = parsePolicy(text, file); // what vouch writes must be what vouch reads
  const report = evaluate({
    evidence: gate.evidence,
    nonRegistry: gate.targets.nonRegistry,
    registries: gate.registries,
    policy,
    lock: gate.inputs.lock,
    now: opts.now,
  });
  await writeFile(`${file}.${process.pid}.tmp`, text);
  await rename(`${file}.${process.pid}.tmp`, file);
  await writeLockAtomic(cwd, recordVerified(gate.inputs.lock, report));
  out.stdout(summary(report));
  return 0;
}

/** Signatures required where registries sign, provenance and trust tiers no-downgrade, release age a day, keyless registries named. */
function starterPolicy(registries: readonly RegistryKeysSeen[], schemaRef: string | undefined): PolicyFile {
  const unsigned = registries.filter((r) => r.state === 'none');
  return {
    ...(schemaRef ? { $schema: schemaRef } : {}),
    // minReleaseAge spelled out although it is the default: the one setting a team most often tunes.
    defaults: { signatures: 'require', provenance: 'no-downgrade', tier: 'no-downgrade', minReleaseAge: DEFAULT_MIN_RELEASE_AGE_DAYS },
    ...(unsigned.length ? { registries: Object.fromEntries(unsigned.map((r) => [r.url, { keys: 'none' as const }])) } : {}),
  };
}

function summary(report: Report): string {
  const packages = report.verdicts.filter((v): v is PackageVerdict => v.kind === 'package');
  const withProvenance = packages.filter((v) => v.evidence.attestations?.kind === 'verified' && v.evidence.attestations.provenance);
  const repos = new Set(
    withProvenance.map((v) => (v.evidence.attestations?.kind === 'verified' ? v.evidence.attestations.provenance?.identity.repository : undefined)),
  );
  const denied = report.verdicts.filter((v) => v.decision === 'deny');
  // vouch.lock records only what was allowed: say how many, not how many were looked at.
  const recorded = packages.filter((v) => v.decision !== 'deny').length;
  const lines = [
    recorded > 0
      ? `vouch: wrote ${POLICY_FILE}; ${LOCK_FILE} records ${recorded} of ${packages.length} packages (the ones this policy allows)`
      : `vouch: wrote ${POLICY_FILE}; ${LOCK_FILE} records none of the ${packages.length} packages: this policy allows none of them`,
    ...report.registries.map(
      (r) =>
        `  registry ${r.url}: ${r.keys === 'served' || r.keys === 'pinned' ? `signs (${r.keyids.length} key${r.keyids.length === 1 ? '' : 's'}): signatures required` : r.keys === 'none' ? 'publishes no keys: marked keys "none"' : 'unreachable'}`,
    ),
    `  ${withProvenance.length} with verified provenance from ${repos.size} source repositories${recorded > 0 ? `: identities of the allowed ones pinned in ${LOCK_FILE}` : ''}`,
    `  provenance: no-downgrade (a version without provenance after one with it is denied)`,
  ];
  if (denied.length) {
    lines.push(`  ${denied.length} not allowed by this starter policy (run \`vouch verify\` for the reasons, \`vouch approve\` to accept):`);
    lines.push(
      ...denied.map((v) => `    ${v.kind === 'package' ? `${v.ref.name}@${v.ref.version}` : v.ref.name}: ${v.findings.map((f) => f.code).join(', ')}`),
    );
  }
  return lines.join('\n');
}
