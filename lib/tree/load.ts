// Loads the dependency tree with arborist: the lockfile (virtual), node_modules (actual), or the ideal
// tree npm would install (for `vouch install`). Nothing here writes to the project.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Arborist, { type Tree } from '@npmcli/arborist';
import { VouchError } from '../errors/index.js';
import { parseJsonText, problemsError } from '../files/index.js';
import type { NpmConfig } from '../config/index.js';
import { installBundlerFastPath } from '../patches/arborist/bundler-fast-path.js';
import { installNamedEdgeReload } from '../patches/arborist/named-edge-reload.js';

export type TreeSource = 'virtual' | 'actual';

/**
 * The project's arborist, with options from npm config (scripts always off while vouch decides) and
 * vouch's two fast paths installed: bundler lookups (lib/patches/arborist/bundler-fast-path.ts) and named-edge
 * reloads (lib/patches/arborist/named-edge-reload.ts), each with arborist's answers without its superlinear walk, or arborist's own
 * code where a probe does not recognise its internals.
 */
export function projectArborist(cwd: string, config: NpmConfig, extra: Record<string, unknown> = {}): Arborist {
  installBundlerFastPath();
  installNamedEdgeReload();
  // As npm passes the selected workspaces' names: arborist filters building and reifying by them.
  const workspaces = config.workspaces ? [...config.workspaces.keys()] : [];
  return new Arborist({ ...config.flat, path: cwd, workspaces, audit: false, fund: false, ignoreScripts: true, ...extra });
}

/** The tree recorded in package-lock.json / npm-shrinkwrap.json, or in node_modules. */
export async function loadTree(cwd: string, config: NpmConfig, source: TreeSource): Promise<Tree> {
  const arb = projectArborist(cwd, config);
  return source === 'actual' ? arb.loadActual() : loadLockedTree(arb, cwd);
}

/** `arb.loadVirtual()`, with a missing or unreadable lockfile as a usage error (exit 2) that says what to run. */
export async function loadLockedTree(arb: Arborist, cwd: string, beforeLoad?: (entries: number) => void): Promise<Tree> {
  if (!existsSync(join(cwd, 'package-lock.json')) && !existsSync(join(cwd, 'npm-shrinkwrap.json'))) {
    throw new VouchError(
      'NO_LOCKFILE',
      `no package-lock.json in ${cwd}`,
      { file: join(cwd, 'package-lock.json') },
      'run `vouch install` (or `npm install --package-lock-only`) to create one, or use `vouch verify --installed`',
    );
  }
  beforeLoad?.(await assertLockfileParses(cwd));
  try {
    return await arb.loadVirtual();
  } catch (err) {
    throw new VouchError('NO_LOCKFILE', `could not read the lockfile: ${(err as Error).message}`, { file: join(cwd, 'package-lock.json') }, undefined, {
      cause: err,
    });
  }
}

/** Bound on a lockfile read here only to say where it is broken (npm itself reads it whole). */
const LOCKFILE_MAX_BYTES = 512 * 1024 * 1024;

/**
 * The lockfile npm would read (npm-shrinkwrap.json first), as JSON: one that does not parse is a
 * usage error naming the file, line and column (exit 2), never a reason to re-resolve without it.
 * Returns how many packages it lists (0 without a lockfile), so callers can size themselves before
 * arborist loads it.
 */
export async function assertLockfileParses(cwd: string): Promise<number> {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = join(cwd, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new VouchError('LOCKFILE_PARSE', `cannot read ${name}: ${(err as Error).message}`, { file }, undefined, { cause: err });
    }
    let lockfile: unknown;
    try {
      lockfile = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
    } catch {
      const parsed = parseJsonText(text, LOCKFILE_MAX_BYTES);
      const problems = 'problems' in parsed && parsed.problems.length > 0 ? parsed.problems : [{ path: '(syntax)', message: 'not JSON' }];
      throw problemsError(
        'LOCKFILE_PARSE',
        file,
        problems.filter((p) => p.path === '(syntax)' || p.path === '(root)'),
        `restore ${name} from version control (git checkout -- ${name}), or delete it and run \`vouch install\` to resolve afresh (and review the result)`,
      );
    }
    return entryCount(lockfile); // npm reads the first one present only
  }
  return 0;
}

/** Entries of a v2/v3 lockfile's `packages` (or a v1 lockfile's top-level `dependencies`). */
function entryCount(lockfile: unknown): number {
  if (typeof lockfile !== 'object' || lockfile === null) return 0;
  const { packages, dependencies } = lockfile as { packages?: unknown; dependencies?: unknown };
  const listed = typeof packages === 'object' && packages !== null ? packages : dependencies;
  return typeof listed === 'object' && listed !== null ? Object.keys(listed).length : 0;
}
