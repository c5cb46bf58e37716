// One-line summaries of what a tool said, for the results and the report.
import type { ReportJson } from '../../lib/cli/render/index.js';
import type { RunRecord } from '../results.js';
import type { ToolRun } from './tools.js';

export function parseReport(run: ToolRun): ReportJson | undefined {
  if (!/^\s*\{/.test(run.stdout)) return undefined;
  try {
    const doc = JSON.parse(run.stdout) as Partial<ReportJson>;
    return Array.isArray(doc.packages) ? (doc as ReportJson) : undefined;
  } catch {
    return undefined;
  }
}

export function vouchRecord(run: ToolRun): RunRecord {
  const report = parseReport(run);
  let summary: string;
  if (report) {
    const denied = [
      ...report.packages.map((p) => ({ id: `${p.name}@${p.version}`, decision: p.decision, findings: p.findings })),
      ...report.sources.map((s) => ({ id: `${s.name}@${s.spec}`, decision: s.decision, findings: s.findings })),
    ]
      .filter((v) => v.decision === 'deny')
      .map((v) => `${v.id} [${[...new Set(v.findings.filter((f) => f.severity === 'deny').map((f) => f.code))].join(',')}]`);
    summary = `${report.decision}: ${report.summary.total} checked${denied.length ? `; denied ${denied.slice(0, 3).join('; ')}${denied.length > 3 ? ` and ${denied.length - 3} more` : ''}` : ''}`;
  } else summary = headline(run.stderr) ?? `exit ${run.code}`;
  return record(run, run.timedOut ? `timed out; ${summary}` : summary);
}

export function npmRecord(run: ToolRun): RunRecord {
  const code = /npm error code (\S+)/.exec(run.stderr)?.[1];
  const message = run.stderr
    .split('\n')
    .find((l) => /^npm error (?!code )/.test(l))
    ?.replace(/^npm error /, '');
  const summary = run.code === 0 ? 'installed' : [code, message].filter(Boolean).join(': ') || `exit ${run.code}`;
  return record(run, run.timedOut ? `timed out; ${summary}` : summary);
}

/** vouch's internal-error line ("internal error (exit 70)", formerly "this is a bug") anywhere in what it printed. */
export const INTERNAL_ERROR = /internal error \(exit 70\)|this is a bug/i;

export const printsBug = (run: ToolRun): boolean => INTERNAL_ERROR.test(run.stdout) || INTERNAL_ERROR.test(run.stderr);

function record(run: ToolRun, summary: string): RunRecord {
  return { code: run.code, ms: Math.round(run.ms), timedOut: run.timedOut, summary: summary.slice(0, 300), stderrTail: run.stderr.slice(-800) };
}

/** vouch's own message ("vouch: CODE: …"), or for an internal error the bug line and the error under it. */
function headline(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const bug = lines.findIndex((l) => INTERNAL_ERROR.test(l));
  // The internal-error line carries the message; the old "this is a bug" line had it on the next line.
  if (bug >= 0) return /this is a bug/i.test(lines[bug]!) ? `this is a bug: ${lines[bug + 1] ?? ''}` : lines[bug];
  return lines.find((l) => /^vouch\b/.test(l)) ?? lines.slice(-1)[0];
}
