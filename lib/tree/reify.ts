// Installs exactly the verified tree: pins each node to its verified integrity (its tarball is already
// in the cache by that integrity, see lib/registry/tarballs.ts), then reifies the SAME tree offline with
// scripts off, and runs install scripts afterwards (all nodes were allowed, or reify is never reached).
import { join } from 'node:path';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { collectUnreviewedScripts } from '@npmcli/arborist/lib/unreviewed-scripts.js';
import type { AllowScriptsPolicy } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import type { VerifiedTarball } from '../registry/index.js';
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
  await arb.reify({ save: opts.save, ...(opts.add ? { add: opts.add } : {}), ...(opts.saveType ? { saveType: opts.saveType } : {}) });
  if (opts.runScripts) await runInstallScripts(options);
}

function pinVerified(tree: Tree, verified: ReadonlyMap<string, VerifiedTarball>): void {
  for (const node of tree.inventory.values()) {
    const pinned = verified.get(`${registryName(node)}@${node.version}`);
    if (!pinned || node.isProjectRoot || node.isLink) continue;
    node.integrity = pinned.integrity;
    node.resolved ??= pinned.url;
  }
}

async function runInstallScripts(options: Record<string, unknown>): Promise<void> {
  const arb = new Arborist({ ...options, offline: true, ignoreScripts: false });
  const actual = await arb.loadActual();
  const nodes = [...actual.inventory.values()].filter((n: Node) => n.hasInstallScript && !n.isProjectRoot);
  if (nodes.length > 0) await arb.rebuild({ nodes });
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
