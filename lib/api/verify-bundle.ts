// verifyBundle: any Sigstore bundle (v0.1–v0.3, DSSE or message signature, keyless or keyed) against the
// artifact it must sign, the trust roots and the signer the caller names. The same path vouch's npm
// attestation check takes (lib/verify/sigstore-bundle.ts); only the binding to the artifact differs.
// Untrusted: the bundle. Trusted: every option.
import { createHash } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { VouchError, truncate, type BundleErrorCode } from '../errors/index.js';
import { identityMismatches } from '../policy/index.js';
import type { IdentityRequirement } from '../policy/identity.js';
import {
  ATTESTATION_LIMITS,
  AttestationVerifier,
  IN_TOTO_PAYLOAD_TYPE,
  openBundle,
  readStatement,
  signedTimeOf,
  verifySignedBundle,
  type ProvenanceIdentity,
} from '../verify/index.js';
import type { SignedArtifact } from '../verify/attestation-verifier.js';
import type { Statement } from '../verify/bundle-checks.js';
import type { ArtifactDigest } from '../verify/prehashed-signature.js';
import type { BundleSigner, OpenBundle } from '../verify/sigstore-bundle.js';
import { bundleKeyOf, type BundlePublicKey } from './bundle-key.js';
import { trustRootsOf, type TrustedRootInput } from './bundle-roots.js';

export type { BundleErrorCode };

/** A digest of the artifact, when the caller does not hold its bytes. */
export interface BundleDigestOption {
  algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Lowercase or uppercase hex. */
  hex: string;
}

/**
 * The Fulcio identity a keyless bundle must carry. `issuer` and one more field are required; each field
 * given must equal the certificate's exactly (no regex, no prefix match); `ref` is a glob over the whole ref.
 */
export interface BundleIdentity {
  issuer: string;
  /** The certificate's subject alternative name (URI or email), e.g. a workflow URI with its ref. */
  san?: string;
  repository?: string;
  repositoryId?: string;
  owner?: string;
  ownerId?: string;
  /** Path of the build workflow, e.g. `.github/workflows/release.yml`. */
  workflow?: string;
  ref?: string;
  commit?: string;
  runnerEnvironment?: string;
  buildSignerUri?: string;
  buildConfigUri?: string;
}

export interface VerifyBundleOptions {
  /** The artifact's bytes. Exactly one of `artifact` and `digest`. */
  artifact?: Uint8Array;
  digest?: BundleDigestOption;
  /** Trust roots: trusted_root.json paths, parsed trusted_root.json objects, or 'public-good'. Default ['public-good']. */
  trustedRoots?: readonly TrustedRootInput[];
  /** Keyless: the certificate identity required. Exactly one of `identity` and `key`. */
  identity?: BundleIdentity;
  /** Keyed: the public key that must have signed. */
  key?: BundlePublicKey;
}

/** A transparency log entry of the bundle, as @sigstore/verify checked it. */
export interface BundleLogEntry {
  /** Base64 log id. */
  logId: string;
  logIndex: number;
  /** The entry's kind and version, e.g. `dsse` `0.0.1`, `hashedrekord` `0.0.2`. */
  kind: string;
  kindVersion: string;
  /** The log's signed time (SET); null for logs that sign none (Rekor v2). */
  integratedTime: Date | null;
  hasInclusionProof: boolean;
}

export type BundleContent =
  | { kind: 'dsse'; payloadType: string; statement: Statement }
  | { kind: 'message-signature'; digest: { algorithm: string; hex: string } };

export type BundleSignerResult = { kind: 'certificate'; identity: ProvenanceIdentity } | { kind: 'key'; keyid: string };

export interface BundleVerified {
  mediaType: string;
  /** `sha256:<hex>` of the bundle JSON. */
  bundleDigest: string;
  content: BundleContent;
  signer: BundleSignerResult;
  /** The earliest signed time the verifier checked, and whether a log (SET) or a timestamp authority signed it. */
  signedTime: { time: Date; source: 'tlog' | 'tsa' } | null;
  /** Name of the trust root that verified it ('public-good', a path, or `trustedRoots[i]`); null for a keyed bundle with no log entry or timestamp. */
  trustRoot: string | null;
  logEntries: BundleLogEntry[];
}

/**
 * Verifies one Sigstore bundle and returns what it established; throws VouchError with a BundleErrorCode
 * when it does not verify, USAGE for bad options, TRUSTED_ROOT for an unreadable root.
 */
export async function verifyBundle(bundle: unknown, options: VerifyBundleOptions): Promise<BundleVerified> {
  const signed = artifactOf(options);
  const opened = openBundle(parseBundleInput(bundle));
  if (!opened.ok) throw fail(opened.code === 'ATTESTATION_TOO_LARGE' ? 'BUNDLE_TOO_LARGE' : 'BUNDLE_MALFORMED', opened.message);
  const content = bindContent(opened.bundle, signed);
  const signer = signerOf(opened.bundle, options);
  const verifier = new AttestationVerifier(trustRootsOf(options.trustedRoots));
  const result = verifySignedBundle(opened, signer, verifier, signed);
  if (!result.ok) throw fail('BUNDLE_SIGNATURE', result.message);
  return {
    mediaType: opened.bundle.mediaType,
    bundleDigest: opened.digest,
    content,
    signer: signerResult(signer, result.identity, options.identity),
    signedTime: signedTime(opened),
    trustRoot: result.trustRoot,
    logEntries: logEntries(opened.bundle),
  };
}

function artifactOf(options: VerifyBundleOptions): SignedArtifact {
  const { artifact, digest } = options;
  if ((artifact === undefined) === (digest === undefined)) throw usage('pass exactly one of artifact (the bytes) and digest ({ algorithm, hex })');
  if (artifact !== undefined) {
    if (!(artifact instanceof Uint8Array)) throw usage('artifact must be a Buffer or Uint8Array');
    return { artifact };
  }
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  const length = lengths[String(digest?.algorithm)];
  if (!digest || length === undefined || typeof digest.hex !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(digest.hex)) {
    throw usage('digest must be { algorithm: "sha256" | "sha384" | "sha512", hex } with a hex digest of that length');
  }
  return { digest: { algorithm: digest.algorithm, bytes: Buffer.from(digest.hex, 'hex') } };
}

/** JSON text, its bytes, or the parsed object; text over the bundle bound is refused before parsing. */
function parseBundleInput(input: unknown): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (Buffer.byteLength(text) > ATTESTATION_LIMITS.maxBundleBytes)
    throw fail('BUNDLE_TOO_LARGE', `bundle of ${Buffer.byteLength(text)} bytes exceeds ${ATTESTATION_LIMITS.maxBundleBytes}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail('BUNDLE_MALFORMED', `bundle is not JSON: ${truncate(err instanceof Error ? err.message : String(err))}`);
  }
}

/** What the bundle signs must be the artifact: its message digest, or a subject of its in-toto statement. */
function bindContent(bundle: Bundle, signed: SignedArtifact): BundleContent {
  if (bundle.content.$case === 'messageSignature') {
    const { messageDigest } = bundle.content.messageSignature;
    const algorithm = messageDigest ? HASH_NAMES[messageDigest.algorithm] : undefined;
    if (!messageDigest || !algorithm) throw fail('BUNDLE_DIGEST', 'the message signature names no digest vouch can compare (SHA-256, SHA-384 or SHA-512)');
    const signedHex = Buffer.from(messageDigest.digest).toString('hex');
    const ours = 'artifact' in signed ? createHash(algorithm).update(signed.artifact).digest('hex') : signed.digest.bytes.toString('hex');
    if ('digest' in signed && signed.digest.algorithm !== algorithm)
      throw fail('BUNDLE_DIGEST', `the bundle signs a ${algorithm} digest; pass the artifact's ${algorithm} digest`);
    if (ours !== signedHex) throw fail('BUNDLE_DIGEST', `the bundle signs ${algorithm} ${signedHex.slice(0, 16)}…, not the artifact's ${ours.slice(0, 16)}…`);
    return { kind: 'message-signature', digest: { algorithm, hex: signedHex } };
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw fail(
      'BUNDLE_STATEMENT',
      `DSSE payload type ${JSON.stringify(truncate(envelope.payloadType, 60))} is not ${IN_TOTO_PAYLOAD_TYPE}: nothing binds it to an artifact`,
    );
  }
  const read = readStatement(bundle);
  if (!read.ok) throw fail('BUNDLE_STATEMENT', read.message);
  const wanted =
    'artifact' in signed
      ? { sha256: createHash('sha256').update(signed.artifact).digest('hex'), sha512: createHash('sha512').update(signed.artifact).digest('hex') }
      : { [signed.digest.algorithm]: signed.digest.bytes.toString('hex') };
  const subjects: unknown[] = read.statement.subject;
  const matches = subjects.some((subject) => {
    const digests = typeof subject === 'object' && subject !== null && 'digest' in subject ? subject.digest : undefined;
    return (
      typeof digests === 'object' &&
      digests !== null &&
      Object.entries(wanted).some(([alg, hex]) => alg in digests && String((digests as Record<string, unknown>)[alg]).toLowerCase() === hex)
    );
  });
  if (!matches) throw fail('BUNDLE_DIGEST', `no subject of the statement (${subjects.length}) has the artifact's ${Object.keys(wanted).join(' or ')} digest`);
  return { kind: 'dsse', payloadType: envelope.payloadType, statement: read.statement };
}

const HASH_NAMES: Partial<Record<HashAlgorithm, ArtifactDigest['algorithm']>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

/** The signer the options name, checked against the kind of signature the bundle carries. */
function signerOf(bundle: Bundle, options: VerifyBundleOptions): BundleSigner {
  const { identity, key } = options;
  if ((identity === undefined) === (key === undefined)) throw usage('pass exactly one of identity (keyless bundles) and key (keyed bundles)');
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey') {
    if (!key) throw fail('BUNDLE_SIGNER', `the bundle is signed by key ${JSON.stringify(truncate(material.publicKey.hint, 60))}, not a certificate: pass key`);
    return { kind: 'key', key: bundleKeyOf(key, material.publicKey.hint) };
  }
  if (!identity) throw fail('BUNDLE_SIGNER', 'the bundle is signed with a Fulcio certificate, not a key: pass identity');
  checkIdentityOption(identity);
  return { kind: 'certificate' };
}

const SUBJECT_FIELDS = ['san', 'repository', 'repositoryId', 'owner', 'ownerId', 'workflow', 'buildSignerUri', 'buildConfigUri'] as const;

function checkIdentityOption(identity: BundleIdentity): void {
  for (const [field, value] of Object.entries(identity)) {
    if (value !== undefined && typeof value !== 'string') throw usage(`identity.${field} must be a string`);
  }
  if (!identity.issuer) throw usage('identity.issuer is required: an identity means nothing without the OIDC issuer that vouched for it');
  if (!SUBJECT_FIELDS.some((f) => identity[f] !== undefined)) throw usage(`identity needs one of ${SUBJECT_FIELDS.join(', ')} besides issuer`);
}

function signerResult(signer: BundleSigner, certificate: ProvenanceIdentity | undefined, required: BundleIdentity | undefined): BundleSignerResult {
  if (signer.kind === 'key') return { kind: 'key', keyid: signer.key.keyid };
  if (!certificate || !required) throw fail('BUNDLE_SIGNATURE', 'the verified bundle yielded no certificate identity');
  const wrong = identityMismatches(required satisfies IdentityRequirement, certificate);
  if (wrong.length > 0) throw fail('BUNDLE_IDENTITY', `the certificate has ${wrong.join('; ')}`);
  return { kind: 'certificate', identity: certificate };
}

function signedTime(opened: OpenBundle): BundleVerified['signedTime'] {
  const time = signedTimeOf(opened.bundle);
  return time ? { time: new Date(time.seconds * 1000), source: time.source } : null;
}

function logEntries(bundle: Bundle): BundleLogEntry[] {
  return bundle.verificationMaterial.tlogEntries.map((entry) => {
    const seconds = Number(entry.integratedTime);
    return {
      logId: Buffer.from(entry.logId?.keyId ?? []).toString('base64'),
      logIndex: Number(entry.logIndex),
      kind: entry.kindVersion?.kind ?? '',
      kindVersion: entry.kindVersion?.version ?? '',
      integratedTime: entry.inclusionPromise && Number.isSafeInteger(seconds) && seconds > 0 ? new Date(seconds * 1000) : null,
      hasInclusionProof: entry.inclusionProof !== undefined,
    };
  });
}

const fail = (code: BundleErrorCode, message: string): VouchError<BundleErrorCode> => new VouchError(code, message);
const usage = (message: string): VouchError => new VouchError('USAGE', `verifyBundle: ${message}`);
