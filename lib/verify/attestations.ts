// Attestations for one package version: Sigstore provenance (Fulcio certificate), the registry's
// publish attestation (registry key) and vouch publisher attestations (the publisher's own key).
// Decides only: the response arrives parsed (lib/registry fetches it); nothing here does I/O.
// Untrusted: the whole response. Trusted: the locked name@version and integrity, the keys, the roots.
import { truncate } from '../errors/index.js';
import type { AttestationVerifier } from './attestation-verifier.js';
import { checkKeyedBundle, checkKeylessBundle, type EntryOutcome, type VerifiedRole } from './attestation-kinds.js';
import { checkSubject, npmPurl, readStatement, sha512Hex } from './bundle-checks.js';
import { ATTESTATION_LIMITS, isRecord, jsonDepth } from './checkpoint-guard.js';
import { openBundle } from './sigstore-bundle.js';
import type { AttestationCode, AttestationResult, RegistryKey } from './types.js';

/** `dist.attestations` of the version in the packument. */
export interface AdvertisedAttestations {
  url: string;
  provenance?: { predicateType: string };
}

/** What GET of the attestations URL gave. `readAttestationResponse` builds it from the body bytes. */
export type AttestationResponse =
  | { kind: 'found'; body: unknown; bytes?: number }
  | { kind: 'not-found' } // 404
  | { kind: 'too-large'; bytes: number }
  | { kind: 'unparseable'; message: string };

export interface AttestationInput {
  /** The locked name (alias-resolved) and version: the subject must name exactly this. */
  name: string;
  version: string;
  /** The locked integrity (SRI); its sha512 must be the subject digest. */
  integrity: string;
  /** The version's `dist.attestations`; undefined when the registry advertises none. */
  advertised: AdvertisedAttestations | undefined;
  /** The fetched response; ignored (and need not be fetched) when nothing is advertised. */
  response?: AttestationResponse;
  /** Keys for publish attestations; for registry.npmjs.org the caller adds npm's pinned keys. */
  keys: readonly RegistryKey[];
  verifier: AttestationVerifier;
  /** Judges keys of publish attestations that carry no signed time (nothing else reads the clock). */
  now: Date;
}

/** Checks every attestation of one version. Never throws: any exception is ATTESTATION_INVALID. */
export function checkAttestations(input: AttestationInput): AttestationResult {
  try {
    return check(input);
  } catch (err) {
    return failed('ATTESTATION_INVALID', `attestation check failed: ${truncate(err instanceof Error ? err.message : String(err), 200)}`);
  }
}

/** Parses a response body with the size bound applied before JSON.parse sees it. */
export function readAttestationResponse(body: Uint8Array | string): AttestationResponse {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (bytes > ATTESTATION_LIMITS.maxResponseBytes) return { kind: 'too-large', bytes };
  try {
    return { kind: 'found', body: JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')), bytes };
  } catch (err) {
    return { kind: 'unparseable', message: truncate(err instanceof Error ? err.message : String(err)) };
  }
}

function check(input: AttestationInput): AttestationResult {
  if (!input.advertised) return { kind: 'none' };
  const entries = responseEntries(input.response);
  if (!Array.isArray(entries)) return entries;

  // npm and pacote accept `attestations: []` for an advertised version and count it verified; we do not.
  const wanted = input.advertised.provenance?.predicateType;
  if (wanted !== undefined && !entries.some((e) => e.predicateType === wanted)) {
    return failed('ATTESTATION_MISSING', `the registry advertises a ${wanted} attestation but does not serve one`, wanted);
  }

  let sha512: string;
  try {
    sha512 = sha512Hex(input.integrity);
  } catch (err) {
    return failed('ATTESTATION_SUBJECT', `cannot bind attestations to the locked tarball: ${truncate((err as Error).message)}`);
  }
  const purl = npmPurl(input.name, input.version);
  const found: Partial<Record<VerifiedRole['role'], VerifiedRole>> = {};
  for (const entry of entries) {
    const outcome = checkEntry(entry, purl, sha512, input);
    if (outcome.role === 'failed') return failed(outcome.code, outcome.message, entry.predicateType);
    if (outcome.role === 'ignored') continue;
    if (found[outcome.role]) {
      // Two provenance statements could name two identities: which one would the policy pin? Neither.
      return failed('ATTESTATION_STATEMENT', `the response carries more than one ${outcome.role} attestation`, entry.predicateType);
    }
    found[outcome.role] = outcome;
  }
  if (!found.provenance && !found.publish && !found.publisher) {
    return failed('ATTESTATION_MISSING', 'the registry serves attestations, but none of a kind vouch verifies (SLSA provenance, npm publish, publisher)');
  }
  return {
    kind: 'verified',
    ...(found.provenance?.role === 'provenance' ? { provenance: found.provenance.evidence } : {}),
    ...(found.publish?.role === 'publish' ? { publish: found.publish.evidence } : {}),
    ...(found.publisher?.role === 'publisher' ? { publisher: found.publisher.evidence } : {}),
  };
}

interface Entry {
  predicateType: string;
  bundle: unknown;
}

function responseEntries(response: AttestationResponse | undefined): Entry[] | AttestationResult {
  if (!response || response.kind === 'not-found') return failed('ATTESTATION_MISSING', 'the registry advertises attestations but serves none (404)');
  if (response.kind === 'too-large')
    return failed('ATTESTATION_TOO_LARGE', `attestations response of ${response.bytes} bytes exceeds ${ATTESTATION_LIMITS.maxResponseBytes}`);
  if (response.kind === 'unparseable') return failed('ATTESTATION_INVALID', `attestations response is not JSON: ${response.message}`);
  if (response.bytes !== undefined && response.bytes > ATTESTATION_LIMITS.maxResponseBytes) {
    return failed('ATTESTATION_TOO_LARGE', `attestations response of ${response.bytes} bytes exceeds ${ATTESTATION_LIMITS.maxResponseBytes}`);
  }
  if (jsonDepth(response.body, ATTESTATION_LIMITS.maxDepth) > ATTESTATION_LIMITS.maxDepth) {
    return failed('ATTESTATION_TOO_LARGE', `attestations response nests deeper than ${ATTESTATION_LIMITS.maxDepth}`);
  }
  const list = isRecord(response.body) ? response.body.attestations : undefined;
  if (!Array.isArray(list)) return failed('ATTESTATION_INVALID', 'attestations response has no attestations list');
  if (list.length === 0) return failed('ATTESTATION_MISSING', 'the registry advertises attestations but the list is empty');
  if (list.length > ATTESTATION_LIMITS.maxBundles) {
    return failed('ATTESTATION_TOO_LARGE', `attestations response has ${list.length} bundles, more than ${ATTESTATION_LIMITS.maxBundles}`);
  }
  const entries: Entry[] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.predicateType !== 'string' || !isRecord(item.bundle)) {
      return failed('ATTESTATION_INVALID', 'attestation entry is not {predicateType, bundle}');
    }
    entries.push({ predicateType: item.predicateType, bundle: item.bundle });
  }
  return entries;
}

/** One bundle: opened (bounds, parse, format), statement and subject, then the signature by its kind of key. */
function checkEntry(entry: Entry, purl: string, sha512: string, input: Pick<AttestationInput, 'keys' | 'verifier' | 'now'>): EntryOutcome {
  try {
    const opened = openBundle(entry.bundle);
    if (!opened.ok) return { role: 'failed', code: opened.code, message: opened.message };
    const read = readStatement(opened.bundle, entry.predicateType);
    if (!read.ok) return { role: 'failed', code: read.code, message: read.message };
    const subject = checkSubject(read.statement, purl, sha512);
    if (!subject.ok) return { role: 'failed', code: subject.code, message: subject.message };
    return opened.bundle.verificationMaterial.content.$case === 'publicKey'
      ? checkKeyedBundle(opened, read.statement, input)
      : checkKeylessBundle(opened, read.statement, input.verifier);
  } catch (err) {
    return { role: 'failed', code: 'ATTESTATION_INVALID', message: truncate(err instanceof Error ? err.message : String(err), 200) };
  }
}

function failed(code: AttestationCode, message: string, predicateType?: string): AttestationResult {
  return { kind: 'failed', code, message, ...(predicateType ? { predicateType } : {}) };
}
