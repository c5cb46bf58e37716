// The Sigstore trust roots vouch verifies against, offline: the shipped public-good root and any number
// of private trusted_root.json files. Each becomes one @sigstore/verify Verifier per process.
// Trusts only the files it is given; never asks a TUF CDN (sigstore.verify() would, on every call).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { trustFilePath } from '../config/index.js';
import { VouchError, truncate } from '../errors/index.js';

export const PUBLIC_GOOD = 'public-good';
const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json';

export interface VerifierThresholds {
  ctlogThreshold: number;
  tlogThreshold: number;
  timestampThreshold: number;
}

/** One trusted root, parsed once, with the keyless Verifier built from it. */
export interface TrustRoot {
  /** 'public-good', or the file path a private root was loaded from (as the user gave it). */
  name: string;
  /** sha256 hex of the trusted_root.json bytes: a cache key for everything verified with it. */
  digest: string;
  /** Base64 log ids of its transparency logs (logId and checkpoint key id), to route bundles to it. */
  logIds: ReadonlySet<string>;
  /** The parsed material; keyed verification swaps in its own key finder. */
  material: TrustMaterial;
  thresholds: VerifierThresholds;
  /** Verifies certificate (keyless) bundles against this root. */
  verifier: Verifier;
}

/** The roots in the order they are tried: public-good first, then private roots as given. */
export interface TrustRootSet {
  roots: readonly TrustRoot[];
  /** sha256 hex over the roots' names and digests, in order. */
  digest: string;
}

// Parsed roots by content digest: one Verifier per root per process, however often a command loads it.
const parsed = new Map<string, TrustRoot>();

/**
 * Loads public-good (unless `publicGood: false`) plus each private trusted_root.json (`--trusted-root FILE`).
 * A missing or malformed file is a configuration error: VouchError TRUSTED_ROOT (exit 2).
 */
export function loadTrustRoots(privateRootFiles: readonly string[] = [], opts: { publicGood?: boolean } = {}): TrustRootSet {
  const roots: TrustRoot[] = [];
  if (opts.publicGood !== false) roots.push(publicGoodRoot());
  for (const file of privateRootFiles) roots.push(trustRootFromBytes(file, readRootFile(file), file));
  return trustRootSet(roots);
}

/** The Sigstore public-good root: the copy `vouch trust-root update` refreshed, else trust/'s snapshot. */
export function publicGoodRoot(): TrustRoot {
  const file = trustFilePath('public-good.trusted_root.json');
  return trustRootFromBytes(PUBLIC_GOOD, readRootFile(file), file);
}

/** Combines roots into a set (tests and the private deployment build roots from memory). */
export function trustRootSet(roots: readonly TrustRoot[]): TrustRootSet {
  const names = new Set<string>();
  for (const root of roots) {
    if (names.has(root.name)) throw new VouchError('TRUSTED_ROOT', `trusted root ${root.name} is given twice`, { file: root.name });
    names.add(root.name);
  }
  const digest = sha256Hex(JSON.stringify(roots.map((r) => [r.name, r.digest])));
  return { roots, digest };
}

/** Parses trusted_root.json bytes into a TrustRoot; `file` only labels errors. */
export function trustRootFromBytes(name: string, bytes: Buffer | string, file?: string): TrustRoot {
  const digest = sha256Hex(bytes);
  const known = parsed.get(`${name}\0${digest}`);
  if (known) return known;
  const where = { file: file ?? name };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch (err) {
    throw new VouchError('TRUSTED_ROOT', `trusted root ${where.file} is not JSON: ${truncate(String(err))}`, where);
  }
  const mediaType = typeof json === 'object' && json !== null && 'mediaType' in json ? json.mediaType : undefined;
  if (typeof mediaType !== 'string' || !mediaType.startsWith(TRUSTED_ROOT_MEDIA_TYPE)) {
    throw new VouchError(
      'TRUSTED_ROOT',
      `trusted root ${where.file} has media type ${truncate(String(mediaType))}, expected ${TRUSTED_ROOT_MEDIA_TYPE}`,
      where,
      'pass a Sigstore trusted_root.json (protobuf JSON mapping), e.g. one written by fixtures/scripts/private-sigstore',
    );
  }
  let material: TrustMaterial;
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
    material = toTrustMaterial(root);
  } catch (err) {
    throw new VouchError('TRUSTED_ROOT', `trusted root ${where.file} cannot be read: ${truncate(err instanceof Error ? err.message : String(err))}`, where);
  }
  if (material.tlogs.length === 0 && material.timestampAuthorities.length === 0) {
    // Without a log's SET or a TSA token a signature has no trusted time, and @sigstore/verify
    // then fails certificate bundles with a TypeError rather than an error (notes/sigstore.md §5).
    throw new VouchError('TRUSTED_ROOT', `trusted root ${where.file} lists neither a transparency log nor a timestamp authority`, where);
  }
  const thresholds: VerifierThresholds = {
    // A private deployment without a CT log issues certificates without SCTs.
    ctlogThreshold: material.ctlogs.length > 0 ? 1 : 0,
    // Kept at 1: @sigstore/verify 3.x counts duplicate entries toward higher thresholds.
    tlogThreshold: material.tlogs.length > 0 ? 1 : 0,
    // One signed time: a TSA token or a log's SET.
    timestampThreshold: 1,
  };
  const logIds = new Set<string>();
  for (const tlog of root.tlogs) {
    if (tlog.logId?.keyId) logIds.add(Buffer.from(tlog.logId.keyId).toString('base64'));
    if (tlog.checkpointKeyId?.keyId) logIds.add(Buffer.from(tlog.checkpointKeyId.keyId).toString('base64'));
  }
  const trustRoot: TrustRoot = { name, digest, logIds, material, thresholds, verifier: new Verifier(material, thresholds) };
  parsed.set(`${name}\0${digest}`, trustRoot);
  return trustRoot;
}

function readRootFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VouchError('TRUSTED_ROOT', `cannot read trusted root ${file} (${code})`, { file });
  }
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
