// The evidence stage: for every target, concurrently and cached, what the registry says (keys, dist,
// signatures, attestations) checked by lib/verify. Per-package failures become evidence, never crashes.
import pMap from 'p-map';
import type { PackageRef } from '../tree/types.js';
import { stringOption, type FlatOptions } from '../config/index.js';
import {
  ATTESTATION_LIMITS,
  checkAttestations,
  readAttestationResponse,
  checkIntegrity,
  checkResolved,
  checkSignatures,
  SIGNATURES_MAX_PER_VERSION,
  isPublicNpmRegistry,
  npmPinnedKeys,
  type AttestationResult,
  type PackageEvidence,
  type RegistryClaims,
  type RegistryKey,
  type RegistryKeysSeen,
  type UnverifiableCode,
  registryLogRoot,
} from '../verify/index.js';
import type { AttestationVerifier } from '../verify/attestation-verifier.js';
import type { AttestationResponse } from '../verify/attestations.js';
import type { NpmFetchConfig } from '../verify/resolved.js';
import { EvidenceCache, reviveAttestation, type CachedVersion } from './evidence-cache.js';
import { createHash } from 'node:crypto';
import { checkSigningLog, pinnedLogKey, type PinnedLog, type SigningLogView, type VerifiedLog, type WitnessPolicy } from './log-check.js';
import { checkLogMembership } from './log-membership.js';
import { getBytes, withConcurrency, type HttpOptions } from './http.js';
import { FetchFailure } from '../errors/index.js';
import { fetchRegistryKeys, type RegistryKeys } from './keys.js';
import { PackumentSource } from './packument.js';
import { BudgetExceeded, VerificationBudget, type PackageBudget } from './verification-budget.js';

export interface GatherOptions {
  http: HttpOptions;
  concurrency: number;
  /** One per process: trust roots and the bundle-verification cache. */
  verifier: AttestationVerifier;
  /** The run's clock, passed in (untimed publish attestations are judged against it). */
  now: Date;
  cache?: EvidenceCache;
  /** Fetch publish times even where no key expires (e.g. the policy has a minReleaseAge). */
  needPublishTime?: boolean;
  /** Read the packument's trust claims (the policy judges trust tiers): PackageEvidence.registryClaims. */
  needTierClaims?: boolean;
  onPackage?: (ref: PackageRef) => void;
  /** Each package's evidence as soon as it is complete (install starts its tarball download). */
  onEvidence?: (evidence: PackageEvidence) => void;
  /**
   * Keys vouch.lock pinned per registry URL: signatures are also checked against pinned keys the
   * registry no longer lists (the policy stage decides whether the registry's keys still count).
   */
  pinnedKeys?: ReadonlyMap<string, readonly RegistryKey[]>;
  /** Where each registry's signing-log state is kept (log-check.ts); undefined: logs are not checked. */
  logStateDir?: string;
  /** The signing-log checkpoints vouch.lock recorded, per registry URL: each log must extend its own. */
  pinnedLogs?: ReadonlyMap<string, PinnedLog>;
  /** The witnesses the policy requires per registry URL (vouch.policy.json registries[url].witnesses). */
  witnesses?: ReadonlyMap<string, WitnessPolicy>;
}

export interface Gathered {
  evidence: PackageEvidence[];
  registries: RegistryKeysSeen[];
  /** Offline: when the oldest cached registry data a package was judged on was fetched (when known). */
  cachedSince?: Date;
}

const ATTESTATIONS_MAX_BYTES = 4 * 1024 * 1024;

export async function gatherEvidence(refs: readonly PackageRef[], gather: GatherOptions): Promise<Gathered> {
  const opts = { ...gather, http: { ...gather.http, flat: withConcurrency(gather.http.flat, gather.concurrency) } };
  const packuments = new PackumentSource(opts.http);
  // One snapshot of each registry's keys per run, however many packages ask.
  const keys = new Map<string, Promise<RegistryKeys>>();
  const keysFor = (registry: string) => {
    let entry = keys.get(registry);
    if (!entry) keys.set(registry, (entry = fetchRegistryKeys(registry, opts.http)));
    return entry;
  };
  // One check of each signing registry's log per run, before its packages' evidence relies on it.
  const logs = new Map<string, Promise<SigningLogView | undefined>>();
  const logFor = (registry: string): Promise<SigningLogView | undefined> => {
    const stateDir = opts.logStateDir;
    if (!stateDir) return Promise.resolve(undefined);
    let entry = logs.get(registry);
    if (!entry && opts.http.offline) {
      // Offline the log is not checked, but the bundles it logged still verify against the key pinned for it.
      const key = pinnedLogKey(registry, stateDir, opts.pinnedLogs?.get(registry));
      if (key) opts.verifier.addLogRoot(registryLogRoot(registry, key));
    }
    if (!entry)
      logs.set(
        registry,
        (entry = checkSigningLog(registry, opts.http, stateDir, opts.pinnedLogs?.get(registry), opts.witnesses?.get(registry)).then((view) => {
          // The bundles the registry issues are logged there: its log is a trust root for them from now on.
          if (view?.verified) opts.verifier.addLogRoot(registryLogRoot(registry, view.verified.key));
          return view;
        })),
      );
    return entry;
  };
  const budget = new VerificationBudget();
  let cachedSince: Date | undefined;
  const onCachedAt = (at: Date) => {
    if (!cachedSince || at < cachedSince) cachedSince = at;
  };
  const evidence = await pMap(
    refs,
    async (ref) => {
      const result = await evidenceFor(ref, { ...opts, packuments, keysFor, logFor, budget: budget.forPackage(), onCachedAt });
      opts.onPackage?.(ref);
      opts.onEvidence?.(result);
      return result;
    },
    { concurrency: opts.concurrency },
  );
  const registries = await summarizeRegistries(keys);
  await Promise.all(
    registries
      .filter((r) => r.state === 'served')
      .map(async (r) => {
        const log = await logFor(r.url).catch(() => undefined); // a log that could not be read is checked on the next run
        if (log) r.log = log.seen;
      }),
  );
  return { evidence, registries, ...(cachedSince ? { cachedSince } : {}) };
}

interface Context extends GatherOptions {
  packuments: PackumentSource;
  keysFor(registry: string): Promise<RegistryKeys>;
  /** The registry's signing log as this run verified it (undefined: it serves none, or logs are not checked). */
  logFor(registry: string): Promise<SigningLogView | undefined>;
  /** This package's share of the run's verification budget. */
  budget: PackageBudget;
  onCachedAt(fetchedAt: Date): void;
}

async function evidenceFor(ref: PackageRef, ctx: Context): Promise<PackageEvidence> {
  try {
    const registryKeys = await ctx.keysFor(ref.registry);
    const log = registryKeys.kind === 'keys' && registryKeys.source === 'endpoint' ? await ctx.logFor(ref.registry) : undefined;
    const keyList = withPinned(registryKeys.kind === 'keys' ? registryKeys.keys : [], ctx.pinnedKeys?.get(ref.registry));
    const needTime = Boolean(ctx.needPublishTime) || keyList.some((k) => k.expires !== null);
    const cacheKey = EvidenceCache.key(ref.registry, ref.name, ref.version, ref.integrity);
    const cached = ctx.cache?.get(cacheKey);
    // Offline, cached claims are what there is ("when available"); online, ones read without `_npmUser` where it matters are re-read.
    const usable = cached && (!needTime || cached.publishedAt !== null) && (!ctx.needTierClaims || ctx.http.offline || claimsComplete(cached.claims));
    let evidence = await checkVersion(ref, ctx, keyList, usable ? cached : await fetchVersion(ref, ctx, needTime), cacheKey, log?.verified);
    // Cached registry data that no longer verifies (keys rotated, data re-signed) gets one fresh look,
    // online. Offline, or when the registry cannot answer, the cached verdict stands: a failure is
    // reported as what it is, never turned into "not in the cache" or "unreachable".
    if (cached && hasFailure(evidence) && !ctx.http.offline) {
      const fresh = await fetchVersion(ref, ctx, needTime).catch((err: unknown) => {
        if (err instanceof FetchFailure) return undefined;
        throw err;
      });
      if (fresh) evidence = await checkVersion(ref, ctx, keyList, fresh, cacheKey, log?.verified);
    }
    if (cached?.fetchedAt && ctx.http.offline) ctx.onCachedAt(new Date(cached.fetchedAt));
    return evidence;
  } catch (err) {
    return unverifiable(ref, err);
  }
}

async function fetchVersion(ref: PackageRef, ctx: Context, needTime: boolean): Promise<CachedVersion> {
  const meta = await ctx.packuments.version(ref.name, ref.version, ref.registry, needTime, Boolean(ctx.needTierClaims));
  return { dist: meta.dist, publishedAt: meta.publishedAt?.toISOString() ?? null, fetchedAt: ctx.now.toISOString(), claims: meta.claims };
}

async function checkVersion(
  ref: PackageRef,
  ctx: Context,
  keys: readonly RegistryKey[],
  meta: CachedVersion,
  cacheKey: string,
  log: VerifiedLog | undefined,
): Promise<PackageEvidence> {
  const publishedAt = meta.publishedAt ? new Date(meta.publishedAt) : null;
  const integrity = checkIntegrity({ locked: ref.integrity, registry: meta.dist.integrity });
  const { signatures } = meta.dist;
  // What checkSignatures may verify (it refuses more than the cap without verifying any).
  ctx.budget.take(keys.length > 0 && signatures.length <= SIGNATURES_MAX_PER_VERSION ? signatures.length : 0);
  const signature = checkSignatures({
    name: ref.name,
    version: ref.version,
    integrity: meta.dist.integrity ?? '',
    signatures: meta.dist.signatures,
    publishedAt,
    keys,
  });
  const attestations = await attestationsFor(ref, ctx, keys, meta);
  ctx.cache?.set(cacheKey, meta);
  const evidence: PackageEvidence = { ref, integrity, signature, attestations, publishedAt };
  if (meta.dist.integrity) evidence.registryIntegrity = meta.dist.integrity;
  if (meta.dist.tarball) evidence.tarball = meta.dist.tarball;
  if (ctx.needTierClaims && meta.claims) evidence.registryClaims = meta.claims;
  evidence.resolved = checkResolved({ resolved: ref.resolved, registry: ref.registry, tarball: meta.dist.tarball, npm: npmFetchConfig(ctx.http.flat) });
  return log ? checkLogMembership(evidence, meta.dist, log) : evidence;
}

async function attestationsFor(ref: PackageRef, ctx: Context, registryKeys: readonly RegistryKey[], meta: CachedVersion): Promise<AttestationResult> {
  const advertised = meta.dist.attestations;
  if (!advertised) return { kind: 'none' };
  // npm publish attestations on the public registry are checked against the pinned npm:attestations keys.
  const keys = isPublicNpmRegistry(ref.registry) ? npmPinnedKeys('npm:attestations') : registryKeys;
  const context = trustContext(ctx.verifier, keys);
  if (meta.attestation?.context === context) return reviveAttestation(meta.attestation.result);
  const response = await fetchAttestations(advertised.url, ref.registry, ctx.http);
  ctx.budget.take(bundleCount(response));
  const result = checkAttestations({
    name: ref.name,
    version: ref.version,
    integrity: meta.dist.integrity ?? ref.integrity ?? '',
    advertised: { url: advertised.url, ...(advertised.predicateType ? { provenance: { predicateType: advertised.predicateType } } : {}) },
    response,
    keys,
    verifier: ctx.verifier,
    now: ctx.now,
  });
  meta.attestation = { context, result };
  return result;
}

/** Digest of what an attestation verdict depends on besides the bundles: trust roots and keys. */
function trustContext(verifier: AttestationVerifier, keys: readonly RegistryKey[]): string {
  const keyPart = keys
    .map((k) => `${k.keyid}=${k.key}@${k.expires?.toISOString() ?? ''}`)
    .sort()
    .join(',');
  return `${verifier.rootsDigest()}|${createHash('sha256').update(keyPart).digest('hex')}`;
}

/** The bundles checkAttestations may verify (it refuses a longer list without verifying any). */
function bundleCount(response: AttestationResponse): number {
  if (response.kind !== 'found' || typeof response.body !== 'object' || response.body === null) return 0;
  const list = (response.body as Record<string, unknown>).attestations;
  return Array.isArray(list) && list.length <= ATTESTATION_LIMITS.maxBundles ? list.length : 0;
}

/** Like pacote: only the path of dist.attestations.url counts; the host is the configured registry. */
async function fetchAttestations(advertisedUrl: string, registry: string, http: HttpOptions): Promise<AttestationResponse> {
  const url = new URL(new URL(advertisedUrl, registry).pathname, registry).href;
  try {
    return readAttestationResponse(await getBytes(url, http, { maxBytes: ATTESTATIONS_MAX_BYTES }));
  } catch (err) {
    if (err instanceof FetchFailure && err.code === 'NOT_FOUND') return { kind: 'not-found' };
    if (err instanceof FetchFailure && err.code === 'TOO_LARGE') return { kind: 'too-large', bytes: ATTESTATIONS_MAX_BYTES + 1 };
    throw err;
  }
}

/** Claims from the full packument, or from a package whose history shows no provenance (its `_npmUser` is not read). */
function claimsComplete(claims: RegistryClaims | undefined): boolean {
  if (!claims) return false;
  return claims.document === 'full' || !(claims.own.provenance || claims.earlier.some((e) => e.claims.provenance));
}

function hasFailure(e: PackageEvidence): boolean {
  return e.integrity?.kind === 'failed' || e.signature?.kind === 'failed' || e.attestations?.kind === 'failed' || e.resolved?.kind === 'mismatch';
}

/** What arborist and pacote rewrite a lockfile `resolved` with. */
function npmFetchConfig(flat: FlatOptions): NpmFetchConfig {
  return { registry: stringOption(flat, 'registry') ?? 'https://registry.npmjs.org/', replaceRegistryHost: stringOption(flat, 'replaceRegistryHost') };
}

function unverifiable(ref: PackageRef, err: unknown): PackageEvidence {
  if (err instanceof FetchFailure) {
    const code: UnverifiableCode =
      err.code === 'NOT_FOUND'
        ? 'VERSION_NOT_FOUND'
        : err.code === 'OFFLINE_MISS'
          ? 'OFFLINE_MISS'
          : err.code === 'REGISTRY_UNREACHABLE'
            ? 'REGISTRY_UNREACHABLE'
            : 'REGISTRY_ERROR';
    return { ref, unverifiable: { code, message: err.message } };
  }
  if (err instanceof BudgetExceeded) return { ref, unverifiable: { code: 'VERIFICATION_BUDGET_EXCEEDED', message: err.message } };
  // Any exception inside a verifier is "not verified": fail closed, keep walking the tree.
  const message = err instanceof Error ? err.message : String(err);
  return { ref, unverifiable: { code: 'VERIFIER_ERROR', message } };
}

/** Served keys, and the pinned ones the registry no longer lists (a signature by one still verifies). */
function withPinned(served: readonly RegistryKey[], pinned: readonly RegistryKey[] | undefined): readonly RegistryKey[] {
  if (!pinned || pinned.length === 0) return served;
  const listed = new Set(served.map((k) => k.keyid));
  return [...served, ...pinned.filter((k) => !listed.has(k.keyid))];
}

async function summarizeRegistries(keys: Map<string, Promise<RegistryKeys>>): Promise<RegistryKeysSeen[]> {
  const seen = await Promise.all(
    [...keys].map(async ([url, pending]): Promise<RegistryKeysSeen> => {
      try {
        const k = await pending;
        if (k.kind === 'none') return { url, state: 'none', keys: [] };
        return { url, state: k.source === 'pinned' ? 'pinned' : 'served', keys: k.keys };
      } catch {
        return { url, state: 'unreachable', keys: [] };
      }
    }),
  );
  return seen.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
