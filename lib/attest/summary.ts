// The verification summary `vouch verify --attest` signs: an in-toto Statement v1 with the SLSA
// Verification Summary (VSA v1) predicate. Pure: the report, the digests and the time come in as data.
// It states only what the run established: SLSA build levels are counted per dependency from verified
// provenance (dependencyLevels), never claimed for the lockfile itself, which nobody built.
import { createHash } from 'node:crypto';
import { withoutCredentials } from '../config/index.js';
import type { Decision, PackageVerdict, Report } from '../policy/index.js';
import { IN_TOTO_STATEMENT_V1, packagePurl } from '../sign/index.js';
import type { InTotoStatement } from '../sign/dsse.js';
import type { KeyedAttestationEvidence, ProvenanceEvidence } from '../verify/index.js';
import { compareStrings } from '../files/index.js';

export const PREDICATE_VSA_V1 = 'https://slsa.dev/verification_summary/v1';
export const VOUCH_VERIFIER_ID = 'https://vouch.dev/verifier';
/** The predicate key of vouch's own details (VSA consumers ignore keys they do not know). */
export const VOUCH_SUMMARY_DETAILS = 'https://vouch.dev/verification_summary/details/v0.1';
/** The policy a project without vouch.policy.json is judged by: vouch's built-in one, fixed by its version. */
export const BUILT_IN_POLICY_URI = 'https://vouch.dev/policy/built-in';
export const POLICY_URI = 'vouch.policy.json';
export const LOCK_URI = 'vouch.lock';

/** Input attestations listed by digest; the rest are counted and committed to by `attestations.digest`. */
export const LISTED_ATTESTATIONS_MAX = 100;

/** What vouch itself verified of every registry package in the tree (absent from a FAILED summary). */
export const VOUCH_LEVELS = {
  integrity: 'VOUCH_INTEGRITY_VERIFIED', // lockfile integrity = the registry-signed dist.integrity
  tarballs: 'VOUCH_TARBALLS_VERIFIED', // and the registry's tarball hashes to it (--tarballs)
  signatures: 'VOUCH_SIGNATURES_VERIFIED', // a registry signature verified with a trusted key
  provenance: 'VOUCH_PROVENANCE_VERIFIED', // Sigstore provenance verified, identity from the certificate
} as const;

export type VerificationResult = 'PASSED' | 'FAILED';

export interface SubjectDigest {
  /** `package-lock.json` (the lockfile's name), or `node_modules` for the tree digest. */
  name: string;
  digest: Record<string, string>;
}

/** A file the verdict stood on (policy, vouch.lock): its name and sha256, or null when it is absent. */
export type FileDigest = { uri: string; sha256: string } | null;

export interface SummaryInput {
  report: Report;
  decision: Decision;
  subjects: SubjectDigest[];
  policy: FileDigest;
  lock: FileDigest;
  /** What was read: the lockfile, the lockfile and the registry's tarballs, or node_modules. */
  mode: 'lockfile' | 'tarballs' | 'installed';
  resourceUri: string;
  vouchVersion: string;
  now: Date;
}

export interface SummaryDetails {
  decision: Decision;
  mode: SummaryInput['mode'];
  lock: { uri: string; digest: { sha256: string } } | null;
  packages: Report['summary'];
  attestations: { count: number; listed: number; digest: { sha256: string } };
  registries: { url: string; keys: string; keyids: string[] }[];
}

export function buildSummaryStatement(input: SummaryInput): InTotoStatement {
  const passed = input.decision !== 'deny';
  const attestations = inputAttestations(input.report);
  const details: SummaryDetails = {
    decision: input.decision,
    mode: input.mode,
    lock: input.lock ? { uri: input.lock.uri, digest: { sha256: input.lock.sha256 } } : null,
    packages: input.report.summary,
    attestations: { count: attestations.length, listed: Math.min(attestations.length, LISTED_ATTESTATIONS_MAX), digest: { sha256: listDigest(attestations) } },
    registries: input.report.registries.map((r) => ({ url: withoutCredentials(r.url), keys: r.keys, keyids: [...r.keyids].sort() })),
  };
  const predicate = {
    verifier: { id: VOUCH_VERIFIER_ID, version: { vouch: input.vouchVersion } },
    timeVerified: input.now.toISOString(),
    resourceUri: input.resourceUri,
    policy: input.policy ? { uri: input.policy.uri, digest: { sha256: input.policy.sha256 } } : { uri: `${BUILT_IN_POLICY_URI}@${input.vouchVersion}` },
    inputAttestations: attestations.slice(0, LISTED_ATTESTATIONS_MAX),
    verificationResult: (passed ? 'PASSED' : 'FAILED') satisfies VerificationResult,
    verifiedLevels: passed ? verifiedLevels(input.report) : [],
    dependencyLevels: dependencyLevels(input.report),
    slsaVersion: '1.0',
    [VOUCH_SUMMARY_DETAILS]: details,
  };
  return { _type: IN_TOTO_STATEMENT_V1, subject: input.subjects, predicateType: PREDICATE_VSA_V1, predicate };
}

/** Every labelled property holds for every package, and the tree holds no git, file or remote source. */
export function verifiedLevels(report: Report): string[] {
  const packages = registryPackages(report);
  if (packages.length === 0 || packages.length !== report.verdicts.length) return [];
  const all = (holds: (v: PackageVerdict) => boolean) => packages.every(holds);
  const levels: string[] = [];
  if (all((v) => v.evidence.integrity?.kind === 'ok')) levels.push(VOUCH_LEVELS.integrity);
  if (all((v) => v.evidence.integrity?.kind === 'ok' && v.evidence.integrity.tarballChecked)) levels.push(VOUCH_LEVELS.tarballs);
  if (all((v) => v.evidence.signature?.kind === 'verified')) levels.push(VOUCH_LEVELS.signatures);
  if (all((v) => provenanceOf(v) !== undefined)) levels.push(VOUCH_LEVELS.provenance);
  return levels;
}

/**
 * Packages per SLSA build level, from verified provenance only: level 2 where the certificate says a hosted
 * runner built it (a hosted build platform signed the provenance), level 1 for other verified provenance,
 * level 0 without. Level 3 needs build isolation no certificate field proves: never claimed.
 */
export function dependencyLevels(report: Report): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const verdict of report.verdicts) {
    const provenance = verdict.kind === 'package' ? provenanceOf(verdict) : undefined;
    const hosted = provenance && HOSTED_RUNNERS.has(provenance.identity.runnerEnvironment ?? '');
    const level = `SLSA_BUILD_LEVEL_${hosted ? 2 : provenance ? 1 : 0}`;
    counts[level] = (counts[level] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => compareStrings(a, b)));
}

const HOSTED_RUNNERS = new Set(['github-hosted', 'gitlab-hosted']);

/** Each verified attestation bundle as a resource descriptor (purl, bundle sha256), sorted. */
function inputAttestations(report: Report): { name: string; digest: { sha256: string } }[] {
  const listed = registryPackages(report).flatMap((v) => {
    const a = v.evidence.attestations;
    if (a?.kind !== 'verified') return [];
    const bundles: (ProvenanceEvidence | KeyedAttestationEvidence | undefined)[] = [a.provenance, a.publish, a.publisher];
    return bundles.flatMap((b) => (b ? [{ name: packagePurl(v.ref.name, v.ref.version), digest: { sha256: b.bundleDigest.replace(/^sha256:/, '') } }] : []));
  });
  return listed.sort((a, b) => (a.name === b.name ? (a.digest.sha256 < b.digest.sha256 ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** sha256 over `name\0sha256\n` lines of the whole (sorted) list: the summary commits to all of it. */
function listDigest(list: readonly { name: string; digest: { sha256: string } }[]): string {
  const hash = createHash('sha256');
  for (const item of list) hash.update(`${item.name}\0${item.digest.sha256}\n`);
  return hash.digest('hex');
}

function registryPackages(report: Report): PackageVerdict[] {
  return report.verdicts.filter((v): v is PackageVerdict => v.kind === 'package');
}

function provenanceOf(v: PackageVerdict): ProvenanceEvidence | undefined {
  return v.evidence.attestations?.kind === 'verified' ? v.evidence.attestations.provenance : undefined;
}
