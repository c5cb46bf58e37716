// Installs exactly the verified tree: pins each node to its verified integrity (its tarball is already
// in vouch's verified store by that integrity, see lib/registry/tarballs.ts), then reifies the SAME tree
// offline from that store alone, with scripts off and every extraction checked at the reify boundary
// (reify-boundary.ts), and runs install scripts afterwards (all nodes were allowed, or reify is never
// reached), then the project's own install lifecycle, as npm install / npm ci do.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { isScriptAllowed } from '@npmcli/arborist/lib/script-allowed.js';
import type { AllowScriptsPolicy } from '../config/allow-scripts.js';
import { VouchError, truncate } from '../errors/index.js';
import { isLinkedStrategy, isolatedTree, storeScriptNodes, withStoreFolders, type IsolatedNode } from './linked.js';
import { withReifyBoundary, type ReifyBoundary } from './reify-boundary.js';

export interface ReifyOptions {
  /** Write package.json / package-lock.json (install) or not (ci). */
  save: boolean;
  /** Run dependencies' install scripts after reify (npm config ignore-scripts=false). */
  runScripts: boolean;
  add?: string[];
  saveType?: string;
  /** npm's omit list: reify is given it, as the install plan was. */
  omit: readonly string[];
}

/** What an install changed in node_modules, counted as npm's install summary counts it. */
export interface ReifySummary {
  added: number;
  removed: number;
  changed: number;
  /** Packages whose install scripts ran, or were skipped (--ignore-scripts). */
  scripts: { ran: number; skipped: number };
}

/** Reifies `tree` (the ideal tree arborist built and vouch verified) from vouch's verified store only. */
export async function reifyVerified(arb: Arborist, tree: Tree, boundary: ReifyBoundary, opts: ReifyOptions): Promise<ReifySummary> {
  pinVerified(tree, boundary);
  const options = (arb as unknown as { options: Record<string, unknown> }).options;
  // install-strategy=linked: reify writes the isolated layout (node_modules/.store), the same packages elsewhere.
  const linked = isLinkedStrategy(options) ? await isolatedTree(options, tree) : null;
  // Offline from the store: anything not verified and stored (an extra node, a packument) fails
  // ENOTCACHED instead of being fetched unverified; the boundary refuses it before that.
  Object.assign(options, { offline: true, preferOnline: false, preferOffline: false, cache: boundary.store, ignoreScripts: true });
  arb.idealTree = tree;
  let refused: { dest: string; spec: string; reason: string }[];
  try {
    ({ refused } = await withReifyBoundary(linked ? withStoreFolders(boundary, tree, linked) : boundary, () =>
      arb.reify({
        save: opts.save,
        omit: [...opts.omit],
        ...(opts.add ? { add: opts.add } : {}),
        ...(opts.saveType ? { saveType: opts.saveType } : {}),
      }),
    ));
  } catch (err) {
    throw interrupted(err) ?? cacheMiss(err) ?? err;
  }
  if (refused.length > 0) {
    // Optional packages arborist skipped after the boundary refused them: nothing unverified was written.
    throw new VouchError(
      'REIFY_UNVERIFIED',
      `refused to install ${refused.length} optional package(s) vouch had not verified (${refused.map((r) => r.spec).join(', ')}); they were not installed`,
      {},
      "run `vouch verify` and report this as a bug in vouch's install plan",
    );
  }
  const nodes = linked ? storeScriptNodes(linked) : scriptNodes(tree);
  const withScripts = nodes.filter((n) => isScriptAllowed(n, allowScriptsOf(options)) !== false || options['dangerouslyAllowAllScripts'] === true).length;
  const summary = {
    ...diffCounts(arb, tree, linked !== null),
    scripts: { ran: opts.runScripts ? withScripts : 0, skipped: opts.runScripts ? 0 : withScripts },
  };
  if (!opts.runScripts) return summary;
  try {
    await runInstallScripts(nodes, options);
    // npm install (without package arguments) and npm ci then run the project's own install lifecycle.
    if (!opts.add?.length) await runProjectScripts(tree.path, options);
  } catch (err) {
    // As npm: the tree is installed, a script failed, the command fails (exit 1) with the script's error.
    const e = err as { message?: string; event?: string; pkgid?: string; code?: unknown };
    throw new VouchError(
      'INSTALL_SCRIPT_FAILED',
      `an install script failed${e.pkgid ? ` (${e.pkgid}${e.event ? ` ${e.event}` : ''})` : ''}: ${truncate(e.message ?? String(err), 300)}`,
      { file: join(tree.path, 'package.json') },
      'fix the script or run with --ignore-scripts; node_modules is installed, vouch.lock was not updated',
      { cause: err },
    );
  }
  return summary;
}

interface DiffNode {
  action: 'ADD' | 'REMOVE' | 'CHANGE' | null;
  ideal: Node | null;
  children: DiffNode[];
}

/**
 * Added, removed and changed packages of the reify that just ran (arb.diff), as npm's reify output counts
 * them; under install-strategy=linked the diff is of the isolated tree, whose packages are its store folders.
 */
function diffCounts(arb: Arborist, tree: Tree, linked: boolean): Pick<ReifySummary, 'added' | 'removed' | 'changed'> {
  const counts = { added: 0, removed: 0, changed: 0 };
  const diff = (arb as unknown as { diff?: DiffNode | null }).diff;
  const walk = (d: DiffNode): void => {
    for (const child of d.children) {
      if (child.action === 'REMOVE') counts.removed++;
      else if (
        child.action === 'ADD' &&
        child.ideal &&
        (linked ? (child.ideal as unknown as IsolatedNode).isInStore : tree.inventory.get(child.ideal.location) === child.ideal)
      )
        counts.added++;
      else if (child.action === 'CHANGE') counts.changed++;
      walk(child);
    }
  };
  if (diff) walk(diff);
  return counts;
}

/** The allowScripts policy arborist's rebuild applies (resolved with npm's precedence in lib/config). */
function allowScriptsOf(options: Record<string, unknown>): AllowScriptsPolicy | null {
  return (options['allowScripts'] ?? null) as AllowScriptsPolicy | null;
}

/**
 * The nodes rebuild is given: those with an install script after reify, including a binding.gyp's
 * `node-gyp rebuild` (reify's own build step, run with scripts off, records it in node.package).
 * Which of their scripts may run was judged before reify (script-review.ts); rebuild skips a node
 * allowScripts denies, gyp included.
 */
function scriptNodes(tree: Tree): Node[] {
  return [...tree.inventory.values()].filter((n: Node) => n.hasInstallScript && !n.isProjectRoot);
}

/** A read from the store that found nothing: exit 3 with a message (node_modules was rolled back). */
function cacheMiss(err: unknown): VouchError | undefined {
  if ((err as { code?: unknown }).code !== 'ENOTCACHED') return undefined;
  return new VouchError(
    'REIFY_CACHE_MISS',
    `a package to install was not in vouch's verified store: ${truncate((err as Error).message, 300)}`,
    {},
    'node_modules was rolled back; run the command again (with network access)',
    { cause: err },
  );
}

/**
 * arborist's answer to SIGINT/SIGTERM during reify: it rolls node_modules back, rejects with the signal,
 * and re-raises it when the process is about to exit (so vouch still dies by that signal). The caller
 * never reaches the package-lock.json save or the vouch.lock record; this says so instead of "a bug".
 */
function interrupted(err: unknown): VouchError | undefined {
  const signal = typeof err === 'object' && err !== null ? (err as { signal?: unknown }).signal : undefined;
  if (typeof signal !== 'string') return undefined;
  return new VouchError(
    'INTERRUPTED',
    `interrupted by ${signal} while installing: node_modules was rolled back; package.json, package-lock.json and vouch.lock were not written`,
    {},
    'run the command again',
    { cause: err },
  );
}

/** Each verified node gets the integrity vouch verified (its lockfile may hold other hashes besides). */
function pinVerified(tree: Tree, boundary: ReifyBoundary): void {
  for (const node of tree.inventory.values()) {
    const allowed = boundary.allowed.get(node.path);
    if (allowed?.kind !== 'verified' || node.isProjectRoot || node.isLink) continue;
    node.integrity = allowed.integrity;
    node.resolved ??= allowed.url;
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
 * scripts read from its installed package.json by arborist's rebuild. Bins are already linked. Under
 * install-strategy=linked the nodes are the store folders, where npm runs them.
 */
async function runInstallScripts(nodes: Node[], options: Record<string, unknown>): Promise<void> {
  if (nodes.length === 0) return;
  await new Arborist({ ...options, offline: true, ignoreScripts: false, binLinks: false }).rebuild({ nodes });
}
