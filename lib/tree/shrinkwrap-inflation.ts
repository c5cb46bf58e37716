// A dependency that ships npm-shrinkwrap.json defines its own dependency branch: reify extracts it, reads
// that file, and only then knows what to install under it (reify #loadShrinkwrapsAndUpdateTrees). vouch
// does the same before reify, from the bytes it verified, so those children are targets like any other.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Arborist, { type Node } from '@npmcli/arborist';
import { arboristRequire } from '../patches/arborist/require.js';

type Extract = (spec: string, dest: string, opts: Record<string, unknown>) => Promise<unknown>;

export interface VerifiedBytes {
  /** vouch's verified store (cacache folder). */
  store: string;
  integrity: string;
  url: string;
}

/**
 * Reads the shrinkwrap inside `node`'s verified tarball into the tree under `node`, as reify would:
 * the tarball is extracted (offline, from the store, by its verified digest) into a temporary folder,
 * then arborist's loadVirtual reads it with `node` as the root of the subtree. reify later re-reads
 * the same data (loadVirtual reuses what is loaded here), so the children vouch verified are the
 * children reify installs.
 */
export async function inflateShrinkwrap(node: Node, bytes: VerifiedBytes, options: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-shrinkwrap-'));
  try {
    const pacote = arboristRequire('pacote') as { extract: Extract };
    const offline = { ...options, cache: bytes.store, offline: true, preferOnline: false, integrity: bytes.integrity, resolved: bytes.url };
    await pacote.extract(`${node.name}@${bytes.url}`, dir, offline);
    await new Arborist({ ...options, path: dir }).loadVirtual({ root: node, subtreeOnly: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
