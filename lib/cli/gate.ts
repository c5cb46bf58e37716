// The gate every verifying command shares: policy and lock in, evidence gathered, policy evaluated.
// Commands differ only in where the tree comes from and what happens after an allow.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Arborist from '@npmcli/arborist';
import type { BuildIdealTreeOptions, Tree } from '@npmcli/arborist';
import type { NpmConfig } from '../config/index.js';
import { loadPolicy, evaluate, needsPublishTime, needsTierClaims, requiredWitnesses, type Report } from '../policy/index.js';
import type { InstalledFolder } from '../policy/installed-files.js';
import type { Policy } from '../policy/policy.js';
import { pinnedRegistryKeys, pinnedRegistryLogs, readLock } from '../lock/index.js';
import type { Lock } from '../lock/types.js';
import { EvidenceCache, gatherEvidence, TreePackuments } from '../registry/index.js';
import type { Gathered } from '../registry/evidence.js';
import type { HttpOptions } from '../registry/http.js';
import { buildIdealTree, projectArborist, SourceDenied, withSourceGuard, type LockfileKind } from '../tree/index.js';
import type { NonRegistryRef, Targets } from '../tree/types.js';
import { AttestationVerifier, loadTrustRoots, type PackageEvidence } from '../verify/index.js';
import { exitCodeFor } from './exit.js';
import { outputProgress } from './progress.js';
import type { Output } from './output.js';

export interface GateOptions {
  cwd: string;
  offline: boolean;
  concurrency: number;
  timeoutMs: number;
  trustedRoots: string[];
  /** vouch ci / verify --locked: versions missing from vouch.lock are denied. */
  locked: boolean;
  now: Date;
  /** npm's --silent: no progress on stderr. */
  quiet?: boolean;
  /** verify: which lockfile to read (default: detected, lib/tree/lockfiles). */
  lockfileKind?: LockfileKind;
  /** Run inside another program (the Node API, lib/api): nothing process-wide is changed (V8's heap growth). */
  embedded?: boolean;
}

export interface GateInputs {
  policy: Policy;
  lock: Lock;
  /** vouch.lock as stored (null when absent), for canonical-form checks and diffs. */
  lockText: string | null;
  lockFile: string;
}

export interface GateResult extends Gathered {
  report: Report;
}

/** Reads vouch.policy.json and vouch.lock first: a malformed file stops the run (exit 2) before any network. */
export async function readTrustFiles(cwd: string): Promise<GateInputs> {
  const [policy, loaded] = await Promise.all([loadPolicy(cwd), readLock(cwd)]);
  return { policy, lock: loaded.lock, lockText: loaded.text, lockFile: loaded.file };
}

/** Gathers evidence for `targets` and evaluates it; never writes to the project. */
export async function runGate(targets: Targets, inputs: GateInputs, config: NpmConfig, opts: GateOptions, out: Output): Promise<GateResult> {
  const gathered = await gather(targets, inputs, config, opts, out);
  return { ...gathered, report: decide(targets, gathered, inputs, opts) };
}

/**
 * The evidence stage with vouch's caches, trust roots and progress on `out`; `onEvidence` sees
 * each package's evidence as soon as it is complete.
 */
export async function gather(
  targets: Targets,
  inputs: GateInputs,
  config: NpmConfig,
  opts: GateOptions,
  out: Output,
  onEvidence?: (e: PackageEvidence) => void,
): Promise<Gathered> {
  const verifier = new AttestationVerifier(loadTrustRoots(opts.trustedRoots));
  const cache = await EvidenceCache.open(config.cacheDir);
  const progress = outputProgress(out, targets.packages.length, opts.quiet !== true);
  const http = httpOptions(config, opts);
  const gathered = await gatherEvidence(targets.packages, {
    http,
    concurrency: opts.concurrency,
    verifier,
    cache,
    now: opts.now,
    needPublishTime: needsPublishTime(inputs.policy),
    needTierClaims: needsTierClaims(inputs.policy),
    pinnedKeys: pinnedRegistryKeys(inputs.lock),
    pinnedLogs: pinnedRegistryLogs(inputs.lock),
    witnesses: requiredWitnesses(inputs.policy),
    logStateDir: logStateDir(config),
    onPackage: (ref) => progress.tick(ref.name),
    ...(onEvidence ? { onEvidence } : {}),
  });
  progress.done();
  if (!opts.offline) await cache.save().catch(() => undefined); // a read-only cache only costs speed
  return gathered;
}

/** Where vouch keeps, per registry, the signing log it saw last (beside its evidence cache). */
export function logStateDir(config: NpmConfig): string {
  return join(dirname(config.cacheDir), '_vouch', 'logs');
}

/** vouch's bounds on every registry request of a run: time per request, retries (none offline). */
export function httpOptions(config: NpmConfig, opts: Pick<GateOptions, 'offline' | 'timeoutMs'>): HttpOptions {
  return { flat: config.flat, offline: opts.offline, timeoutMs: opts.timeoutMs, retries: opts.offline ? 0 : 2 };
}

/**
 * The arborist that builds the ideal tree: its packument requests go through vouch's HTTP layer
 * (lib/registry/tree-packuments.ts), with the same size, time and retry bounds as the evidence stage.
 */
export function treeArborist(cwd: string, config: NpmConfig, opts: Pick<GateOptions, 'offline' | 'timeoutMs'>): Arborist {
  const http = httpOptions(config, opts);
  return projectArborist(cwd, config, { timeout: opts.timeoutMs, packumentCache: new TreePackuments(http) });
}

/** The policy stage over gathered evidence (pure). */
export function decide(targets: Targets, gathered: Gathered, inputs: GateInputs, opts: GateOptions, installed?: readonly InstalledFolder[]): Report {
  const report = evaluate({
    evidence: gathered.evidence,
    nonRegistry: targets.nonRegistry,
    registries: gathered.registries,
    policy: inputs.policy,
    lock: inputs.lock,
    now: opts.now,
    locked: opts.locked,
    ...(targets.bins ? { bins: targets.bins } : {}),
    ...(targets.changes ? { changes: targets.changes } : {}),
    ...(installed ? { installed } : {}),
  });
  return gathered.cachedSince ? { ...report, notices: [...report.notices, cachedNotice(gathered.cachedSince, opts.now)] } : report;
}

/** Offline: how old the registry data is that the verdicts stand on. */
function cachedNotice(since: Date, now: Date): string {
  const days = Math.floor((now.getTime() - since.getTime()) / 86_400_000);
  const age = days < 1 ? 'less than a day ago' : days === 1 ? '1 day ago' : `${days} days ago`;
  return `--offline: judged on registry data from vouch's cache, the oldest fetched ${since.toISOString()} (${age}); keys, signatures and attestations were re-checked, not re-fetched`;
}

/** The lockfile text for SARIF locations (absent lockfile: no lines, not an error here). */
export async function lockfileText(cwd: string, file = join(cwd, 'package-lock.json')): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** The tree arborist builds, or the first git / remote / file source it met that the policy denies. */
export type JudgedTree = { kind: 'tree'; tree: Tree } | { kind: 'denied'; ref: NonRegistryRef };

/**
 * arborist's buildIdealTree with every non-registry source it meets on the way (arguments, the root
 * manifest, dependencies' manifests) judged by the policy before it is fetched (lib/tree/source-guard.ts).
 */
export async function buildJudgedTree(arb: Arborist, buildOptions: BuildIdealTreeOptions, inputs: GateInputs, opts: GateOptions): Promise<JudgedTree> {
  const judge = (ref: NonRegistryRef) => exitCodeFor(decide({ packages: [], nonRegistry: [ref] }, { evidence: [], registries: [] }, inputs, opts)) === 0;
  try {
    return { kind: 'tree', tree: await withSourceGuard(judge, () => buildIdealTree(arb, buildOptions)) };
  } catch (err) {
    if (err instanceof SourceDenied) return { kind: 'denied', ref: err.ref };
    throw err;
  }
}
