// Building findings: every message names the package, every finding the rule that fired and, where a
// command fixes it, the command. Untrusted text (identities, URLs from packuments) is truncated.
import { truncate } from '../errors/index.js';
import type { Finding, FindingCode } from './report.js';

export type Severity = Finding['severity'];

export function finding(code: FindingCode, severity: Severity, message: string, rule?: string, hint?: string): Finding {
  return { code, severity, message, ...(rule !== undefined ? { rule } : {}), ...(hint !== undefined ? { hint } : {}) };
}

/** A severity from a require/warn/off mode: null means no finding. */
export function severityOf(mode: 'require' | 'warn' | 'off' | 'no-downgrade'): Severity | null {
  if (mode === 'off') return null;
  return mode === 'warn' ? 'warn' : 'deny';
}

/** `name@version` (or the name alone), as messages and commands spell it. */
export const label = (name: string, version?: string | null): string => (version ? `${name}@${version}` : name);

/** Quotes a value that came from a certificate, packument or registry: bounded, one line. */
export const quote = (value: string | undefined): string => (value === undefined ? '(absent)' : JSON.stringify(truncate(value, 160)));

/** The command that records a policy exception for this finding. */
export const approveHint = (name: string, version?: string | null): string =>
  `if this is expected, record an exception: vouch approve ${label(name, version)} --reason "…"`;

/** The command that re-pins a package's identity in vouch.lock (naming the version that brought the change). */
export const approveIdentityHint = (name: string, version: string): string =>
  `if the move is legitimate, accept the new identity: vouch approve ${label(name, version)} --reason "…"`;

/**
 * Rule ids of the checks no policy can turn off: tampering and "could not verify" always deny. They
 * name the invariant (docs/policy.md) so every denial says which rule fired.
 */
export const INVARIANT = {
  integrity: 'invariant:integrity',
  signature: 'invariant:signature',
  attestation: 'invariant:attestation',
  failClosed: 'invariant:fail-closed',
  installPlan: 'invariant:install-plan',
  registryKeys: 'invariant:registry-keys',
} as const;

export function formatDate(d: Date): string {
  return d.toISOString();
}

/** Days between two times, one decimal: what messages show. */
export function daysBetween(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / 86_400_000) * 10) / 10;
}

/** A policy date ("2027-03-01" = that day 00:00 UTC, or a full RFC 3339 time) as a Date. */
export function policyDate(text: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}
