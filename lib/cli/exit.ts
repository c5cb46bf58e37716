// Exit codes are decided here, from the report: 0 allowed, 1 denied, 3 could not verify.
import type { ExitCode } from '../errors/index.js';
import type { FindingCode, Report } from '../policy/index.js';

/** Findings that mean "could not ask", not "asked and it failed": fail closed with 3, not 1. */
const UNREACHABLE: ReadonlySet<FindingCode> = new Set<FindingCode>(['REGISTRY_UNREACHABLE', 'REGISTRY_ERROR', 'OFFLINE_MISS']);

export function exitCodeFor(report: Report): ExitCode {
  const denied = [...report.verdicts, ...report.registries].filter((v) => v.decision === 'deny');
  if (denied.length === 0) return 0;
  const denyCodes = denied.flatMap((v) => v.findings.filter((f) => f.severity === 'deny').map((f) => f.code));
  // A real verification failure outranks an outage: the tree is known to be bad, whatever else is unknown.
  return denyCodes.every((code) => UNREACHABLE.has(code)) ? 3 : 1;
}
