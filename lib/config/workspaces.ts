// Which workspaces a command works on, decided as npm decides it (lib/npm.js exec, lib/base-cmd.js
// setWorkspaces, lib/utils/get-workspaces.js): -w/--workspace filters by name, folder or glob, --workspaces
// takes them all, and inside a workspace folder that workspace is the implicit filter.
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import { minimatch } from 'minimatch';
import { VouchError } from '../errors/index.js';

export interface WorkspaceLayers {
  /** The merged `workspace` option (command line, then the implicit one from the folder). */
  filters: readonly string[];
  /** `--workspaces` / `--no-workspaces` (null when not set). */
  all: boolean | null;
  localPrefix: string;
  cwd: string;
}

/** name → folder of the selected workspaces, or undefined when the command runs on the whole project. */
export async function selectWorkspaces(layers: WorkspaceLayers): Promise<Map<string, string> | undefined> {
  const { filters, all, localPrefix } = layers;
  if (all === false && filters.length > 0) {
    throw new VouchError('USAGE', 'cannot use --no-workspaces and --workspace at the same time', {}, 'drop one of them (as npm says)');
  }
  if (all !== true && filters.length === 0) return undefined;
  const file = join(localPrefix, 'package.json');
  const manifest = await readManifest(file);
  const workspaces = await mapWorkspaces({ cwd: localPrefix, pkg: manifest });
  // Filters given as paths are relative to where the user stands, unless that is outside the project.
  const relativeFrom = relative(localPrefix, layers.cwd).startsWith('..') ? localPrefix : layers.cwd;
  const selected = new Map<string, string>(filters.length === 0 ? workspaces : []);
  for (const filter of filters) {
    for (const [name, folder] of workspaces) {
      if (matchesFilter(filter, name, folder, localPrefix, relativeFrom)) selected.set(name, folder);
    }
  }
  if (selected.size === 0) {
    const asked = filters.length > 0 ? filters.map((f) => `--workspace=${f}`).join(' ') : '--workspaces';
    throw new VouchError(
      'USAGE',
      `no workspaces found: ${asked}`,
      { file },
      workspaces.size > 0 ? `the project's workspaces are ${[...workspaces.keys()].join(', ')}` : 'package.json lists no "workspaces"',
    );
  }
  return selected;
}

function matchesFilter(filter: string, name: string, folder: string, localPrefix: string, relativeFrom: string): boolean {
  const relativePath = `${filter.startsWith('./') ? './' : ''}${relative(relativeFrom, folder)}`;
  const globify = (pattern: string) => pattern.split('\\').join('/');
  return (
    filter === name ||
    resolve(relativeFrom, filter) === folder ||
    minimatch(relativePath, `${globify(relative(localPrefix, filter))}/*`) ||
    minimatch(relativePath, `${globify(filter)}/*`)
  );
}

async function readManifest(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new VouchError(
      'USAGE',
      'workspaces were asked for, but the project has no package.json',
      { file },
      'run vouch from the workspace root or one of its workspaces',
    );
  }
  try {
    const manifest = JSON.parse(text) as unknown;
    if (typeof manifest === 'object' && manifest !== null && !Array.isArray(manifest)) return manifest as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new VouchError('USAGE', 'package.json is not a JSON object', { file }, 'fix package.json (npm cannot read it either)');
}
