// The gate every verifying command shares: policy and lock in, evidence gathered, policy evaluated.
// Commands differ only in where the tree comes from and what happens after an allow.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Arborist from '@npmcli/arborist';
import { loadNpmConfig, type NpmConfig } from '../config/index.js';
import { loadPolicy, evaluate, needsPublishTime, type Policy } from '../policy/index.js';
import type { Report } from '../policy/report.js';
import { readLock, type Lock } from '../lock/index.js';
import { EvidenceCache, gatherEvidence, TreePackuments, type Gathered, type HttpOptions } from '../registry/index.js';
import { buildIdealTree, projectArborist, listTargets, loadTree, type Targets } from '../tree/index.js';
import { AttestationVerifier, loadTrustRoots, type PackageEvidence } from '../verify/index.js';
import { omitList } from './common-flags.js';
import { createProgress } from './progress.js';
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
 * The evidence stage with vouch's caches, trust roots and a progress bar on a TTY; `onEvidence` sees
 * each package's evidence as soon as it is complete.
 */
export async function gather(
  targets: Targets, inputs: GateInputs, config: NpmConfig, opts: GateOptions, out: Output, onEvidence?: (e: PackageEvidence) => void,
): Promise<Gathered> {
  const verifier = new AttestationVerifier(loadTrustRoots(opts.trustedRoots));
  const cache = await EvidenceCache.open(config.cacheDir);
  const progress = createProgress({ total: targets.packages.length, out: process.stderr, enabled: out.isTTY });
  const http = httpOptions(config, opts);
  const gathered = await gatherEvidence(targets.packages, {
    http, concurrency: opts.concurrency, verifier, cache, now: opts.now,
    needPublishTime: needsPublishTime(inputs.policy),
    onPackage: (ref) => progress.tick(ref.name),
    ...(onEvidence ? { onEvidence } : {}),
  });
  progress.done();
  if (!opts.offline) await cache.save().catch(() => undefined); // a read-only cache only costs speed
  return gathered;
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
export function decide(targets: Targets, gathered: Gathered, inputs: GateInputs, opts: GateOptions): Report {
  return evaluate({
    evidence: gathered.evidence, nonRegistry: targets.nonRegistry, registries: gathered.registries,
    policy: inputs.policy, lock: inputs.lock, now: opts.now, locked: opts.locked,
  });
}

/** The lockfile text for SARIF locations (absent lockfile: no lines, not an error here). */
export async function lockfileText(cwd: string): Promise<string | undefined> {
  return readFile(join(cwd, 'package-lock.json'), 'utf8').catch(() => undefined);
}

export interface TreeGate extends GateResult {
  inputs: GateInputs;
  targets: Targets;
}

/** The whole read-only pipeline over the project's lockfile (or node_modules): what verify, explain and approve run. */
export async function gateProjectTree(opts: GateOptions, npmArgs: string[], installed: boolean, out: Output): Promise<TreeGate> {
  const inputs = await readTrustFiles(opts.cwd);
  const config = await loadNpmConfig(opts.cwd, npmArgs);
  const targets = await projectTargets(opts.cwd, config, installed ? 'actual' : 'virtual');
  return { ...(await runGate(targets, inputs, config, opts, out)), inputs, targets };
}

/**
 * The targets of the project's tree. The arborist tree stays inside: a local of the caller would stay
 * alive for the whole gate (a suspended async function keeps its registers), and at 5,000 packages
 * that tree is most of the heap the evidence stage does not need.
 */
async function projectTargets(cwd: string, config: NpmConfig, kind: 'actual' | 'virtual'): Promise<Targets> {
  return listTargets(await loadTree(cwd, config, kind), config, omitList(config.flat.omit));
}

/**
 * The same read-only pipeline over the tree `vouch install <add…>` would install (arborist's ideal tree,
 * nothing written): what approve judges when the version to approve is not in the lockfile yet.
 * Registry specs only: a git or remote spec would be fetched to build the tree.
 */
export async function gateIdealTree(opts: GateOptions, npmArgs: string[], add: string[], out: Output): Promise<TreeGate> {
  const inputs = await readTrustFiles(opts.cwd);
  const config = await loadNpmConfig(opts.cwd, npmArgs);
  const targets = await idealTargets(opts, config, add);
  return { ...(await runGate(targets, inputs, config, opts, out)), inputs, targets };
}

/** As projectTargets, for the ideal tree of `vouch install <add…>`. */
async function idealTargets(opts: GateOptions, config: NpmConfig, add: string[]): Promise<Targets> {
  return listTargets(await buildIdealTree(treeArborist(opts.cwd, config, opts), { add }), config, omitList(config.flat.omit));
}
