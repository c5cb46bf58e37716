// `vouch check <spec>…`: would these versions pass this project's policy and vouch.lock? The tree
// `vouch install <spec…>` would install is resolved, verified and judged, and nothing is written: a
// pre-flight for update bots (Renovate, Dependabot), which can drop or hold an update instead of opening
// a pull request CI will refuse. docs/ci.md.
import npa from 'npm-package-arg';
import { VouchError, type ExitCode } from '../../errors/index.js';
import type { Finding, PackageVerdict, Report } from '../../policy/index.js';
import { gateOptions, isSilent, loadProjectConfig, reportFormat } from '../common-flags.js';
import { exitCodeFor } from '../exit.js';
import { assertPackageSpecs, parseNpmCommandLine } from '../npm-command-line.js';
import type { Output } from '../output.js';
import { gateIdealTree } from '../project-gate.js';
import { render, toReportJson, worstDecision } from '../render/index.js';
import { vouchVersion } from '../version.js';
import { FLAGS } from './flag-table.js';

/** One spec's answer: the version it resolved to and its verdict (the whole tree's decides the exit code). */
export interface CheckedSpec {
  spec: string;
  name: string;
  /** The version `vouch install <spec>` would install at the top of node_modules; null if it resolved none. */
  version: string | null;
  decision: 'allow' | 'warn' | 'deny';
  findings: Pick<Finding, 'code' | 'severity' | 'message'>[];
}

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const line = parseNpmCommandLine(argv, 'install', FLAGS.check);
  if (line.positionals.length === 0) throw new VouchError('USAGE', 'check takes one or more package specs: vouch check <name>@<version>…');
  assertPackageSpecs(line.positionals, process.cwd());
  const format = reportFormat(line.vouch.format, line.npmFlags);
  const config = await loadProjectConfig(line.npmArgs);
  const quiet = isSilent(line.npmFlags);
  const gate = await gateIdealTree({ ...gateOptions(line.vouch, config, quiet), locked: false }, config, [...line.positionals], out);
  const checked = line.positionals.map((spec) => checkedSpec(spec, gate.report));
  const code = exitCodeFor(gate.report);
  if (quiet && code === 0) return code;
  if (format === 'json') {
    const answer = { decision: worstDecision(gate.report), checked, report: toReportJson(gate.report, vouchVersion()) };
    out.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  } else if (format === 'sarif' || format === 'codequality') {
    out.stdout(render(gate.report, format));
  } else {
    out.stdout(
      `${checked.map(describe).join('\n')}\n\n${render(gate.report, 'text', { color: out.isTTY && !process.env.NO_COLOR, verbose: line.vouch.verbose === true })}`,
    );
  }
  return code;
}

function checkedSpec(spec: string, report: Report): CheckedSpec {
  const name = npa(spec).name ?? spec;
  const verdict = report.verdicts.find(
    (v): v is PackageVerdict => v.kind === 'package' && v.ref.name === name && v.ref.locations.includes(`node_modules/${name}`),
  );
  if (!verdict) return { spec, name, version: null, decision: 'deny', findings: [] };
  return {
    spec,
    name,
    version: verdict.ref.version,
    decision: verdict.decision,
    findings: verdict.findings.map(({ code, severity, message }) => ({ code, severity, message })),
  };
}

function describe(c: CheckedSpec): string {
  if (c.version === null) return `${c.spec}: not resolved to a registry package at the top of node_modules`;
  const verdict =
    c.decision === 'deny'
      ? `would be denied (${[...new Set(c.findings.filter((f) => f.severity === 'deny').map((f) => f.code))].join(', ')})`
      : c.decision === 'warn'
        ? 'would pass, with warnings'
        : 'would pass';
  return `${c.spec} → ${c.name}@${c.version}: ${verdict}`;
}
