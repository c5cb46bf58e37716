// The three kinds of attestation and how each is trusted, once its statement and subject are checked:
//   provenance  — Fulcio certificate, verified against the trust roots; identity from the certificate;
//   publish     — npm's registry attestation, signed by a registry key (keyid = key hint);
//   publisher   — vouch's maintainer attestation, signed by the key its own statement carries, so the
//                 keyid is self-certifying (keyIdOf(key) = DSSE keyid = hint) and the policy pins it.
import type { Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
import { truncate } from '../errors/index.js';
import { keyIdOf } from '../keys/index.js';
import type { AttestationVerifier, BundleKey, BundleVerification } from './attestation-verifier.js';
import { npmPurl, type Statement } from './bundle-checks.js';
import { isRecord } from './checkpoint-guard.js';
import { verifySignedBundle, type OpenBundle } from './sigstore-bundle.js';
import {
  PREDICATE_PUBLISH_NPM,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V02,
  PREDICATE_SLSA_V1,
  PUBLISHER_KEY_BYPRODUCT,
  type AttestationCode,
  type KeyedAttestationEvidence,
  type LoggedEntry,
  type ProvenanceEvidence,
  type RegistryKey,
} from './types.js';

export type VerifiedRole = { role: 'provenance'; evidence: ProvenanceEvidence } | { role: 'publish' | 'publisher'; evidence: KeyedAttestationEvidence };
/** What one bundle turned out to be; `ignored` for predicate types vouch does not judge. */
export type EntryOutcome = VerifiedRole | { role: 'ignored' } | { role: 'failed'; code: AttestationCode; message: string };

const PROVENANCE_TYPES: ReadonlySet<string> = new Set([PREDICATE_SLSA_V1, PREDICATE_SLSA_V02]);

/** A Fulcio-certificate bundle: SLSA provenance, verified against the trust roots. */
export function checkKeylessBundle(opened: OpenBundle, statement: Statement, verifier: AttestationVerifier): EntryOutcome {
  const { bundle, digest } = opened;
  const keyid = dsseKeyId(bundle);
  // pacote's EMISSINGSIGNATUREKEY case: the keyid sits outside the signed PAE, so it is attacker-chosen;
  // a certificate signature that claims a key we do not hold is refused, not ignored.
  if (keyid) return failed('ATTESTATION_KEY_UNKNOWN', `certificate-signed attestation names key ${truncate(keyid, 60)}`);
  const type = statement.predicateType;
  if (type === PREDICATE_PUBLISH_NPM || type === PREDICATE_PUBLISHER) {
    return failed('ATTESTATION_STATEMENT', `a ${type} attestation must be signed by a key, not a certificate`);
  }
  if (!PROVENANCE_TYPES.has(type)) return { role: 'ignored' };
  const result = verifySignedBundle(opened, { kind: 'certificate' }, verifier);
  if (!result.ok) return notVerified(result);
  if (!result.identity || !result.trustRoot) return failed('ATTESTATION_INVALID', 'verified bundle yielded no identity');
  return {
    role: 'provenance',
    evidence: {
      predicateType: type,
      identity: result.identity,
      integratedTime: toDate(result.integratedTime),
      bundleDigest: digest,
      trustRoot: result.trustRoot,
    },
  };
}

/** A public-key bundle: npm's publish attestation, or a publisher attestation carrying its key. */
export function checkKeyedBundle(
  opened: OpenBundle,
  statement: Statement,
  { keys, verifier, now }: { keys: readonly RegistryKey[]; verifier: AttestationVerifier; now: Date },
): EntryOutcome {
  const { bundle } = opened;
  const hint = bundle.verificationMaterial.content.$case === 'publicKey' ? bundle.verificationMaterial.content.publicKey.hint : '';
  const keyid = dsseKeyId(bundle);
  if (!hint || keyid !== hint)
    return failed('ATTESTATION_INVALID', `DSSE keyid ${truncate(keyid, 60)} differs from the bundle's key hint ${truncate(hint, 60)}`);
  const type = statement.predicateType;
  const named = checkPredicateNames(statement);
  if (named) return named;
  if (type === PREDICATE_PUBLISH_NPM) return checkRegistryPublish(opened, keyid, keys, verifier, now);
  const carried = carriedPublisherKey(statement);
  if (typeof carried === 'object') return failed('ATTESTATION_STATEMENT', carried.problem);
  if (type === PREDICATE_PUBLISHER || (type === PREDICATE_SLSA_V1 && carried !== undefined)) {
    if (carried === undefined) return failed('ATTESTATION_STATEMENT', 'publisher attestation carries no publisherKey');
    return checkPublisher(opened, statement, keyid, carried, verifier);
  }
  if (PROVENANCE_TYPES.has(type)) {
    return failed('ATTESTATION_STATEMENT', `key-signed provenance must carry its key as the ${PUBLISHER_KEY_BYPRODUCT} byproduct`);
  }
  return { role: 'ignored' };
}

/** npm semantics: the registry key named by the keyid, unexpired when the bundle was logged. */
function checkRegistryPublish(opened: OpenBundle, keyid: string, keys: readonly RegistryKey[], verifier: AttestationVerifier, now: Date): EntryOutcome {
  const { bundle, digest } = opened;
  const key = keys.find((k) => k.keyid === keyid);
  if (!key) return failed('ATTESTATION_KEY_UNKNOWN', `publish attestation is signed by ${truncate(keyid, 60)}, which is not a key of this registry`);
  if (key.expires) {
    // pacote compares tlogEntries[0].integratedTime; any entry at or after expiry is enough to refuse.
    for (const entry of bundle.verificationMaterial.tlogEntries) {
      const logged = Number(entry.integratedTime) * 1000;
      if (logged >= key.expires.getTime()) {
        return failed(
          'ATTESTATION_KEY_EXPIRED',
          `publish attestation was logged ${new Date(logged).toISOString()}, after key ${keyid} expired ${key.expires.toISOString()}`,
        );
      }
    }
    // Rekor v2 entries carry no integrated time: an RFC 3161 token times the signature instead.
    for (const stamped of timestampTimes(bundle)) {
      if (stamped >= key.expires.getTime()) {
        return failed(
          'ATTESTATION_KEY_EXPIRED',
          `publish attestation was timestamped ${new Date(stamped).toISOString()}, after key ${keyid} expired ${key.expires.toISOString()}`,
        );
      }
    }
  }
  const result = verifySignedBundle(opened, { kind: 'key', key }, verifier);
  if (!result.ok) return notVerified(result);
  if (result.integratedTime === null && key.expires && !(now < key.expires)) {
    // Nothing signed a time, so the signature may be younger than the key's expiry: judge it now.
    return failed('ATTESTATION_KEY_EXPIRED', `publish attestation carries no signed time and key ${keyid} expired ${key.expires.toISOString()}`);
  }
  const logged = loggedEntry(bundle);
  return {
    role: 'publish',
    evidence: {
      predicateType: PREDICATE_PUBLISH_NPM,
      keyid,
      integratedTime: toDate(result.integratedTime),
      bundleDigest: digest,
      ...(logged ? { logged } : {}),
    },
  };
}

function checkPublisher(opened: OpenBundle, statement: Statement, keyid: string, publicKey: string, verifier: AttestationVerifier): EntryOutcome {
  const digest = opened.digest;
  const fingerprint = keyIdOf(publicKey); // throws on keys vouch cannot fingerprint: ATTESTATION_INVALID
  if (fingerprint !== keyid) {
    return failed('ATTESTATION_KEY_UNKNOWN', `signature names key ${truncate(keyid, 60)} but the statement carries key ${fingerprint}`);
  }
  if (statement.predicateType === PREDICATE_PUBLISHER) {
    const declared = isRecord(statement.predicate) && isRecord(statement.predicate.publisherKey) ? statement.predicate.publisherKey.keyid : undefined;
    if (declared !== keyid) return failed('ATTESTATION_KEY_UNKNOWN', `publisherKey.keyid ${truncate(String(declared), 60)} is not the signing key ${keyid}`);
  }
  const key: BundleKey = { keyid, key: publicKey, expires: null };
  const result = verifySignedBundle(opened, { kind: 'key', key }, verifier);
  if (!result.ok) return notVerified(result);
  return {
    role: 'publisher',
    evidence: { predicateType: statement.predicateType, keyid, integratedTime: toDate(result.integratedTime), bundleDigest: digest },
  };
}

/**
 * The publisher key a statement carries (base64 SPKI DER): `predicate.publisherKey.publicKey` in the
 * publisher predicate, the PUBLISHER_KEY_BYPRODUCT in a key-signed SLSA v1 statement.
 */
function carriedPublisherKey(statement: Statement): string | undefined | { problem: string } {
  const predicate = isRecord(statement.predicate) ? statement.predicate : {};
  if (statement.predicateType === PREDICATE_PUBLISHER) {
    const key = isRecord(predicate.publisherKey) ? predicate.publisherKey.publicKey : undefined;
    if (key === undefined) return undefined;
    return typeof key === 'string' ? key : { problem: 'publisherKey.publicKey is not a string' };
  }
  if (statement.predicateType !== PREDICATE_SLSA_V1) return undefined;
  const byproducts = isRecord(predicate.runDetails) ? predicate.runDetails.byproducts : undefined;
  if (!Array.isArray(byproducts)) return undefined;
  const keys = byproducts.filter((b) => isRecord(b) && b.name === PUBLISHER_KEY_BYPRODUCT);
  if (keys.length === 0) return undefined;
  const content = keys.length === 1 && isRecord(keys[0]) ? keys[0].content : undefined;
  return typeof content === 'string' ? content : { problem: `expected one ${PUBLISHER_KEY_BYPRODUCT} byproduct with base64 content` };
}

/** Publish and publisher predicates repeat name and version: they must agree with the subject. */
function checkPredicateNames(statement: Statement): EntryOutcome | undefined {
  if (statement.predicateType !== PREDICATE_PUBLISH_NPM && statement.predicateType !== PREDICATE_PUBLISHER) return undefined;
  const predicate = isRecord(statement.predicate) ? statement.predicate : {};
  const subject = statement.subject[0]?.name;
  const { name, version } = predicate;
  if (typeof name !== 'string' || typeof version !== 'string') return failed('ATTESTATION_STATEMENT', 'predicate has no name and version');
  return npmPurl(name, version) === subject
    ? undefined
    : failed('ATTESTATION_SUBJECT', `predicate names ${truncate(`${name}@${version}`, 80)}, not the subject`);
}

/**
 * The times (ms) the bundle's RFC 3161 tokens claim, unverified: used only to refuse early, as pacote does
 * with integratedTime; a token that does not parse is left to the verifier, which refuses it.
 */
function timestampTimes(bundle: Bundle): number[] {
  const times: number[] = [];
  for (const { signedTimestamp } of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    try {
      times.push(RFC3161Timestamp.parse(Buffer.from(signedTimestamp)).signingTime.getTime());
    } catch {
      // not a timestamp: verification fails it
    }
  }
  return times;
}

export function dsseKeyId(bundle: Bundle): string {
  return bundle.content.$case === 'dsseEnvelope' ? (bundle.content.dsseEnvelope.signatures[0]?.keyid ?? '') : '';
}

function notVerified(result: Extract<BundleVerification, { ok: false }>): EntryOutcome {
  return failed('ATTESTATION_INVALID', `signature does not verify: ${result.message}`);
}

const toDate = (seconds: number | null): Date | null => (seconds === null ? null : new Date(seconds * 1000));

function failed(code: AttestationCode, message: string): EntryOutcome {
  return { role: 'failed', code, message };
}

/** The first log entry's inclusion proof coordinates (the verifier checked them), if the bundle has one. */
function loggedEntry(bundle: Bundle): LoggedEntry | undefined {
  const entry = bundle.verificationMaterial.tlogEntries.find((e) => e.inclusionProof?.checkpoint);
  const proof = entry?.inclusionProof;
  if (!entry?.logId || !proof) return undefined;
  const index = Number(proof.logIndex);
  const treeSize = Number(proof.treeSize);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize)) return undefined;
  return { logId: Buffer.from(entry.logId.keyId).toString('base64'), index, treeSize, rootHash: Buffer.from(proof.rootHash).toString('base64') };
}
