// The gate over an install plan: the targets are exactly what reify will extract or link (lib/tree
// install-plan.ts), their evidence is gathered, and a dependency's own npm-shrinkwrap.json is read from
// its verified bytes — as reify reads it — so the children it pins become targets in turn.
import { relative, resolve } from 'node:path';
import type Arborist from '@npmcli/arborist';
import type { Node, Tree } from '@npmcli/arborist';
import { omitList, type NpmConfig } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import { EvidenceCache, gatherEvidence, readVerifiedContents, TarballFetcher, VerifiedStore, withConcurrency } from '../registry/index.js';
import type { Gathered } from '../registry/evidence.js';
import type { VerifiedTarball } from '../registry/tarballs.js';
import { evidenceKey, inflateShrinkwrap, installPlan, packageKey, planBins, planOptions, planTargets, registryName } from '../tree/index.js';
import type { InstallPlan } from '../tree/install-plan.js';
import type { AllowedExtraction, AllowedSource, ReifyBoundary } from '../tree/reify-boundary.js';
import type { ContentsOf } from '../tree/script-review.js';
import type { PackageRef, Targets } from '../tree/types.js';
import { AttestationVerifier, loadTrustRoots, type PackageEvidence } from '../verify/index.js';
import { pinnedRegistryKeys, pinnedRegistryLogs } from '../lock/index.js';
import { needsPublishTime, needsTierClaims, requiredWitnesses, type Report } from '../policy/index.js';
import { decide, httpOptions, logStateDir, type GateInputs, type GateOptions } from './gate.js';
import { boundHeapGrowthFor } from './heap-growth.js';
import { outputProgress } from './progress.js';
import type { Output } from './output.js';
import { gatherVersionChanges } from './version-changes.js';

/** A dependency shrinkwrap may pin packages that ship shrinkwraps of their own; this many levels at most. */
const MAX_SHRINKWRAP_DEPTH = 8;

export interface PlanGate {
  targets: Targets;
  gathered: Gathered;
  report: Report;
  /** What reify may extract where (install mode: every verified package; verify mode: none). */
  boundary: ReifyBoundary;
  /** The contents of a registry node's verified tarball (install mode; verify mode: none were read). */
  contentsOf: ContentsOf;
}

/**
 * `install`: every target's tarball is fetched into the verified store and bound (vouch install / ci).
 * `verify`: only the tarballs the plan needs to read (dependency shrinkwraps) are fetched (vouch verify).
 * `verify-tarballs`: as verify, and every tarball is downloaded and hashed too (vouch verify --tarballs).
 */
export type PlanMode = 'install' | 'verify' | 'verify-tarballs';

/** Verifies the install plan of `tree` (the tree `arb` will reify), and decides. Writes nothing to the project. */
export async function gatePlan(
  arb: Arborist,
  tree: Tree,
  inputs: GateInputs,
  config: NpmConfig,
  opts: GateOptions,
  mode: PlanMode,
  out: Output,
): Promise<PlanGate> {
  const store = VerifiedStore.beside(config.cacheDir);
  const http = httpOptions(config, opts);
  const tarballs = new TarballFetcher({
    http: { ...http, flat: withConcurrency(config.flat, opts.concurrency) },
    store,
    npmCacheDir: config.cacheDir,
    concurrency: opts.concurrency,
  });
  const evidence = new EvidenceRounds(
    await EvidenceCache.open(config.cacheDir),
    new AttestationVerifier(loadTrustRoots(opts.trustedRoots)),
    inputs,
    config,
    opts,
    out,
  );
  const planOpts = planOptions(arb, omitList(config));
  const fetchAll = mode !== 'verify';
  const inflated = new Set<Node>();
  let targets: Targets;
  let plan: InstallPlan;
  for (let depth = 0; ; depth++) {
    plan = installPlan(tree, planOpts, { inflated });
    targets = planTargets(tree, plan, config);
    // verify holds two trees of the project (the lockfile's and the ideal one) as install does: bound both.
    if (depth === 0) boundHeapGrowthFor(targets.packages.length);
    await evidence.gather(targets.packages, fetchAll ? (e) => tarballs.start(e) : undefined);
    const pending = plan.shrinkwrapped.filter((node) => !inflated.has(node));
    if (pending.length === 0) break;
    if (depth >= MAX_SHRINKWRAP_DEPTH) {
      throw new VouchError(
        'SHRINKWRAP_TOO_DEEP',
        `dependency shrinkwraps nest more than ${MAX_SHRINKWRAP_DEPTH} levels deep (${pending.map((n) => n.location).join(', ')})`,
        {},
        'vouch reads at most that many levels; such a tree is not verified',
      );
    }
    for (const node of pending) await readShrinkwrap(node, evidence, tarballs, store, arb);
    for (const node of pending) inflated.add(node);
  }
  if (!opts.offline) await evidence.cache.save().catch(() => undefined); // a read-only cache only costs speed
  const planned = evidence.for(targets.packages);
  const fetched = fetchAll ? await tarballs.finish(planned) : { evidence: planned, tarballs: new Map<string, VerifiedTarball>() };
  const since = evidence.cachedSince();
  const gathered: Gathered = { evidence: fetched.evidence, registries: evidence.registries(), ...(since ? { cachedSince: since } : {}) };
  // What the verified bytes say about themselves (scripts, bins), read before anything is decided or written.
  const contents = await readVerifiedContents(store, fetched.tarballs, opts.concurrency);
  const contentsOf: ContentsOf = (node) => contents.get(packageKey(registryName(node), node.version));
  // Updates: what each brings compared with the version it replaces (the change alerts).
  const updates = await gatherVersionChanges(tree, targets.packages, inputs.lock, contentsOf, config.flat, http, opts.concurrency);
  targets = { ...targets, bins: planBins(plan, contentsOf), changes: updates.changes };
  const decided = decide(targets, gathered, inputs, opts);
  const report = withWorkspaceNotice({ ...decided, notices: [...decided.notices, ...updates.notices] }, config, opts.cwd);
  return { targets, gathered, report, boundary: reifyBoundary(tree, targets, report, fetched.tarballs, store), contentsOf };
}

/**
 * Reads `node`'s npm-shrinkwrap.json into the tree from its verified tarball. A node whose bytes do not
 * verify is not read (its children stay as the lockfile says): the node itself is denied.
 */
async function readShrinkwrap(node: Node, evidence: EvidenceRounds, tarballs: TarballFetcher, store: VerifiedStore, arb: Arborist): Promise<void> {
  const known = evidence.forNode(node);
  if (!known) return; // not a registry package: judged as a source
  const fetched = await tarballs.finish([known]);
  evidence.replace(fetched.evidence[0]!);
  const verified = fetched.tarballs.get(packageKey(known.ref.name, known.ref.version));
  if (!verified) return;
  await inflateShrinkwrap(node, { store: store.path, integrity: verified.integrity, url: verified.url }, arb.options);
}

/** What reify may extract at each folder: the verified packages at their locations, and the allowed sources. */
function reifyBoundary(tree: Tree, targets: Targets, report: Report, tarballs: ReadonlyMap<string, VerifiedTarball>, store: VerifiedStore): ReifyBoundary {
  const allowed = new Map<string, AllowedExtraction | AllowedSource>();
  for (const ref of targets.packages) {
    const tarball = tarballs.get(packageKey(ref.name, ref.version));
    if (!tarball) continue;
    for (const location of ref.locations)
      allowed.set(resolve(tree.path, location), { kind: 'verified', integrity: tarball.integrity, url: tarball.url, pkg: ref.name });
  }
  for (const verdict of report.verdicts) {
    if (verdict.kind !== 'source' || verdict.decision === 'deny') continue;
    for (const location of verdict.ref.locations) allowed.set(resolve(tree.path, location), { kind: 'source', spec: verdict.ref.spec, pkg: verdict.ref.name });
  }
  return { store: store.path, allowed };
}

/** Evidence gathered over the plan's rounds, one entry per name@version@integrity, shared caches and verifier. */
class EvidenceRounds {
  private readonly byKey = new Map<string, PackageEvidence>();
  private readonly registryList = new Map<string, Gathered['registries'][number]>();
  private oldestCached: Date | undefined;

  constructor(
    readonly cache: EvidenceCache,
    private readonly verifier: AttestationVerifier,
    private readonly inputs: GateInputs,
    private readonly config: NpmConfig,
    private readonly opts: GateOptions,
    private readonly out: Output,
  ) {}

  /** Gathers what is not known yet of `refs`. */
  async gather(refs: readonly PackageRef[], onEvidence?: (e: PackageEvidence) => void): Promise<void> {
    const fresh = refs.filter((ref) => !this.byKey.has(evidenceKey(ref)));
    if (fresh.length === 0) return;
    const progress = outputProgress(this.out, fresh.length, this.opts.quiet !== true);
    const gathered = await gatherEvidence(fresh, {
      http: httpOptions(this.config, this.opts),
      concurrency: this.opts.concurrency,
      verifier: this.verifier,
      cache: this.cache,
      now: this.opts.now,
      needPublishTime: needsPublishTime(this.inputs.policy),
      needTierClaims: needsTierClaims(this.inputs.policy),
      pinnedKeys: pinnedRegistryKeys(this.inputs.lock),
      pinnedLogs: pinnedRegistryLogs(this.inputs.lock),
      witnesses: requiredWitnesses(this.inputs.policy),
      logStateDir: logStateDir(this.config),
      onPackage: (ref) => progress.tick(ref.name),
      ...(onEvidence ? { onEvidence } : {}),
    });
    progress.done();
    for (const e of gathered.evidence) this.byKey.set(evidenceKey(e.ref), e);
    for (const r of gathered.registries) if (!this.registryList.has(r.url) || r.state !== 'unreachable') this.registryList.set(r.url, r);
    if (gathered.cachedSince && (!this.oldestCached || gathered.cachedSince < this.oldestCached)) this.oldestCached = gathered.cachedSince;
  }

  /** Offline: when the oldest cached registry data judged in any round was fetched. */
  cachedSince(): Date | undefined {
    return this.oldestCached;
  }

  /** The evidence of the registry package at `node`, if one was gathered. */
  forNode(node: Node): PackageEvidence | undefined {
    for (const e of this.byKey.values()) {
      if (
        e.ref.name === registryName(node) &&
        e.ref.version === node.version &&
        e.ref.integrity === (node.integrity ?? null) &&
        e.ref.locations.includes(node.location)
      )
        return e;
    }
    return undefined;
  }

  replace(e: PackageEvidence): void {
    this.byKey.set(evidenceKey(e.ref), e);
  }

  /** The evidence of `refs`, each carrying that ref (its locations as the final plan has them). */
  for(refs: readonly PackageRef[]): PackageEvidence[] {
    return refs.map((ref) => ({ ...this.byKey.get(evidenceKey(ref))!, ref }));
  }

  registries(): Gathered['registries'] {
    return [...this.registryList.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }
}

/** With -w / --workspaces, or run from a workspace folder: which workspaces the verdicts cover. */
function withWorkspaceNotice(report: Report, config: NpmConfig, root: string): Report {
  if (!config.workspaces) return report;
  const names = [...config.workspaces].map(([name, folder]) => `${name} (${relative(root, folder) || '.'})`);
  const scope = `workspace${names.length === 1 ? '' : 's'} ${names.join(', ')}${config.flat['includeWorkspaceRoot'] === true ? ' and the root project' : ''}`;
  return { ...report, notices: [`verified the dependencies of ${scope} only, as npm installs them`, ...report.notices] };
}
