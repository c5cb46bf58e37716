// Reading `vouch … --format json` reports in tests: who was denied and why, by finding code.
//
// API
//   denied(report)   → [["name@version", [deny codes, sorted]], …] for every package or source not allowed, sorted
//   statuses(report) → { "name@version": status } for every package
//   explain(result)  → a failure message for assertions: stderr and every denied package's findings
//   ReportJson       the report's type (lib/cli/render/json.ts; documented in docs/report-json.md)
import type { ReportJson } from '../../lib/cli/render/index.js';

export type { ReportJson } from '../../lib/cli/render/index.js';

export function denied(report: ReportJson): [string, string[]][] {
  const rows: [string, string[]][] = [
    ...report.packages.map((p) => [`${p.name}@${p.version}`, p.decision, p.findings] as const),
    ...report.sources.map((s) => [`${s.name}@${s.spec}`, s.decision, s.findings] as const),
  ]
    .filter(([, decision]) => decision === 'deny')
    .map(([id, , findings]) => [
      id,
      findings
        .filter((f) => f.severity === 'deny')
        .map((f) => f.code)
        .sort(),
    ]);
  return rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function statuses(report: ReportJson): Record<string, string> {
  return Object.fromEntries(report.packages.map((p) => [`${p.name}@${p.version}`, p.status]));
}

export function explain(result: { code: number; stderr: string; json?: unknown }): string {
  const report = result.json as ReportJson | undefined;
  const findings =
    report?.packages
      ?.filter((p) => p.decision === 'deny')
      .map((p) => `${p.name}@${p.version}: ${p.findings.map((f) => `${f.code} ${f.message}`).join('; ')}`) ?? [];
  return [`exit ${result.code}`, result.stderr.slice(-2000), ...findings.slice(0, 20)].join('\n');
}
