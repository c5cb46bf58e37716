// Who built a package: the identity a rule requires (IDENTITY_MISMATCH) and the identity vouch.lock
// pinned on first use (IDENTITY_CHANGED). Comparison is exact string equality, anchored by nature;
// only `ref` is a glob, and it is the policy's glob matched against the certificate's text.
import type { Lock, LockIdentity, LockPackage } from '../lock/types.js';
import type { PackageEvidence, ProvenanceIdentity } from '../verify/index.js';
import { identityDigest, identityOf } from './evidence.js';
import { approveHint, approveIdentityHint, finding, label, quote } from './findings.js';
import { formatPath, compareVersions } from '../files/index.js';
import { globMatches, type Settings } from './match.js';
import type { Finding } from './report.js';

/** The fields of an identity vouch pins in vouch.lock and compares on every run. */
export const IDENTITY_FIELDS = [
  'issuer',
  'repository',
  'repositoryId',
  'ownerId',
  'workflow',
  'san',
  'publisherKey',
] as const satisfies readonly (keyof LockIdentity)[];
/** The fields that come from the provenance certificate (the rest come from the publisher attestation). */
export const PROVENANCE_FIELDS = ['issuer', 'repository', 'repositoryId', 'ownerId', 'workflow', 'san'] as const satisfies readonly (keyof LockIdentity)[];

const EXACT_FIELDS = [
  'issuer',
  'san',
  'repository',
  'repositoryId',
  'owner',
  'ownerId',
  'workflow',
  'runnerEnvironment',
  'commit',
  'buildSignerUri',
  'buildConfigUri',
] as const satisfies readonly (keyof ProvenanceIdentity)[];

/**
 * An identity to require of a certificate: each field given must equal the certificate's exactly (no
 * pattern, no prefix), `ref` excepted, which is a glob over the whole ref. A policy rule's `identity` is one.
 */
export type IdentityRequirement = Partial<Pick<ProvenanceIdentity, (typeof EXACT_FIELDS)[number]>> & { ref?: string };

/** What the certificate identity contradicts in `required`, one phrase per field; empty when it matches. */
export function identityMismatches(required: IdentityRequirement, cert: ProvenanceIdentity): string[] {
  const wrong: string[] = [];
  for (const field of EXACT_FIELDS) {
    const want = required[field];
    if (want !== undefined && cert[field] !== want) wrong.push(`${field} ${quote(cert[field])}, expected ${quote(want)}`);
  }
  const ref = required.ref;
  if (ref !== undefined && (cert.ref === undefined || !globMatches(ref, cert.ref))) {
    wrong.push(`ref ${quote(cert.ref)}, expected a match for ${quote(ref)}`);
  }
  return wrong;
}

/** A rule's `identity` against the verified certificate. No provenance is PROVENANCE_MISSING's job. */
export function ruleIdentityFindings(e: PackageEvidence, settings: Settings): Finding[] {
  const required = settings.identity;
  const cert = e.attestations?.kind === 'verified' ? e.attestations.provenance?.identity : undefined;
  if (!required || !cert) return [];
  const wrong = identityMismatches(required.value, cert);
  if (wrong.length === 0) return [];
  const { name, version } = e.ref;
  return [finding('IDENTITY_MISMATCH', 'deny', `${label(name, version)} was built with ${wrong.join('; ')}`, required.rule, approveHint(name, version))];
}

/** The identity each package is held to: vouch.lock's pin, else the lowest verified version in this run. */
export interface Pin {
  identity: LockIdentity;
  /** 'vouch.lock', or the version of this run whose identity became the pin. */
  from: 'vouch.lock' | { version: string };
}

export function buildPins(evidence: readonly PackageEvidence[], lock: Lock): ReadonlyMap<string, Pin> {
  const pins = new Map<string, Pin>();
  for (const [name, pkg] of Object.entries(lock.packages)) {
    if (pkg.identity && Object.keys(pkg.identity).length > 0) pins.set(name, { identity: pkg.identity, from: 'vouch.lock' });
  }
  const ascending = [...evidence].sort((a, b) => compareVersions(a.ref.version, b.ref.version));
  for (const e of ascending) {
    if (pins.has(e.ref.name)) continue;
    const identity = identityOf(e);
    if (identity) pins.set(e.ref.name, { identity, from: { version: e.ref.version } });
  }
  return pins;
}

/**
 * IDENTITY_CHANGED when this version's verified identity differs from the pin. The evidence is compared
 * on every run, whatever vouch.lock records for the version: a version line is data anyone can compute
 * and copy, never a pass. The one other identity a version may have is the one its line says it was
 * accepted under when that is an approval's `from` or `to` (a version recorded before an approval moved
 * the pin). A publisher key the policy pins for this version is a rotation, not a change.
 */
export function identityChangedFindings(e: PackageEvidence, pins: ReadonlyMap<string, Pin>, lock: Lock, settings: Settings): Finding[] {
  const { name, version } = e.ref;
  const current = identityOf(e);
  const pin = pins.get(name);
  if (!current || !pin) return [];
  if (pin.from !== 'vouch.lock' && pin.from.version === version) return [];
  const rotated = new Set(settings.publisherKeys?.value.map((k) => k.keyid) ?? []);
  const changes = identityChanges(pin.identity, current, rotated);
  if (changes.length === 0) return [];
  const earlier = pin.from === 'vouch.lock' ? approvedEarlierIdentity(lock.packages[name], version) : undefined;
  if (earlier && identityChanges(earlier, current, rotated).length === 0) return [];
  const source = pin.from === 'vouch.lock' ? 'vouch.lock pins' : `${label(name, pin.from.version)} in this run has`;
  const diff = changes.map((f) => `${f} ${quote(pin.identity[f])} → ${quote(current[f])}`).join('; ');
  const rule = pin.from === 'vouch.lock' ? `vouch.lock:${formatPath(['packages', name, 'identity'])}` : undefined;
  return [
    finding(
      'IDENTITY_CHANGED',
      'deny',
      `${label(name, version)} comes from a different identity than ${source}: ${diff}`,
      rule,
      approveIdentityHint(name, version),
    ),
  ];
}

/** The approval identity (`from` or `to`) the version's line in vouch.lock says it was accepted under. */
function approvedEarlierIdentity(pkg: LockPackage | undefined, version: string): LockIdentity | undefined {
  const pointer = pkg?.versions[version]?.identity;
  if (!pkg || pointer === undefined) return undefined;
  return approvalIdentities(pkg).find((id) => identityDigest(id) === pointer);
}

/** Every identity the package's approvals name, oldest approval first, `from` before `to`. */
export function approvalIdentities(pkg: LockPackage): LockIdentity[] {
  return (pkg.approvals ?? []).flatMap((a) => [a.from, a.to].filter((id): id is LockIdentity => id !== undefined));
}

/** True when `extended` has every field of `base`, with the same value (it may have more). */
export function identityExtends(base: LockIdentity, extended: LockIdentity): boolean {
  return IDENTITY_FIELDS.every((f) => base[f] === undefined || base[f] === extended[f]);
}

/**
 * The pinned fields a new identity contradicts. Provenance fields are compared when both sides have
 * provenance; a field the pin has and the new identity lacks is a change; a field only the new one
 * has is not (vouch.lock adds it). The publisher key is compared when both sides have one.
 */
export function identityChanges(pin: LockIdentity, current: LockIdentity, rotatedKeys: ReadonlySet<string> = new Set()): (keyof LockIdentity)[] {
  const changes: (keyof LockIdentity)[] = [];
  const hasProvenance = (id: LockIdentity) => PROVENANCE_FIELDS.some((f) => id[f] !== undefined);
  if (hasProvenance(pin) && hasProvenance(current)) {
    for (const f of PROVENANCE_FIELDS) if (pin[f] !== undefined && pin[f] !== current[f]) changes.push(f);
  }
  const key = current.publisherKey;
  if (key !== undefined && pin.publisherKey !== undefined && key !== pin.publisherKey && !rotatedKeys.has(key)) changes.push('publisherKey');
  return changes;
}

/** The pin with the fields `current` adds, when `current` contradicts nothing; never overwrites. */
export function extendIdentity(pin: LockIdentity | undefined, current: LockIdentity): LockIdentity {
  if (!pin) return current;
  const out: LockIdentity = { ...pin };
  const provenanceAgrees = !PROVENANCE_FIELDS.some((f) => pin[f] !== undefined && current.issuer !== undefined && pin[f] !== current[f]);
  for (const f of IDENTITY_FIELDS) {
    if (out[f] !== undefined || current[f] === undefined) continue;
    if (f === 'publisherKey' || provenanceAgrees) out[f] = current[f];
  }
  return out;
}
