// Which lockfile a project uses, and the targets of a pnpm, Yarn or Bun lockfile (npm's own lockfile stays
// with arborist: lib/tree/load.ts). Reading never writes to the project.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import { VouchError } from '../../errors/index.js';
import type { Targets } from '../types.js';
import { readBunLockfile } from './bun.js';
import { graphTargets, type LockedGraph } from './graph.js';
import { readPnpmLockfile, type ReadContext } from './pnpm.js';
import { readYarnLockfile } from './yarn.js';

import { LOCKFILE_KINDS, type LockfileKind } from './kinds.js';

export { LOCKFILE_KINDS, type LockfileKind };

/** Each manager's lockfile names, in the order the manager itself reads them. */
const LOCKFILES: Record<LockfileKind, readonly string[]> = {
  npm: ['npm-shrinkwrap.json', 'package-lock.json'],
  pnpm: ['pnpm-lock.yaml'],
  yarn: ['yarn.lock'],
  bun: ['bun.lock'],
};

/** Every lockfile name vouch reads, whichever manager's. */
export const LOCKFILE_NAMES: readonly string[] = Object.values(LOCKFILES).flat();

export interface ProjectLockfile {
  kind: LockfileKind;
  /** Absolute path of the lockfile (for npm: the one npm would read; may not exist yet). */
  file: string;
  /** Other managers' lockfiles in the folder, not read (a notice names them). */
  ignored: string[];
}

/**
 * The lockfile to judge: `--lockfile-kind` when given; else the one lockfile present; with several, the
 * manager package.json's `packageManager` names, else npm's (vouch's own manager) when present.
 */
export async function detectLockfile(cwd: string, forced?: LockfileKind): Promise<ProjectLockfile> {
  const present = LOCKFILE_KINDS.filter((kind) => fileOf(cwd, kind) !== null);
  if (existsSync(join(cwd, 'bun.lockb')) && !existsSync(join(cwd, 'bun.lock')) && (forced === 'bun' || present.length === 0)) {
    throw new VouchError(
      'NO_LOCKFILE',
      `${join(cwd, 'bun.lockb')} is Bun's binary lockfile, which vouch does not read`,
      { file: join(cwd, 'bun.lockb') },
      'run `bun install --save-text-lockfile` (Bun 1.1.39 or later) to write bun.lock, and commit it',
    );
  }
  const kind = forced ?? (present.length <= 1 ? (present[0] ?? 'npm') : await preferredKind(cwd, present));
  const ignored = present.filter((k) => k !== kind).map((k) => fileOf(cwd, k)!);
  return { kind, file: fileOf(cwd, kind) ?? join(cwd, LOCKFILES[kind].at(-1)!), ignored };
}

async function preferredKind(cwd: string, present: readonly LockfileKind[]): Promise<LockfileKind> {
  const manifest = await readFile(join(cwd, 'package.json'), 'utf8')
    .then((t) => JSON.parse(t) as unknown)
    .catch(() => null);
  const declared = typeof manifest === 'object' && manifest !== null ? (manifest as { packageManager?: unknown }).packageManager : undefined;
  const named = typeof declared === 'string' ? LOCKFILE_KINDS.find((k) => declared.startsWith(`${k}@`)) : undefined;
  if (named && present.includes(named)) return named;
  return present.includes('npm') ? 'npm' : present[0]!;
}

function fileOf(cwd: string, kind: LockfileKind): string | null {
  for (const name of LOCKFILES[kind]) if (existsSync(join(cwd, name))) return join(cwd, name);
  return null;
}

/** The targets of a pnpm, Yarn or Bun lockfile; a missing or unreadable one is a usage error (exit 2). */
export async function foreignLockfileTargets(
  cwd: string,
  lockfile: ProjectLockfile,
  registryFor: (name: string) => string,
  omit: readonly string[],
): Promise<Targets> {
  return graphTargets(await readForeignGraph(cwd, lockfile, registryFor), omit);
}

export async function readForeignGraph(cwd: string, lockfile: ProjectLockfile, registryFor: (name: string) => string): Promise<LockedGraph> {
  let text: string;
  try {
    text = await readFile(lockfile.file, 'utf8');
  } catch (err) {
    throw new VouchError(
      'NO_LOCKFILE',
      `cannot read ${lockfile.file}: ${(err as Error).message}`,
      { file: lockfile.file },
      `run the ${lockfile.kind} install that writes it, or choose another --lockfile-kind`,
      { cause: err },
    );
  }
  const ctx: ReadContext = { file: lockfile.file, registryFor };
  switch (lockfile.kind) {
    case 'pnpm':
      return readPnpmLockfile(text, ctx);
    case 'bun':
      return readBunLockfile(text, ctx);
    case 'yarn':
      return readYarnLockfile(text, { ...ctx, manifests: await projectManifests(cwd) });
    case 'npm':
      throw new Error('npm lockfiles are read by arborist');
  }
}

/** The root package.json and each workspace's, by folder relative to the project ('.' = root). */
async function projectManifests(cwd: string): Promise<Map<string, Record<string, unknown>>> {
  const manifests = new Map<string, Record<string, unknown>>();
  const root = await readManifest(join(cwd, 'package.json'));
  manifests.set('.', root);
  const workspaces = await mapWorkspaces({ cwd, pkg: root }).catch(() => new Map<string, string>());
  for (const folder of workspaces.values()) {
    const relative = folder
      .slice(cwd.length + 1)
      .split('\\')
      .join('/');
    manifests.set(relative, await readManifest(join(folder, 'package.json')));
  }
  return manifests;
}

async function readManifest(file: string): Promise<Record<string, unknown>> {
  const parsed: unknown = await readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as unknown)
    .catch(() => ({}));
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
