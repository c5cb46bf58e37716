// Installs exactly the verified tree: pins each node to its verified integrity, makes sure every
// tarball is in the cache by that integrity, then reifies the SAME tree offline with scripts off and
// runs install scripts afterwards (all nodes were allowed, or reify is never reached).
import pMap from 'p-map';
import pacote from 'pacote';
import Arborist, { type Node, type Tree } from '@npmcli/arborist';
import { registryName } from './targets.js';
import type { PackageRef } from './types.js';

/** The verified bytes of one package: the integrity that was signed, and where to fetch them. */
export interface VerifiedTarball {
  integrity: string;
  /** Tarball URL (lockfile `resolved`, or the packument's dist.tarball). */
  url: string;
}

export const tarballKey = (name: string, version: string): string => `${name}@${version}`;

/**
 * Fetches each tarball into npm's cache (a cache hit costs no network) and returns the sha512 SRI of
 * the bytes actually fetched, so the caller can bind them to the signed integrity. pacote refuses
 * bytes that do not match `integrity` (EINTEGRITY): that rejection is reported, not thrown.
 */
export async function prefetchTarballs(
  refs: readonly PackageRef[],
  verified: ReadonlyMap<string, VerifiedTarball>,
  flat: Record<string, unknown>,
  concurrency: number,
): Promise<Map<string, { integrity: string } | { error: string }>> {
  const results = new Map<string, { integrity: string } | { error: string }>();
  await pMap(refs, async (ref) => {
    const key = tarballKey(ref.name, ref.version);
    const target = verified.get(key);
    if (!target) return;
    try {
      const data = await pacote.tarball(`${ref.name}@${target.url}`, { ...flat, integrity: target.integrity, resolved: target.url } as pacote.Options);
      results.set(key, { integrity: data.integrity ?? '' });
    } catch (err) {
      results.set(key, { error: (err as Error).message });
    }
  }, { concurrency });
  return results;
}

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
    const pinned = verified.get(tarballKey(registryName(node), node.version));
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
