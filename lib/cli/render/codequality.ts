// `--format codequality`: GitLab's Code Quality report (a subset of the Code Climate issue format), so a
// merge request shows vouch's findings on the lockfile lines. One issue per finding, located at the
// package's first key in package-lock.json, with the same fingerprint as the SARIF result.
import { type Finding, type FindingCode, type Report, type Verdict, decidedByRegistry } from '../../policy/index.js';
import { FINDING_CODES } from './finding-codes.js';
import { lockedName, lockfileLines } from './lockfile-lines.js';
import { fingerprint } from './sarif.js';
import { sortFindings, sortStrings, sortVerdicts, verdictLabel } from './tally.js';

/** GitLab's severities; vouch uses two: a deny blocks the gate, a warning does not. */
export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  type: 'issue';
  check_name: FindingCode;
  description: string;
  content: { body: string };
  categories: ['Security'];
  severity: CodeQualitySeverity;
  fingerprint: string;
  location: { path: string; lines: { begin: number } };
}

export interface CodeQualityOptions {
  /** package-lock.json text, to find the line of each package; without it every issue points at line 1. */
  lockfileText?: string;
  /** The lockfile's path relative to the repository root (default "package-lock.json"). */
  lockfilePath?: string;
}

export function toCodeQuality(report: Report, opts: CodeQualityOptions = {}): CodeQualityIssue[] {
  const path = (opts.lockfilePath ?? 'package-lock.json').replace(/\\/g, '/');
  const lineOf = lockfileLines(opts.lockfileText, path);
  const issues: CodeQualityIssue[] = [];
  for (const r of report.registries) {
    for (const f of sortFindings(r.findings)) issues.push(issueFor(f, f.message, fingerprint(f.code, r.url, ''), { path, lines: { begin: 1 } }));
  }
  for (const v of sortVerdicts(report.verdicts)) {
    // GitLab shows an issue at one place: the package's first location in the lockfile.
    const [first = ''] = sortStrings(v.ref.locations);
    const location = { path, lines: { begin: lineOf(first, lockedName(v)) } };
    for (const f of sortFindings(v.findings)) {
      if (decidedByRegistry(report.registries, v, f)) continue; // one issue for the registry instead
      issues.push(issueFor(f, describe(v, f), fingerprint(f.code, v.ref.name, v.kind === 'package' ? v.ref.version : v.ref.spec), location));
    }
  }
  return issues;
}

export function renderCodeQuality(report: Report, opts: CodeQualityOptions = {}): string {
  return `${JSON.stringify(toCodeQuality(report, opts), null, 2)}\n`;
}

function issueFor(f: Finding, description: string, print: string, location: CodeQualityIssue['location']): CodeQualityIssue {
  const parts = [FINDING_CODES[f.code].help, ...(f.rule ? [`Rule: ${f.rule}`] : []), ...(f.hint ? [`Fix: ${f.hint}`] : [])];
  return {
    type: 'issue',
    check_name: f.code,
    description,
    content: { body: parts.join('\n\n') },
    categories: ['Security'],
    severity: f.severity === 'deny' ? 'critical' : 'minor',
    fingerprint: print,
    location,
  };
}

// Most messages already start with the package; name it only where one does not.
function describe(v: Verdict, f: Finding): string {
  const label = verdictLabel(v);
  return f.message.startsWith(label) ? f.message : `${label}: ${f.message}`;
}
