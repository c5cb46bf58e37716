// What `vouch install` and `vouch ci` share after the tree is built: verify every node, fetch and bind
// the tarballs, decide, and only on an allow reify the same tree and record vouch.lock.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Arborist from '@npmcli/arborist';
import type { Tree } from '@npmcli/arborist';
import type { NpmConfig } from '../config/index.js';
import type { ExitCode } from '../errors/index.js';
import { recordVerified, serializeLock, writeLockAtomic } from '../lock/index.js';
import type { Report } from '../policy/index.js';
import { prefetchSources, type PrefetchedSource } from '../registry/index.js';
import { assertLinkedSupported, gatedPrepareOptions, reifyVerified, verifyScriptsReviewed, type NonRegistryRef, type ReifyBoundary, type ReifySummary } from '../tree/index.js';
import { omitList } from './common-flags.js';
import { exitCodeFor } from './exit.js';
import { decide, type GateInputs, type GateOptions } from './gate.js';
import { gatePlan } from './plan-gate.js';
import type { Output } from './output.js';
import type { Format } from './render/index.js';
import { emitReport, type ReportFile } from './report-files.js';

export interface InstallFlowOptions {
  gate: GateOptions;
  format: Format;
  verbose: boolean;
  /** --report-file: the report also written in these formats (ci, verify). */
  reportFiles?: readonly ReportFile[];
  /** npm's --silent: a success prints nothing (a deny still prints its report). */
  quiet?: boolean;
  /** Write package.json / package-lock.json (install) or leave them (ci). */
  save: boolean;
  /** Record new versions and identities in vouch.lock after a successful install. */
  recordLock: boolean;
  add?: string[];
  saveType?: string;
  /** Called after the gate allowed and before reify (ci clears node_modules here). */
  beforeReify?: () => Promise<void>;
}

/** Verifies the install plan of `tree`; on an allow only, reifies that same tree from the verified bytes. */
export async function verifyThenReify(arb: Arborist, tree: Tree, inputs: GateInputs, config: NpmConfig, opts: InstallFlowOptions, out: Output): Promise<ExitCode> {
  const planned = await gatePlan(arb, tree, inputs, config, opts.gate, 'install', out);
  const report = planned.report;
  const code = exitCodeFor(report);
  if (code !== 0) {
    // Verify before reify: nothing in the project was touched, no script ran.
    await emitGateReport(report, opts, out);
    return code;
  }
  const say = (text: string) => {
    if (!opts.quiet) out.stdout(text);
  };
  if (config.flat['dryRun'] === true) {
    // --dry-run (or npm_config_dry_run): verified and judged, then nothing written, and said so.
    await emitGateReport(report, opts, out, opts.quiet);
    if (opts.format === 'text') say(`vouch: --dry-run: ${planned.targets.packages.length} packages verified and allowed; nothing was installed or written in the project`);
    return 0;
  }
  // --package-lock-only: arborist writes package-lock.json and nothing else, so no script has anything to run.
  const lockOnly = config.flat['packageLockOnly'] === true;
  // npm's strict-allow-scripts, before anything is written, over the scripts of the verified bytes too
  await verifyScriptsReviewed(tree, config.flat, planned.contentsOf);
  assertLinkedSupported(arb.options, tree);
  const allowedSources = report.verdicts.flatMap((v) => (v.kind === 'source' ? [v.ref] : [])); // all allowed: code 0
  // A git dependency's preparation installs its clone's dependencies through vouch's gate (lib/tree/git-prepare.ts).
  const prepare = gatedPrepareOptions(config.cacheDir);
  const prefetched = await prefetchSources(allowedSources, { ...config.flat, ...prepare, timeout: opts.gate.timeoutMs }, planned.boundary.store, opts.gate.concurrency);
  Object.assign(arb.options, prepare); // reify reads the prepared tarballs by digest; should it clone, it prepares the same way
  await opts.beforeReify?.();
  const installed = await reifyVerified(arb, tree, withPrefetched(planned.boundary, prefetched), {
    save: opts.save,
    runScripts: config.flat.ignoreScripts !== true && !lockOnly,
    omit: omitList(config.flat.omit),
    ...(opts.add ? { add: opts.add } : {}),
    ...(opts.saveType ? { saveType: opts.saveType } : {}),
  });
  if (opts.recordLock) await recordLock(inputs, report, opts.gate.cwd);
  await emitGateReport(report, opts, out, opts.quiet);
  if (opts.format === 'text') say(lockOnly ? 'vouch: --package-lock-only: every package verified; package-lock.json written, nothing installed' : installSummary(installed));
  return 0;
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

/** npm's closing line, and what happened to install scripts: `added 77 packages, removed 1, changed 2; install scripts: 3 ran`. */
function installSummary(s: ReifySummary): string {
  const n = (count: number) => (count === 1 ? '1 package' : `${count} packages`);
  const parts = [`added ${n(s.added)}`, ...(s.removed > 0 ? [`removed ${n(s.removed)}`] : []), ...(s.changed > 0 ? [`changed ${n(s.changed)}`] : [])];
  const scripts = s.scripts.ran > 0 ? `; install scripts of ${n(s.scripts.ran)} ran` : s.scripts.skipped > 0 ? `; install scripts of ${n(s.scripts.skipped)} skipped (--ignore-scripts)` : '';
  return `vouch: installed only verified bytes: ${parts.join(', ')}${scripts}`;
}

/**
 * Judges the git / remote sources arborist would contact while building the tree (lib/tree
 * fetchedSources) before it runs: a source the policy does not allow is denied without being fetched.
 * Returns the exit code of a deny (report printed), or null to go on.
 */
export async function gateFetchedSources(sources: NonRegistryRef[], inputs: GateInputs, opts: ReportOptions, out: Output): Promise<ExitCode | null> {
  if (sources.length === 0) return null;
  const report = decide({ packages: [], nonRegistry: sources }, { evidence: [], registries: [] }, inputs, opts.gate);
  const code = exitCodeFor(report);
  if (code === 0) return null;
  await emitGateReport(report, opts, out);
  return code;
}

async function recordLock(inputs: GateInputs, report: Report, cwd: string): Promise<void> {
  const next = recordVerified(inputs.lock, report);
  if (serializeLock(next) !== inputs.lockText) await writeLockAtomic(cwd, next);
}

type ReportOptions = Pick<InstallFlowOptions, 'gate' | 'format' | 'verbose' | 'reportFiles'>;

function emitGateReport(report: Report, opts: ReportOptions, out: Output, quiet = false): Promise<void> {
  return emitReport(report, { format: opts.format, verbose: opts.verbose, files: opts.reportFiles ?? [] }, opts.gate.cwd, out, quiet);
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
