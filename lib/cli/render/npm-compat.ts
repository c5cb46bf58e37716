// The `invalid` and `missing` arrays of `npm audit signatures --json`, built from a vouch report, so
// tools that already parse npm's output keep working. npm lists one entry per lockfile location (it
// dedups by node, not by name@version), and so do we. Mapping documented in docs/report-json.md.
import type { FindingCode, PackageVerdict, Report } from '../../policy/index.js';
import { sortVerdicts } from './tally.js';

/** npm's error code for each evidence failure vouch can report (pacote / ssri codes). */
export const NPM_CODES: Partial<Record<FindingCode, string>> = {
  INTEGRITY_MISSING: 'EINTEGRITY',
  INTEGRITY_SHA1_ONLY: 'EINTEGRITY',
  INTEGRITY_MISMATCH: 'EINTEGRITY',
  TARBALL_MISMATCH: 'EINTEGRITY',
  INTEGRITY_AMBIGUOUS: 'EINTEGRITY',
  INTEGRITY_MALFORMED: 'EINTEGRITY',
  SIGNATURE_INVALID: 'EINTEGRITYSIGNATURE',
  KEY_UNKNOWN: 'EMISSINGSIGNATUREKEY',
  KEY_EXPIRED: 'EEXPIREDSIGNATUREKEY',
  ATTESTATION_MISSING: 'EATTESTATIONVERIFY',
  ATTESTATION_INVALID: 'EATTESTATIONVERIFY',
  ATTESTATION_STATEMENT: 'EATTESTATIONVERIFY',
  ATTESTATION_TOO_LARGE: 'EATTESTATIONVERIFY',
  ATTESTATION_SUBJECT: 'EATTESTATIONSUBJECT',
  ATTESTATION_KEY_UNKNOWN: 'EMISSINGSIGNATUREKEY',
  ATTESTATION_KEY_EXPIRED: 'EEXPIREDSIGNATUREKEY',
  SIGNATURE_NOT_LOGGED: 'EINTEGRITYSIGNATURE',
  ATTESTATION_NOT_LOGGED: 'EATTESTATIONVERIFY',
};

/** npm's dependency type field, derived from the lockfile flags. */
export type NpmDependencyType = 'dependencies' | 'devDependencies' | 'optionalDependencies';

export interface NpmMissingEntry {
  name: string;
  version: string;
  location: string;
  registry: string;
  resolved: string | null;
  integrity: string | null;
}

export interface NpmInvalidEntry extends NpmMissingEntry {
  /** npm's code (EINTEGRITYSIGNATURE, …), or vouch's own code when npm has none for the failure. */
  code: string;
  /** The vouch finding code the entry was mapped from. */
  vouchCode: FindingCode;
  message: string;
  /** The key involved; "" when keyless (npm writes "" for keyless provenance too). */
  keyid: string;
  type: NpmDependencyType;
  predicateType?: string;
}

interface Failure {
  code: FindingCode;
  message: string;
  keyid?: string;
  predicateType?: string;
}

/** npm-shaped entries for packages whose evidence is `missing` or `invalid`; policy denials are not included. */
export function npmAuditEntries(report: Report): { invalid: NpmInvalidEntry[]; missing: NpmMissingEntry[] } {
  const invalid: NpmInvalidEntry[] = [];
  const missing: NpmMissingEntry[] = [];
  for (const v of sortVerdicts(report.verdicts)) {
    if (v.kind !== 'package' || (v.status !== 'missing' && v.status !== 'invalid')) continue;
    // npm's `missing` means exactly "no registry signature although the registry serves keys"; any other
    // absent evidence (an advertised attestation the registry does not serve, a sha1-only lockfile entry)
    // is a failure npm would raise, so it goes to `invalid` with that code.
    const signatureMissing = v.evidence.signature?.kind === 'failed' && v.evidence.signature.code === 'SIGNATURE_MISSING';
    for (const location of v.ref.locations) {
      const base = baseEntry(v, location);
      if (v.status === 'missing' && signatureMissing) {
        missing.push(base);
        continue;
      }
      const failure = firstFailure(v);
      invalid.push({
        ...base,
        code: NPM_CODES[failure.code] ?? failure.code,
        vouchCode: failure.code,
        message: `${v.ref.name}@${v.ref.version}: ${failure.message}`,
        keyid: failure.keyid ?? '',
        type: v.ref.dev ? 'devDependencies' : v.ref.optional ? 'optionalDependencies' : 'dependencies',
        ...(failure.predicateType ? { predicateType: failure.predicateType } : {}),
      });
    }
  }
  return { invalid, missing };
}

function baseEntry(v: PackageVerdict, location: string): NpmMissingEntry {
  return {
    name: v.ref.name,
    version: v.ref.version,
    location,
    registry: v.ref.registry,
    resolved: v.ref.resolved,
    // npm reports the registry's integrity (pacote's _integrity); fall back to the lockfile's.
    integrity: v.evidence.registryIntegrity ?? v.ref.integrity,
  };
}

// The failure npm would have hit first: integrity, then the signature, then attestations.
function firstFailure(v: PackageVerdict): Failure {
  const { integrity, signature, attestations } = v.evidence;
  if (integrity?.kind === 'failed') return { code: integrity.code, message: integrity.message };
  if (signature?.kind === 'failed') {
    return { code: signature.code, message: signature.message, ...(signature.keyid ? { keyid: signature.keyid } : {}) };
  }
  if (attestations?.kind === 'failed') {
    return {
      code: attestations.code,
      message: attestations.message,
      ...(attestations.predicateType ? { predicateType: attestations.predicateType } : {}),
    };
  }
  // Status says invalid but the evidence names no failure: report the policy's first evidence finding.
  const finding = v.findings.find((f) => NPM_CODES[f.code]) ?? v.findings[0];
  return finding ? { code: finding.code, message: finding.message } : { code: 'VERIFIER_ERROR', message: 'invalid evidence without a recorded failure' };
}
