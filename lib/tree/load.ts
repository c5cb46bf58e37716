// Loads the dependency tree with arborist: the lockfile (virtual), node_modules (actual), or the ideal
// tree npm would install (for `vouch install`). Nothing here writes to the project.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Arborist, { type Tree } from '@npmcli/arborist';
import { VouchError } from '../errors/index.js';
import type { NpmConfig } from '../config/index.js';
import { installBundlerFastPath } from './bundler-fast-path.js';
import { installNamedEdgeReload } from './named-edge-reload.js';

export type TreeSource = 'virtual' | 'actual';

/**
 * The project's arborist, with options from npm config (scripts always off while vouch decides) and
 * vouch's two fast paths installed: bundler lookups (lib/tree/bundler-fast-path.ts) and named-edge
 * reloads (lib/tree/named-edge-reload.ts), each with arborist's answers without its superlinear walk.
 */
export function projectArborist(cwd: string, config: NpmConfig, extra: Record<string, unknown> = {}): Arborist {
  installBundlerFastPath();
  installNamedEdgeReload();
  return new Arborist({ ...config.flat, path: cwd, audit: false, fund: false, ignoreScripts: true, ...extra });
}

/** The tree recorded in package-lock.json / npm-shrinkwrap.json, or in node_modules. */
export async function loadTree(cwd: string, config: NpmConfig, source: TreeSource): Promise<Tree> {
  const arb = projectArborist(cwd, config);
  return source === 'actual' ? arb.loadActual() : loadLockedTree(arb, cwd);
}

/** `arb.loadVirtual()`, with a missing or unreadable lockfile as a usage error (exit 2) that says what to run. */
export async function loadLockedTree(arb: Arborist, cwd: string): Promise<Tree> {
  if (!existsSync(join(cwd, 'package-lock.json')) && !existsSync(join(cwd, 'npm-shrinkwrap.json'))) {
    throw new VouchError('NO_LOCKFILE', `no package-lock.json in ${cwd}`, { file: join(cwd, 'package-lock.json') },
      'run `vouch install` (or `npm install --package-lock-only`) to create one, or use `vouch verify --installed`');
  }
  try {
    return await arb.loadVirtual();
  } catch (err) {
    throw new VouchError('NO_LOCKFILE', `could not read the lockfile: ${(err as Error).message}`,
      { file: join(cwd, 'package-lock.json') }, undefined, { cause: err });
  }
}
