// The order and the counts every renderer shares, so text, JSON and SARIF never disagree.
// Order is by code point, not locale: the same report renders the same bytes on every machine.
import semver from 'semver';
import type { Finding, PackageVerdict, Report, Verdict } from '../../policy/index.js';
import type { EvidenceStatus } from '../../verify/index.js';
import { compareStrings as byCodePoint } from '../../files/index.js';

function compareVersions(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb);
  return byCodePoint(a, b);
}

const versionOf = (v: Verdict): string => (v.kind === 'package' ? v.ref.version : '');
const tieBreakOf = (v: Verdict): string => (v.kind === 'package' ? v.ref.registry : `${v.ref.kind}:${v.ref.spec}`);

/** Verdicts by name, then version (semver order), then registry or source spec; packages before sources. */
export function sortVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts].sort(
    (a, b) =>
      byCodePoint(a.ref.name, b.ref.name) ||
      compareVersions(versionOf(a), versionOf(b)) ||
      byCodePoint(a.kind, b.kind) ||
      byCodePoint(tieBreakOf(a), tieBreakOf(b)),
  );
}

/** Findings with denials first, then by code, then by message. */
export function sortFindings<F extends Finding>(findings: readonly F[]): F[] {
  return [...findings].sort(
    (a, b) =>
      byCodePoint(a.severity === 'deny' ? '0' : '1', b.severity === 'deny' ? '0' : '1') || byCodePoint(a.code, b.code) || byCodePoint(a.message, b.message),
  );
}

export const sortStrings = (items: readonly string[]): string[] => [...items].sort(byCodePoint);

/** `name@version` for packages, `name (git …)` for sources: how a verdict is named to people. */
export function verdictLabel(v: Verdict): string {
  return v.kind === 'package' ? `${v.ref.name}@${v.ref.version}` : `${v.ref.name} (${v.ref.kind})`;
}

export interface Tally {
  packages: number;
  sources: number;
  byStatus: Record<EvidenceStatus, number>;
  /** Packages whose registry signature verified. */
  registrySignatures: number;
  /** Packages with verified Sigstore provenance (an identity from the Fulcio certificate). */
  provenance: number;
  /** Distinct source repositories (or SANs, when no repository extension) among verified provenance. */
  provenanceIdentities: number;
  /** Packages with a verified registry publish attestation. */
  publishAttestations: number;
  /** Packages with a verified maintainer (publisher key) attestation. */
  publisherSigned: number;
}

/** Counts what the evidence of a report shows, independent of the policy's decisions. */
export function tallyReport(report: Report): Tally {
  const byStatus: Record<EvidenceStatus, number> = {
    verified: 0,
    missing: 0,
    invalid: 0,
    'unsigned-registry': 0,
    unverifiable: 0,
  };
  const identities = new Set<string>();
  const tally: Tally = {
    packages: 0,
    sources: 0,
    byStatus,
    registrySignatures: 0,
    provenance: 0,
    provenanceIdentities: 0,
    publishAttestations: 0,
    publisherSigned: 0,
  };
  for (const v of report.verdicts) {
    byStatus[v.status] += 1;
    if (v.kind === 'source') {
      tally.sources += 1;
      continue;
    }
    tally.packages += 1;
    countEvidence(v, tally, identities);
  }
  tally.provenanceIdentities = identities.size;
  return tally;
}

function countEvidence(v: PackageVerdict, tally: Tally, identities: Set<string>): void {
  const { signature, attestations } = v.evidence;
  if (signature?.kind === 'verified') tally.registrySignatures += 1;
  if (attestations?.kind !== 'verified') return;
  if (attestations.provenance) {
    tally.provenance += 1;
    const id = attestations.provenance.identity;
    identities.add(id.repository ?? id.san);
  }
  if (attestations.publish) tally.publishAttestations += 1;
  if (attestations.publisher) tally.publisherSigned += 1;
}
