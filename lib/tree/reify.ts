// Installs exactly the verified tree: pins each node to its verified integrity (its tarball is already
// in the cache by that integrity, see lib/registry/tarballs.ts), then reifies the SAME tree offline with
// scripts off, and runs install scripts afterwards (all nodes were allowed, or reify is never reached),
// then the project's own install lifecycle, as npm install / npm ci do.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { collectUnreviewedScripts } from '@npmcli/arborist/lib/unreviewed-scripts.js';
import type { AllowScriptsPolicy } from '../config/index.js';
import { VouchError, truncate } from '../errors/index.js';
import type { VerifiedTarball } from '../registry/index.js';
import { EXTRACT_CONCURRENCY, withExtractLimit } from './extract-limit.js';
import { registryName } from './targets.js';

export interface ReifyOptions {
  /** Write package.json / package-lock.json (install) or not (ci). */
  save: boolean;
  /** Run dependencies' install scripts after reify (npm config ignore-scripts=false). */
  runScripts: boolean;
  add?: string[];
  saveType?: string;
}

/** Reifies `tree` (the ideal tree arborist built and vouch verified) from the cache only. */
export async function reifyVerified(arb: Arborist, tree: Tree, verified: ReadonlyMap<string, VerifiedTarball>, opts: ReifyOptions): Promise<void> {
  pinVerified(tree, verified);
  const options = (arb as unknown as { options: Record<string, unknown> }).options;
  // Offline: anything not prefetched (an extra node, a shrinkwrap inside a tarball) fails ENOTCACHED
  // instead of being fetched unverified.
  options.offline = true;
  options.ignoreScripts = true;
  arb.idealTree = tree;
  try {
    await withExtractLimit(EXTRACT_CONCURRENCY, () => arb.reify({ save: opts.save, ...(opts.add ? { add: opts.add } : {}), ...(opts.saveType ? { saveType: opts.saveType } : {}) }));
  } catch (err) {
    throw interrupted(err) ?? err;
  }
  if (!opts.runScripts) return;
  try {
    await runInstallScripts(tree, options);
    // npm install (without package arguments) and npm ci then run the project's own install lifecycle.
    if (!opts.add?.length) await runProjectScripts(tree.path, options);
  } catch (err) {
    // As npm: the tree is installed, a script failed, the command fails (exit 1) with the script's error.
    const e = err as { message?: string; event?: string; pkgid?: string; code?: unknown };
    throw new VouchError('INSTALL_SCRIPT_FAILED', `an install script failed${e.pkgid ? ` (${e.pkgid}${e.event ? ` ${e.event}` : ''})` : ''}: ${truncate(e.message ?? String(err), 300)}`,
      { file: join(tree.path, 'package.json') }, 'fix the script or run with --ignore-scripts; node_modules is installed, vouch.lock was not updated', { cause: err });
  }
}

/**
 * arborist's answer to SIGINT/SIGTERM during reify: it rolls node_modules back, rejects with the signal,
 * and re-raises it when the process is about to exit (so vouch still dies by that signal). The caller
 * never reaches the package-lock.json save or the vouch.lock record; this says so instead of "a bug".
 */
function interrupted(err: unknown): VouchError | undefined {
  const signal = typeof err === 'object' && err !== null ? (err as { signal?: unknown }).signal : undefined;
  if (typeof signal !== 'string') return undefined;
  return new VouchError('INTERRUPTED', `interrupted by ${signal} while installing: node_modules was rolled back; package.json, package-lock.json and vouch.lock were not written`,
    {}, 'run the command again', { cause: err });
}

function pinVerified(tree: Tree, verified: ReadonlyMap<string, VerifiedTarball>): void {
  for (const node of tree.inventory.values()) {
    const pinned = verified.get(`${registryName(node)}@${node.version}`);
    if (!pinned || node.isProjectRoot || node.isLink) continue;
    node.integrity = pinned.integrity;
    node.resolved ??= pinned.url;
  }
}

/** The events npm/cli lib/commands/install.js and ci.js run in the project folder, in this order. */
const PROJECT_EVENTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'] as const;

async function runProjectScripts(path: string, options: Record<string, unknown>): Promise<void> {
  const runScript = createRequire(import.meta.url)('@npmcli/run-script') as (opts: Record<string, unknown>) => Promise<unknown>;
  const scriptShell = typeof options['scriptShell'] === 'string' ? options['scriptShell'] : undefined;
  for (const event of PROJECT_EVENTS) {
    // npm inherits stdio; the child's stdout goes to vouch's stderr so a --format json report stays parseable.
    await runScript({ event, path, args: [], scriptShell, stdio: ['inherit', 2, 2] });
  }
}

/**
 * The install scripts of the tree just reified (what npm's reify runs when scripts are on). The nodes come
 * from that tree, not a second read of node_modules: a node the lockfile marks `hasInstallScript` has its
 * scripts read from its installed package.json by arborist's rebuild. Bins are already linked.
 */
async function runInstallScripts(tree: Tree, options: Record<string, unknown>): Promise<void> {
  const nodes = [...tree.inventory.values()].filter((n: Node) => n.hasInstallScript && !n.isProjectRoot);
  if (nodes.length === 0) return;
  await new Arborist({ ...options, offline: true, ignoreScripts: false, binLinks: false }).rebuild({ nodes });
}

/**
 * npm's `strict-allow-scripts` preflight: install scripts the allowScripts policy does not cover stop
 * the install before anything is written (npm: ESTRICTALLOWSCRIPTS). Without strict mode npm runs them
 * with a warning, and so does vouch.
 */
export async function verifyScriptsReviewed(tree: Tree, flat: Record<string, unknown>): Promise<void> {
  if (flat['strictAllowScripts'] !== true) return;
  const unreviewed = await collectUnreviewedScripts({
    tree,
    policy: (flat['allowScripts'] ?? null) as AllowScriptsPolicy | null,
    ignoreScripts: flat['ignoreScripts'] === true,
    dangerouslyAllowAllScripts: flat['dangerouslyAllowAllScripts'] === true,
  });
  if (unreviewed.length === 0) return;
  const names = unreviewed.map(({ node }) => `${registryName(node)}@${node.version}`).sort();
  throw new VouchError('SCRIPTS_UNREVIEWED', `strict-allow-scripts: ${names.length} package(s) have install scripts not covered by allowScripts: ${names.join(', ')}`,
    { file: join(tree.path, 'package.json'), path: 'allowScripts' },
    'approve or deny them in package.json "allowScripts" (npm install-scripts approve|deny), or turn strict-allow-scripts off');
}
