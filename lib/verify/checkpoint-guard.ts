// Bounds on untrusted attestation data, checked on the raw JSON before any Sigstore code sees it.
// Trusts nothing in the bundle; decides only "small and plain enough to hand to @sigstore/verify".
//
// Why: @sigstore/verify 3.1.1 (the last Node-20 line) evaluates each checkpoint signer name as a
// RegExp against the log's base URL (`tlog.baseURL.match(signature.name)`, tlog/checkpoint.ts)
// before any signature is checked. A name like "(.*)*x" hangs a core for 13 s to 120 s; "(" throws.
// Fixed only in verify 4.1.2 (Node 22+). So every name must be a plain host-like word first. That holds for
// witness cosignature lines too (C2SP tlog-cosignature): the verifier parses them like the log's own line.

/** Limits on what one attestations response may contain. Real npm responses are ~15 KiB with 2 bundles. */
export const ATTESTATION_LIMITS = {
  /** The response body as served (the caller checks this before parsing). */
  maxResponseBytes: 1024 * 1024,
  maxBundles: 16,
  /** One bundle, re-serialized. Real bundles are 2–11 KiB. */
  maxBundleBytes: 256 * 1024,
  /** JSON nesting of the whole response; real responses nest 7 deep. */
  maxDepth: 32,
  maxCertificates: 4,
  maxTlogEntries: 4,
  maxTimestamps: 4,
  /** Merkle audit path length: 64 covers a log of 2^64 entries. */
  maxProofHashes: 64,
  maxCheckpointBytes: 8 * 1024,
  /**
   * Signature lines: the log's plus witness cosignatures (C2SP tlog-cosignature lines, as witnesses add to Rekor v2).
   * C2SP signed-note: verifiers "MUST accept at least up to 16 signatures". Only lines whose key hint names
   * a trusted log cost a signature check, so the bound is on parsing, not on crypto.
   */
  maxCheckpointSignatures: 16,
} as const;

export type GuardCode = 'ATTESTATION_TOO_LARGE' | 'ATTESTATION_INVALID';
export type GuardResult = { ok: true } | { ok: false; code: GuardCode; message: string };

// The pattern a checkpoint signer name must match to be safe as a RegExp: no metacharacter but '.',
// which only widens the match against the log's own URL. Real names: "rekor.sigstore.dev", and the C2SP
// origins Rekor v2, witnesses and vouch-registry use: "log2025-1.rekor.sigstore.dev", "host:port",
// "host/path" (':', '/' and '_' are plain characters in a RegExp).
const SAFE_SIGNER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const MAX_SIGNER_NAME = 253;
// A superset of @sigstore/verify's /\u2014 (\S+) (\S+)\n/g: every name it would parse, we see first.
const SIGNER_LINE = /\u2014 (\S+)/g;

/** The signer names of a checkpoint's signature lines ("— <name> <base64>"), as the verifier reads them. */
export function checkpointSignerNames(envelope: string): string[] {
  return Array.from(envelope.matchAll(SIGNER_LINE), (m) => m[1] ?? '');
}

/** Rejects a checkpoint whose signer names are not plain host-like words (see the header). */
export function checkCheckpoint(envelope: unknown): GuardResult {
  if (typeof envelope !== 'string') return invalid('checkpoint envelope is not a string');
  if (envelope.length > ATTESTATION_LIMITS.maxCheckpointBytes) {
    return tooLarge(`checkpoint envelope of ${envelope.length} bytes exceeds ${ATTESTATION_LIMITS.maxCheckpointBytes}`);
  }
  const names = checkpointSignerNames(envelope);
  if (names.length > ATTESTATION_LIMITS.maxCheckpointSignatures) return tooLarge(`checkpoint has ${names.length} signatures`);
  for (const name of names) {
    if (name.length > MAX_SIGNER_NAME || !SAFE_SIGNER_NAME.test(name)) {
      return invalid(`checkpoint signer name ${JSON.stringify(name.slice(0, 40))} is not a plain log name`);
    }
  }
  return { ok: true };
}

/** Deepest nesting of a parsed JSON value, walked iteratively (deep input must not overflow our stack). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Size and shape bounds for one bundle as served, before bundleFromJSON and the verifier read it. */
export function checkBundleBounds(bundle: unknown): GuardResult {
  if (!isRecord(bundle)) return invalid('bundle is not a JSON object');
  const depth = jsonDepth(bundle, ATTESTATION_LIMITS.maxDepth);
  if (depth > ATTESTATION_LIMITS.maxDepth) return tooLarge(`bundle nests deeper than ${ATTESTATION_LIMITS.maxDepth}`);
  const bytes = Buffer.byteLength(JSON.stringify(bundle));
  if (bytes > ATTESTATION_LIMITS.maxBundleBytes) {
    return tooLarge(`bundle of ${bytes} bytes exceeds ${ATTESTATION_LIMITS.maxBundleBytes}`);
  }
  const material = isRecord(bundle.verificationMaterial) ? bundle.verificationMaterial : {};
  const chain = isRecord(material.x509CertificateChain) ? material.x509CertificateChain.certificates : undefined;
  if (Array.isArray(chain) && chain.length > ATTESTATION_LIMITS.maxCertificates) {
    return tooLarge(`bundle carries ${chain.length} certificates`);
  }
  const timestamps = isRecord(material.timestampVerificationData) ? material.timestampVerificationData.rfc3161Timestamps : undefined;
  if (Array.isArray(timestamps) && timestamps.length > ATTESTATION_LIMITS.maxTimestamps) {
    return tooLarge(`bundle carries ${timestamps.length} timestamps`);
  }
  const entries = material.tlogEntries;
  if (entries === undefined) return { ok: true }; // bundleFromJSON reports the missing field
  if (!Array.isArray(entries)) return invalid('tlogEntries is not a list');
  if (entries.length > ATTESTATION_LIMITS.maxTlogEntries) return tooLarge(`bundle carries ${entries.length} log entries`);
  for (const entry of entries) {
    const proof = isRecord(entry) && isRecord(entry.inclusionProof) ? entry.inclusionProof : undefined;
    if (!proof) continue;
    if (Array.isArray(proof.hashes) && proof.hashes.length > ATTESTATION_LIMITS.maxProofHashes) {
      return tooLarge(`inclusion proof has ${proof.hashes.length} hashes`);
    }
    if (proof.checkpoint === undefined) continue;
    const checked = checkCheckpoint(isRecord(proof.checkpoint) ? proof.checkpoint.envelope : undefined);
    if (!checked.ok) return checked;
  }
  return { ok: true };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const invalid = (message: string): GuardResult => ({ ok: false, code: 'ATTESTATION_INVALID', message });
const tooLarge = (message: string): GuardResult => ({ ok: false, code: 'ATTESTATION_TOO_LARGE', message });
