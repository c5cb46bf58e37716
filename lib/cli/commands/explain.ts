// `vouch explain <name>[@version]`: every piece of evidence for one package and the rule that decided.
import npa from 'npm-package-arg';
import { VouchError, type ExitCode } from '../../errors/index.js';
import type { PackageVerdict } from '../../policy/index.js';
import { gateOptions, loadProjectConfig, npmArgs } from '../common-flags.js';
import { FLAGS } from './flag-table.js';
import { parseFlags } from '../flags.js';
import { gateProjectTree } from '../project-gate.js';
import type { Output } from '../output.js';
import { renderExplain } from '../render/explain.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS.explain, true);
  const [spec, ...extra] = positionals;
  if (!spec || extra.length > 0) throw new VouchError('USAGE', 'explain takes one package: vouch explain <name>[@version]');
  const { name, version } = parseSpec(spec);
  const config = await loadProjectConfig(npmArgs(values));
  const gate = await gateProjectTree({ ...gateOptions(values, config), locked: false }, config, Boolean(values.installed), out);
  const verdicts = gate.report.verdicts.filter(
    (v): v is PackageVerdict => v.kind === 'package' && v.ref.name === name && (!version || v.ref.version === version),
  );
  if (verdicts.length === 0) throw new VouchError('USAGE', `${spec} is not in this project's ${values.installed ? 'node_modules' : 'lockfile'}`, { pkg: name });
  out.stdout(verdicts.map((v) => renderExplain(v, gate.inputs.lock.packages[name])).join('\n'));
  return verdicts.some((v) => v.decision === 'deny') ? 1 : 0;
}

function parseSpec(spec: string): { name: string; version?: string } {
  try {
    const parsed = npa(spec);
    if (!parsed.name) throw new Error('no name');
    return parsed.type === 'version' ? { name: parsed.name, version: parsed.rawSpec } : { name: parsed.name };
  } catch {
    throw new VouchError('USAGE', `"${spec}" is not a package name with an optional exact version`);
  }
}
