// The evidence stage: for every target, concurrently and cached, what the registry says (keys, dist,
// signatures, attestations) checked by lib/verify. Per-package failures become evidence, never crashes.
import pMap from 'p-map';
import type { PackageRef } from '../tree/types.js';
import { checkIntegrity } from '../verify/integrity.js';
import { checkSignatures } from '../verify/signatures.js';
import type { AttestationResult, PackageEvidence, RegistryKey, UnverifiableCode } from '../verify/types.js';
import type { RegistrySummary } from '../policy/report.js';
import { EvidenceCache, reviveAttestation, type CachedVersion } from './evidence-cache.js';
import { FetchFailure, getJson, type HttpOptions } from './http.js';
import { fetchRegistryKeys, type RegistryKeys } from './keys.js';
import { PackumentSource, type VersionDist } from './packument.js';

/** The attestations URL's answer, as the attestation checker receives it. */
export type AttestationsResponse = { kind: 'body'; body: unknown } | { kind: 'not-found' };

export interface AttestationCheckInput {
  name: string;
  version: string;
  /** The locked sha512 integrity (equal to the signed dist.integrity when integrity passed). */
  integrity: string;
  advertised: { url: string; predicateType?: string };
  response: AttestationsResponse;
  registry: string;
  registryKeys: readonly RegistryKey[];
}

/** Verifies attestation bundles (lib/verify); `context` digests its trust material for cache keys. */
export interface AttestationChecker {
  context(registryKeys: readonly RegistryKey[]): string;
  check(input: AttestationCheckInput): AttestationResult;
}

export interface GatherOptions {
  http: HttpOptions;
  concurrency: number;
  attestations: AttestationChecker;
  cache?: EvidenceCache;
  /** Fetch publish times even where no key expires (e.g. the policy has a minReleaseAge). */
  needPublishTime?: boolean;
  onPackage?: (ref: PackageRef) => void;
}

export interface Gathered {
  evidence: PackageEvidence[];
  registries: RegistrySummary[];
}

const ATTESTATIONS_MAX_BYTES = 4 * 1024 * 1024;

export async function gatherEvidence(refs: readonly PackageRef[], opts: GatherOptions): Promise<Gathered> {
  const packuments = new PackumentSource(opts.http);
  // One snapshot of each registry's keys per run, however many packages ask.
  const keys = new Map<string, Promise<RegistryKeys>>();
  const keysFor = (registry: string) => {
    let entry = keys.get(registry);
    if (!entry) keys.set(registry, (entry = fetchRegistryKeys(registry, opts.http)));
    return entry;
  };
  const evidence = await pMap(refs, async (ref) => {
    const result = await evidenceFor(ref, { ...opts, packuments, keysFor });
    opts.onPackage?.(ref);
    return result;
  }, { concurrency: opts.concurrency });
  return { evidence, registries: await summarizeRegistries(keys) };
}

interface Context extends GatherOptions {
  packuments: PackumentSource;
  keysFor(registry: string): Promise<RegistryKeys>;
}

async function evidenceFor(ref: PackageRef, ctx: Context): Promise<PackageEvidence> {
  try {
    const registryKeys = await ctx.keysFor(ref.registry);
    const keyList = registryKeys.kind === 'keys' ? registryKeys.keys : [];
    const needTime = Boolean(ctx.needPublishTime) || keyList.some((k) => k.expires !== null);
    const cacheKey = EvidenceCache.key(ref.registry, ref.name, ref.version, ref.integrity);
    const cached = ctx.cache?.get(cacheKey);
    let evidence = await checkVersion(ref, ctx, keyList, cached && (!needTime || cached.publishedAt !== null) ? cached : await fetchVersion(ref, ctx, needTime), cacheKey);
    // Cached registry data that no longer verifies (keys rotated, data re-signed) gets one fresh look.
    if (cached && hasFailure(evidence)) evidence = await checkVersion(ref, ctx, keyList, await fetchVersion(ref, ctx, needTime), cacheKey);
    return evidence;
  } catch (err) {
    return unverifiable(ref, err);
  }
}

async function fetchVersion(ref: PackageRef, ctx: Context, needTime: boolean): Promise<CachedVersion> {
  const meta = await ctx.packuments.version(ref.name, ref.version, ref.registry, needTime);
  return { dist: meta.dist, publishedAt: meta.publishedAt?.toISOString() ?? null };
}

async function checkVersion(ref: PackageRef, ctx: Context, keys: readonly RegistryKey[], meta: CachedVersion, cacheKey: string): Promise<PackageEvidence> {
  const publishedAt = meta.publishedAt ? new Date(meta.publishedAt) : null;
  const integrity = checkIntegrity({ locked: ref.integrity, registry: meta.dist.integrity });
  const signature = checkSignatures({
    name: ref.name, version: ref.version, integrity: meta.dist.integrity ?? '', signatures: meta.dist.signatures, publishedAt, keys,
  });
  const attestations = await attestationsFor(ref, ctx, keys, meta);
  ctx.cache?.set(cacheKey, meta);
  const evidence: PackageEvidence = { ref, integrity, signature, attestations, publishedAt };
  if (meta.dist.integrity) evidence.registryIntegrity = meta.dist.integrity;
  return evidence;
}

async function attestationsFor(ref: PackageRef, ctx: Context, keys: readonly RegistryKey[], meta: CachedVersion): Promise<AttestationResult> {
  const advertised = meta.dist.attestations;
  if (!advertised) return { kind: 'none' };
  const context = ctx.attestations.context(keys);
  if (meta.attestation?.context === context) return reviveAttestation(meta.attestation.result);
  const result = ctx.attestations.check({
    name: ref.name, version: ref.version, integrity: meta.dist.integrity ?? ref.integrity ?? '', advertised,
    response: await fetchAttestations(advertised, ref.registry, ctx.http), registry: ref.registry, registryKeys: keys,
  });
  meta.attestation = { context, result };
  return result;
}

/** Like pacote: only the path of dist.attestations.url counts; the host is the configured registry. */
async function fetchAttestations(advertised: VersionDist['attestations'] & object, registry: string, http: HttpOptions): Promise<AttestationsResponse> {
  const url = new URL(new URL(advertised.url, registry).pathname.replace(/^\//, ''), registry).href;
  try {
    return { kind: 'body', body: await getJson(url, http, { maxBytes: ATTESTATIONS_MAX_BYTES }) };
  } catch (err) {
    if (err instanceof FetchFailure && err.code === 'NOT_FOUND') return { kind: 'not-found' };
    throw err;
  }
}

function hasFailure(e: PackageEvidence): boolean {
  return e.integrity?.kind === 'failed' || e.signature?.kind === 'failed' || e.attestations?.kind === 'failed';
}

function unverifiable(ref: PackageRef, err: unknown): PackageEvidence {
  if (err instanceof FetchFailure) {
    const code: UnverifiableCode =
      err.code === 'NOT_FOUND' ? 'VERSION_NOT_FOUND'
      : err.code === 'OFFLINE_MISS' ? 'OFFLINE_MISS'
      : err.code === 'REGISTRY_UNREACHABLE' ? 'REGISTRY_UNREACHABLE'
      : 'REGISTRY_ERROR';
    return { ref, unverifiable: { code, message: err.message } };
  }
  // Any exception inside a verifier is "not verified": fail closed, keep walking the tree.
  const message = err instanceof Error ? err.message : String(err);
  return { ref, unverifiable: { code: 'VERIFIER_ERROR', message } };
}

async function summarizeRegistries(keys: Map<string, Promise<RegistryKeys>>): Promise<RegistrySummary[]> {
  const summaries = await Promise.all([...keys].map(async ([url, pending]): Promise<RegistrySummary> => {
    try {
      const k = await pending;
      return k.kind === 'keys' ? { url, keys: 'served', keyids: k.keys.map((x) => x.keyid) } : { url, keys: 'none', keyids: [] };
    } catch {
      return { url, keys: 'unreachable', keyids: [] };
    }
  }));
  return summaries.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
