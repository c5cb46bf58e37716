// What `vouch install` and `vouch ci` share after the tree is built: verify every node, fetch and bind
// the tarballs, decide, and only on an allow reify the same tree and record vouch.lock. Prints nothing:
// it returns what happened (InstallOutcome) and the command shows it (lib/cli/install-output.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Arborist from '@npmcli/arborist';
import type { Tree } from '@npmcli/arborist';
import { omitList, type NpmConfig } from '../config/index.js';
import type { ExitCode } from '../errors/index.js';
import { recordVerified, serializeLock, writeLockAtomic } from '../lock/index.js';
import type { Report } from '../policy/index.js';
import { prefetchSources } from '../registry/index.js';
import type { PrefetchedSource } from '../registry/tarballs.js';
import { assertLinkedSupported, gatedPrepareOptions, reifyVerified, verifyScriptsReviewed } from '../tree/index.js';
import type { ReifyBoundary } from '../tree/reify-boundary.js';
import type { ReifySummary } from '../tree/reify.js';
import type { NonRegistryRef } from '../tree/types.js';
import { exitCodeFor } from './exit.js';
import { decide, type GateInputs, type GateOptions } from './gate.js';
import { gatePlan } from './plan-gate.js';
import type { Output } from './output.js';

export interface InstallFlowOptions {
  gate: GateOptions;
  /** Write package.json / package-lock.json (install) or leave them (ci). */
  save: boolean;
  /** Record new versions and identities in vouch.lock after a successful install. */
  recordLock: boolean;
  add?: string[];
  saveType?: string;
  /** Called after the gate allowed and before reify (ci clears node_modules here). */
  beforeReify?: () => Promise<void>;
}

/** How an install ended; each carries the report the command prints. */
export type InstallOutcome =
  /** The gate denied (exit `code`): nothing in the project was touched, no script ran. */
  | { kind: 'denied'; report: Report; code: Exclude<ExitCode, 0> }
  /** --dry-run: `verified` packages verified and allowed, nothing written. */
  | { kind: 'dry-run'; report: Report; verified: number }
  /** --package-lock-only: package-lock.json written, nothing installed. */
  | { kind: 'lock-only'; report: Report }
  | { kind: 'installed'; report: Report; summary: ReifySummary };

/**
 * Verifies the install plan of `tree`; on an allow only, reifies that same tree from the verified bytes.
 * `out` carries only the progress of the evidence stage.
 */
export async function verifyThenReify(
  arb: Arborist,
  tree: Tree,
  inputs: GateInputs,
  config: NpmConfig,
  opts: InstallFlowOptions,
  out: Output,
): Promise<InstallOutcome> {
  const planned = await gatePlan(arb, tree, inputs, config, opts.gate, 'install', out);
  const report = planned.report;
  const code = exitCodeFor(report);
  // Verify before reify: on a deny nothing in the project is touched, no script runs.
  if (code !== 0) return { kind: 'denied', report, code };
  // --dry-run (or npm_config_dry_run): verified and judged, then nothing written, and said so.
  if (config.flat['dryRun'] === true) return { kind: 'dry-run', report, verified: planned.targets.packages.length };
  // --package-lock-only: arborist writes package-lock.json and nothing else, so no script has anything to run.
  const lockOnly = config.flat['packageLockOnly'] === true;
  // npm's strict-allow-scripts, before anything is written, over the scripts of the verified bytes too
  await verifyScriptsReviewed(tree, config.flat, planned.contentsOf);
  assertLinkedSupported(arb.options, tree);
  const allowedSources = report.verdicts.flatMap((v) => (v.kind === 'source' ? [v.ref] : [])); // all allowed: code 0
  // A git dependency's preparation installs its clone's dependencies through vouch's gate (lib/tree/git-prepare.ts).
  const prepare = gatedPrepareOptions(config.cacheDir);
  const prefetched = await prefetchSources(
    allowedSources,
    { ...config.flat, ...prepare, timeout: opts.gate.timeoutMs },
    planned.boundary.store,
    opts.gate.concurrency,
  );
  Object.assign(arb.options, prepare); // reify reads the prepared tarballs by digest; should it clone, it prepares the same way
  await opts.beforeReify?.();
  const installed = await reifyVerified(arb, tree, withPrefetched(planned.boundary, prefetched), {
    save: opts.save,
    runScripts: config.flat.ignoreScripts !== true && !lockOnly,
    omit: omitList(config),
    ...(opts.add ? { add: opts.add } : {}),
    ...(opts.saveType ? { saveType: opts.saveType } : {}),
  });
  if (opts.recordLock) await recordLock(inputs, report, opts.gate.cwd);
  return lockOnly ? { kind: 'lock-only', report } : { kind: 'installed', report, summary: installed };
}

/** The boundary with each prefetched git / remote source read by its digest from vouch's store. */
function withPrefetched(boundary: ReifyBoundary, prefetched: ReadonlyMap<string, PrefetchedSource>): ReifyBoundary {
  const allowed = new Map(boundary.allowed);
  for (const [path, entry] of allowed) {
    if (entry.kind !== 'source') continue;
    const fetched = prefetched.get(entry.spec);
    if (fetched) allowed.set(path, { ...entry, prefetched: fetched });
  }
  return { ...boundary, allowed };
}

/**
 * Judges the git / remote sources arborist would contact while building the tree (lib/tree
 * fetchedSources) before it runs: a source the policy does not allow is denied without being fetched.
 * Returns the deny, or null to go on.
 */
export function gateFetchedSources(sources: NonRegistryRef[], inputs: GateInputs, gate: GateOptions): Extract<InstallOutcome, { kind: 'denied' }> | null {
  if (sources.length === 0) return null;
  const report = decide({ packages: [], nonRegistry: sources }, { evidence: [], registries: [] }, inputs, gate);
  const code = exitCodeFor(report);
  return code === 0 ? null : { kind: 'denied', report, code };
}

async function recordLock(inputs: GateInputs, report: Report, cwd: string): Promise<void> {
  const next = recordVerified(inputs.lock, report);
  if (serializeLock(next) !== inputs.lockText) await writeLockAtomic(cwd, next);
}

/** The project's package.json, or {} when there is none yet (npm install creates it). */
export async function rootManifest(cwd: string): Promise<Record<string, unknown>> {
  try {
    const manifest = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as unknown;
    return typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>) : {};
  } catch {
    return {}; // missing or unreadable: arborist reports it as npm does
  }
}
