// Findings straight from the verify stage's results: integrity, registry signature, attestations.
// Tampering always denies; a missing signature follows the `signatures` setting; an unsigned registry
// follows `registries[url].keys` and `defaults.unsignedRegistry`.
import type { PackageEvidence } from '../verify/index.js';
import { resolvedOf } from './evidence.js';
import { finding, INVARIANT, label, quote, severityOf } from './findings.js';
import type { Settings } from './match.js';
import type { Policy } from './policy.js';
import type { Finding } from './report.js';

/** Findings for evidence that could not be gathered: nothing else can be judged. */
export function unverifiableFindings(e: PackageEvidence): Finding[] {
  const id = label(e.ref.name, e.ref.version);
  if (e.unverifiable) {
    const hint =
      e.unverifiable.code === 'VERIFICATION_BUDGET_EXCEEDED'
        ? 'a registry serves far more signatures or attestation bundles than any registry needs; find it in the report before trusting it'
        : 'retry when the registry is reachable; vouch never installs what it could not verify';
    return [finding(e.unverifiable.code, 'deny', `${id} could not be verified: ${e.unverifiable.message}`, INVARIANT.failClosed, hint)];
  }
  const absent = (['integrity', 'signature', 'attestations'] as const).filter((k) => e[k] === undefined);
  if (absent.length > 0) {
    return [finding('VERIFIER_ERROR', 'deny', `${id} has no ${absent.join(', ')} result: not verified (an internal error of vouch)`, INVARIANT.failClosed)];
  }
  return [];
}

export function integrityFindings(e: PackageEvidence): Finding[] {
  const r = e.integrity;
  if (r?.kind !== 'failed') return [];
  const detail = r.expected !== undefined && r.actual !== undefined ? ` (expected ${r.expected}, got ${r.actual})` : '';
  return [finding(r.code, 'deny', `${label(e.ref.name, e.ref.version)}: ${r.message}${detail}`, INVARIANT.integrity)];
}

export function signatureFindings(e: PackageEvidence, settings: Settings, policy: Policy): Finding[] {
  const r = e.signature;
  const id = label(e.ref.name, e.ref.version);
  const { value: mode, rule } = settings.signatures;
  if (r?.kind === 'no-keys') return unsignedRegistry(e, mode, rule, policy);
  if (r?.kind !== 'failed') return [];
  // An invalid signature, or one by a key that had expired when the version was published, is forgery
  // evidence whatever the setting: "off" means "a missing signature is fine", not "ignore a bad one".
  // So is a flood of signatures no registry serves (refused unverified, to bound the work).
  if (r.code === 'SIGNATURE_INVALID' || r.code === 'KEY_EXPIRED' || r.code === 'SIGNATURES_TOO_MANY' || r.code === 'SIGNATURE_NOT_LOGGED') {
    return [finding(r.code, 'deny', `${id}: ${r.message}`, INVARIANT.signature)];
  }
  const severity = severityOf(mode);
  return severity
    ? [
        finding(
          r.code,
          severity,
          `${id}: ${r.message}`,
          rule,
          r.code === 'SIGNATURE_MISSING'
            ? 'check that the package comes from the registry that signs it; mirrors and proxies sometimes strip dist.signatures'
            : undefined,
        ),
      ]
    : [];
}

function unsignedRegistry(e: PackageEvidence, mode: Settings['signatures']['value'], rule: string, policy: Policy): Finding[] {
  const registry = e.ref.registry;
  const marked = policy.registries.get(registry);
  if (mode === 'off' || marked?.keys === 'none') return [];
  const id = label(e.ref.name, e.ref.version);
  const message = `${id} comes from ${registry}, which publishes no signing keys: nothing proves the registry served these bytes`;
  if (mode === 'warn') return [finding('UNSIGNED_REGISTRY', 'warn', message, rule)];
  // The fix is one decision for the whole registry: its summary (unsigned-registries.ts) names the policy line.
  return [
    finding(
      'UNSIGNED_REGISTRY',
      policy.defaults.unsignedRegistry,
      message,
      `${policy.defaultsPath}.unsignedRegistry`,
      `decide for the registry as a whole: see ${registry} under Registries`,
    ),
  ];
}

/**
 * Where the lockfile says to download the bytes, as npm would fetch it (arborist and pacote rewrite it
 * under replace-registry-host; lib/verify/resolved.ts). On the signing registry's host (or its tarball
 * host) it must be that version's dist.tarball, else RESOLVED_MISMATCH denies: nothing else there is
 * what the registry signed for this name@version. On another host it is reported (RESOLVED_FOREIGN_HOST,
 * a warning): the classic lockfile injection, but the bytes are still bound by the lockfile integrity,
 * which must be the signed one whatever host serves them, and vouch's own install fetches from the
 * registry (lib/registry/tarballs.ts), never that host; plain `npm ci` would contact it.
 */
export function resolvedFindings(e: PackageEvidence): Finding[] {
  const r = resolvedOf(e);
  const id = label(e.ref.name, e.ref.version);
  if (r.kind === 'mismatch') {
    const message = `${id}: package-lock.json resolves it at ${quote(e.ref.resolved ?? '')}, which npm fetches as ${quote(r.url)}: that ${r.message}`;
    return [
      finding(
        'RESOLVED_MISMATCH',
        'deny',
        message,
        INVARIANT.integrity,
        "restore package-lock.json from a trusted revision, or reinstall so `resolved` is the registry's tarball",
      ),
    ];
  }
  if (r.kind !== 'foreign-host') return [];
  const message = `${id}: package-lock.json resolves it at ${quote(e.ref.resolved ?? '')}, not at its registry ${e.ref.registry}; vouch fetched the signed bytes from the registry`;
  return [
    finding(
      'RESOLVED_FOREIGN_HOST',
      'warn',
      message,
      undefined,
      'restore package-lock.json from a trusted revision, or reinstall so `resolved` points at the registry',
    ),
  ];
}

export function attestationFindings(e: PackageEvidence): Finding[] {
  const r = e.attestations;
  if (r?.kind !== 'failed') return [];
  const what = r.predicateType ? ` (${r.predicateType})` : '';
  return [finding(r.code, 'deny', `${label(e.ref.name, e.ref.version)}: ${r.message}${what}`, INVARIANT.attestation)];
}
