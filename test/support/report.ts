// Reading `vouch … --format json` reports in tests: who was denied and why, by finding code.
//
// API
//   denied(report)   → [["name@version", [deny codes, sorted]], …] for every package or source not allowed, sorted
//   statuses(report) → { "name@version": status } for every package
//   ReportJson       the report's type (lib/cli/render/json.ts; documented in docs/report-json.md)
import type { ReportJson } from '../../lib/cli/render/index.js';

export type { ReportJson } from '../../lib/cli/render/index.js';

export function denied(report: ReportJson): [string, string[]][] {
  const rows: [string, string[]][] = [
    ...report.packages.map((p) => [`${p.name}@${p.version}`, p.decision, p.findings] as const),
    ...report.sources.map((s) => [`${s.name}@${s.spec}`, s.decision, s.findings] as const),
  ]
    .filter(([, decision]) => decision === 'deny')
    .map(([id, , findings]) => [id, findings.filter((f) => f.severity === 'deny').map((f) => f.code).sort()]);
  return rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function statuses(report: ReportJson): Record<string, string> {
  return Object.fromEntries(report.packages.map((p) => [`${p.name}@${p.version}`, p.status]));
}
