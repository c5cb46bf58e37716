// Exceptions: dated, attributed waivers of named finding codes for one package (and range). An
// expired exception no longer waives anything and says so (EXCEPTION_EXPIRED); one that applies and
// expires within EXPIRY_WARNING_DAYS warns (EXCEPTION_EXPIRING).
import { daysBetween, finding, formatDate, label, policyDate, quote } from './findings.js';
import { formatPath } from '../files/index.js';
import { rangeMatches } from './match.js';
import type { Policy } from './policy.js';
import type { Finding, WaivedFinding } from './report.js';
import type { PolicyException } from './schema.js';

export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

interface Candidate {
  exception: PolicyException;
  path: string;
  expires: Date;
}

/** Splits findings into those that still count and those an exception waives, adding expiry findings. */
export function applyExceptions(
  name: string,
  version: string | null,
  findings: readonly Finding[],
  policy: Policy,
  now: Date,
): { findings: Finding[]; waived: WaivedFinding[] } {
  const candidates: Candidate[] = (policy.exceptions[name] ?? []).flatMap((exception, j) => {
    const applies = exception.versions === undefined || (version !== null && rangeMatches(exception.versions, version));
    return applies ? [{ exception, path: formatPath(['exceptions', name, j]), expires: policyDate(exception.expires) }] : [];
  });
  const kept: Finding[] = [];
  const waived: WaivedFinding[] = [];
  const used = new Set<Candidate>();
  const expired = new Map<Candidate, Finding[]>();
  for (const f of findings) {
    const covering = candidates.filter((c) => (c.exception.allow as readonly string[]).includes(f.code));
    const active = covering.find((c) => now.getTime() < c.expires.getTime());
    if (active) {
      used.add(active);
      waived.push({ ...f, waivedBy: active.path });
      continue;
    }
    kept.push(f);
    for (const c of covering) expired.set(c, [...(expired.get(c) ?? []), f]);
  }
  const id = label(name, version);
  for (const [c, lost] of expired) {
    const severity = lost.some((f) => f.severity === 'deny') ? 'deny' : 'warn';
    const codes = [...new Set(lost.map((f) => f.code))].join(', ');
    kept.push(
      finding(
        'EXCEPTION_EXPIRED',
        severity,
        `the exception for ${id} (${quote(c.exception.reason)}, approved by ${quote(c.exception.approvedBy)}) expired at ${formatDate(c.expires)} and no longer waives ${codes}`,
        c.path,
        `renew it with a new "expires" at ${c.path} after review, or remove it and fix ${codes}`,
      ),
    );
  }
  for (const c of used) {
    const left = c.expires.getTime() - now.getTime();
    if (left <= EXPIRY_WARNING_DAYS * DAY_MS) {
      kept.push(
        finding(
          'EXCEPTION_EXPIRING',
          'warn',
          `the exception for ${id} (${quote(c.exception.reason)}) expires at ${formatDate(c.expires)}, in ${daysBetween(now, c.expires)} days`,
          c.path,
          `review it: renew "expires" at ${c.path}, or fix what it waives`,
        ),
      );
    }
  }
  return { findings: kept, waived };
}
