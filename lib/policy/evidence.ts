// What the policy reads off one package's evidence: its status word, its verified identity, its
// attestation level, its signed time, and the digest of the evidence a decision relied on.
import { createHash } from 'node:crypto';
import { canonicalJson, compareStrings } from '../files/index.js';
import type { Attested, LockIdentity } from '../lock/types.js';
import { checkResolved, type EvidenceStatus, type PackageEvidence, type ResolvedResult } from '../verify/index.js';

// Codes that mean the bytes or a signature over them are wrong, rather than absent.
const INVALID_CODES = new Set([
  'INTEGRITY_MISMATCH',
  'TARBALL_MISMATCH',
  'INTEGRITY_AMBIGUOUS',
  'INTEGRITY_MALFORMED',
  'SIGNATURE_INVALID',
  'KEY_UNKNOWN',
  'KEY_EXPIRED',
  'SIGNATURES_TOO_MANY',
  'ATTESTATION_INVALID',
  'ATTESTATION_SUBJECT',
  'ATTESTATION_STATEMENT',
  'ATTESTATION_KEY_UNKNOWN',
  'ATTESTATION_KEY_EXPIRED',
  'ATTESTATION_TOO_LARGE',
  'SIGNATURE_NOT_LOGGED',
  'ATTESTATION_NOT_LOGGED',
]);

/** The report's status word: unverifiable > invalid > missing > unsigned-registry > verified. */
export function statusOf(e: PackageEvidence): EvidenceStatus {
  if (e.unverifiable || !e.integrity || !e.signature || !e.attestations) return 'unverifiable';
  const failed = [e.integrity, e.signature, e.attestations].flatMap((r) => (r.kind === 'failed' ? [r.code] : []));
  if (failed.some((c) => INVALID_CODES.has(c)) || resolvedOf(e).kind === 'mismatch') return 'invalid';
  if (failed.length > 0) return 'missing';
  if (e.signature.kind === 'no-keys') return 'unsigned-registry';
  return 'verified';
}

/**
 * The evidence stage's judgement of the lockfile `resolved`; for evidence built without one (tests, other
 * producers), the same check with the signing registry as npm's registry and npm's default rewriting.
 */
export function resolvedOf(e: PackageEvidence): ResolvedResult {
  return e.resolved ?? checkResolved({ resolved: e.ref.resolved, registry: e.ref.registry, tarball: e.tarball, npm: { registry: e.ref.registry } });
}

/**
 * The identity vouch.lock pins, from verified attestations only (never the predicate, never the
 * packument). The SAN is kept only when no repository is named: for CI builds it carries the ref,
 * which changes every release.
 */
export function identityOf(e: PackageEvidence): LockIdentity | null {
  if (e.attestations?.kind !== 'verified') return null;
  const id: LockIdentity = {};
  const p = e.attestations.provenance?.identity;
  if (p) {
    id.issuer = p.issuer;
    if (p.repository !== undefined) id.repository = p.repository;
    if (p.repositoryId !== undefined) id.repositoryId = p.repositoryId;
    if (p.ownerId !== undefined) id.ownerId = p.ownerId;
    if (p.workflow !== undefined) id.workflow = p.workflow;
    if (p.repository === undefined) id.san = p.san;
  }
  const publisher = e.attestations.publisher;
  if (publisher) id.publisherKey = publisher.keyid;
  return Object.keys(id).length > 0 ? id : null;
}

/** Provenance outranks a publisher signature; nothing verified is no level. */
export function attestedOf(e: PackageEvidence): Attested | undefined {
  if (e.attestations?.kind !== 'verified') return undefined;
  if (e.attestations.provenance) return 'provenance';
  if (e.attestations.publisher) return 'publisher';
  return undefined;
}

export interface TimeSource {
  time: Date;
  /** Said in messages: which clock the decision used. */
  source: string;
}

/**
 * When the version was released, by the transparency log where there is one (signed, so a mirror
 * cannot age a release), else by the packument `time` (unsigned). Of several log times the latest
 * counts: the strictest reading of "released".
 */
export function releaseTimeOf(e: PackageEvidence): TimeSource | null {
  const logged: TimeSource[] = [];
  if (e.attestations?.kind === 'verified') {
    const { provenance, publish, publisher } = e.attestations;
    if (provenance?.integratedTime) logged.push({ time: provenance.integratedTime, source: 'transparency-log time of the provenance attestation' });
    // A registry's own log dates its signing (or re-signing after a key rotation), not the release.
    if (publish?.integratedTime && !publish.logged?.byRegistry)
      logged.push({ time: publish.integratedTime, source: 'transparency-log time of the publish attestation' });
    if (publisher?.integratedTime) logged.push({ time: publisher.integratedTime, source: 'transparency-log time of the publisher attestation' });
  }
  if (logged.length > 0) return logged.reduce((a, b) => (b.time.getTime() > a.time.getTime() ? b : a));
  if (e.publishedAt) return { time: e.publishedAt, source: 'packument time (unsigned; no transparency-log entry)' };
  return null;
}

/** When the publisher attestation was signed: its log time, else the packument time. */
export function publisherSignedTimeOf(e: PackageEvidence): TimeSource | null {
  const publisher = e.attestations?.kind === 'verified' ? e.attestations.publisher : undefined;
  if (publisher?.integratedTime) return { time: publisher.integratedTime, source: 'transparency-log time of the publisher attestation' };
  if (e.publishedAt) return { time: e.publishedAt, source: 'packument time (unsigned)' };
  return null;
}

/**
 * `sha256:` + hex of the canonical JSON (keys sorted, no whitespace) of what a decision relied on:
 * { digestVersion: 1, name, version, integrity, registryKeys: sorted key ids,
 *   attestations: [{ predicateType, bundleDigest, keyid? }] sorted by predicateType }.
 * Identities and log times are left out because they are read from the bundles the digests cover.
 */
export function evidenceDigest(e: PackageEvidence): string {
  const attestations: { predicateType: string; bundleDigest: string; keyid?: string }[] = [];
  if (e.attestations?.kind === 'verified') {
    const { provenance, publish, publisher } = e.attestations;
    if (provenance) attestations.push({ predicateType: provenance.predicateType, bundleDigest: provenance.bundleDigest });
    for (const keyed of [publish, publisher]) {
      if (keyed) attestations.push({ predicateType: keyed.predicateType, bundleDigest: keyed.bundleDigest, keyid: keyed.keyid });
    }
  }
  attestations.sort((a, b) => compareStrings(a.predicateType, b.predicateType));
  const doc = {
    digestVersion: 1,
    name: e.ref.name,
    version: e.ref.version,
    integrity: e.integrity?.kind === 'ok' ? e.integrity.integrity : null,
    registryKeys: e.signature?.kind === 'verified' ? [...e.signature.keyids].sort(compareStrings) : [],
    attestations,
  };
  return `sha256:${createHash('sha256').update(canonicalJson(doc)).digest('hex')}`;
}

/**
 * What a version line in vouch.lock points at: `sha256:` + hex over the canonical JSON of the pinned
 * identity the version was accepted under (the package's pin, or an approval's `from` / `to`). A pointer,
 * never a proof: the version's own evidence is compared with that identity on every run.
 */
export function identityDigest(identity: LockIdentity): string {
  return `sha256:${createHash('sha256').update(canonicalJson(identity)).digest('hex')}`;
}
