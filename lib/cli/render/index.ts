// Rendering a policy Report for `vouch verify`, `vouch install` and `vouch ci`: text for people, JSON
// for scripts, SARIF for code scanning, Code Quality for GitLab merge requests. Renderers only format: they decide nothing and print nothing.
import { redactDeep } from '../../config/index.js';
import type { Report } from '../../policy/index.js';
import { vouchVersion } from '../version.js';
import { renderCodeQuality } from './codequality.js';
import { toReportJson, type ReportJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type Format = 'text' | 'json' | 'sarif' | 'codequality';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'codequality'];

export interface RenderOptions {
  /** text: ANSI colour (pass `out.isTTY`, and honour NO_COLOR upstream). Never used by JSON or SARIF. */
  color?: boolean;
  /** text: also list allowed packages, every location and every registry key id. */
  verbose?: boolean;
  /** sarif, codequality: package-lock.json text, so each result points at the package's line. */
  lockfileText?: string;
  /** sarif, codequality: the lockfile path relative to the repository root (default "package-lock.json"). */
  lockfileUri?: string;
  /** json, sarif: the vouch version written into the output (default: this package's version). */
  version?: string;
}

/** The report in the chosen format, ending in a newline; every credential in it masked (redactSecrets). */
export function render(input: Report, format: Format, opts: RenderOptions = {}): string {
  if (format === 'json') return `${JSON.stringify(reportJson(input, opts.version), null, 2)}\n`;
  // Masked as data, before any format escapes it: a secret's JSON-escaped form would not match in the text.
  const report = redactDeep(input);
  switch (format) {
    case 'text':
      return renderText(report, opts);
    case 'sarif':
      return renderSarif(report, { ...opts, version: opts.version ?? vouchVersion() });
    case 'codequality':
      return renderCodeQuality(report, {
        ...(opts.lockfileText !== undefined ? { lockfileText: opts.lockfileText } : {}),
        ...(opts.lockfileUri ? { lockfilePath: opts.lockfileUri } : {}),
      });
  }
}

/** The object `--format json` prints (docs/report-json.md), every credential in it masked: the Node API returns it. */
export function reportJson(input: Report, version = vouchVersion()): ReportJson {
  return toReportJson(redactDeep(input), version);
}

export { toCodeQuality, type CodeQualityIssue } from './codequality.js';
export { FINDING_CODES, FINDING_CODE_LIST, type FindingCodeInfo } from './finding-codes.js';
export { toReportJson, worstDecision, REPORT_SCHEMA_VERSION, type ReportJson } from './json.js';
export { npmAuditEntries, NPM_CODES, type NpmInvalidEntry, type NpmMissingEntry } from './npm-compat.js';
export { toSarif, fingerprint, FINGERPRINT_KEY } from './sarif.js';
export { lockfileLineIndex, lineOfLocation } from './lockfile-lines.js';
export { printable } from './printable.js';
export { renderText, type TextOptions } from './text.js';
