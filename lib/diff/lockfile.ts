// package-lock.json as the diff reads it: one entry per key of `packages` (lockfile v2/v3), the fields a
// reviewer compares. Pure. The text is untrusted (a pull request wrote it): fields of the wrong type are
// read as absent, never trusted as something else.
import { VouchError } from '../errors/index.js';

/** One `packages` entry: `node_modules/a`, `node_modules/a/node_modules/b`, a workspace folder `packages/w`. */
export interface LockEntry {
  location: string;
  /** The real package name: the entry's `name` (an npm alias, a workspace) or else its folder name. */
  name: string;
  version: string | null;
  resolved: string | null;
  integrity: string | null;
  /** A symlink entry (`link: true`): `resolved` is the folder it points at. */
  link: boolean;
  hasInstallScript: boolean;
  /** What the entry depends on, name → spec: dependencies, optionalDependencies and peerDependencies. */
  dependencies: Record<string, string>;
}

export interface Lockfile {
  /** By location; the root (`""`) is left out (package.json, not the lockfile, says what the root asks for). */
  entries: ReadonlyMap<string, LockEntry>;
}

export const EMPTY_LOCKFILE: Lockfile = { entries: new Map() };

/** Parses a lockfile v2/v3; `file` names it in errors (exit 2: a lockfile that is not JSON cannot be reviewed). */
export function parseLockfile(text: string, file: string): Lockfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    throw new VouchError('LOCKFILE_PARSE', `${file} is not JSON: ${(err as Error).message}`, { file });
  }
  const packages = isObject(doc) ? doc['packages'] : undefined;
  if (!isObject(packages)) {
    throw new VouchError(
      'LOCKFILE_PARSE',
      `${file} has no "packages" (a lockfile v1?): vouch diff reads lockfile v2 and v3`,
      { file },
      'run `npm install --package-lock-only` with npm 7 or later to upgrade the lockfile',
    );
  }
  const entries = new Map<string, LockEntry>();
  for (const [location, raw] of Object.entries(packages)) {
    if (location === '' || !isObject(raw)) continue;
    entries.set(location, {
      location,
      name: str(raw['name']) ?? folderName(location),
      version: str(raw['version']),
      resolved: str(raw['resolved']),
      integrity: str(raw['integrity']),
      link: raw['link'] === true,
      hasInstallScript: raw['hasInstallScript'] === true,
      dependencies: { ...specs(raw['peerDependencies']), ...specs(raw['dependencies']), ...specs(raw['optionalDependencies']) },
    });
  }
  return { entries };
}

/** The folder name of a location: what follows its last `node_modules/` (scoped names keep their scope). */
export function folderName(location: string): string {
  const at = location.lastIndexOf('node_modules/');
  return at === -1 ? location.slice(location.lastIndexOf('/') + 1) : location.slice(at + 'node_modules/'.length);
}

/** Whether a location is a package folder inside some node_modules (not a workspace or other project folder). */
export function isInNodeModules(location: string): boolean {
  return location.startsWith('node_modules/') || location.includes('/node_modules/');
}

/**
 * Where Node's (and npm's) resolution finds dependency `name` of the package at `from`: its own
 * node_modules, then each enclosing package's, up to the project root's. Returns the first location the
 * lockfile has, or null.
 */
export function resolveFrom(lock: Lockfile, from: string, name: string): string | null {
  for (let at: string | null = from; at !== null; at = parentOf(at)) {
    const candidate = at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`;
    if (lock.entries.has(candidate)) return candidate;
  }
  return null;
}

// `a/node_modules/b` → `a`; `node_modules/b` and a workspace folder → the root; the root → null.
function parentOf(location: string): string | null {
  if (location === '') return null;
  const at = location.lastIndexOf('/node_modules/');
  return at === -1 ? '' : location.slice(0, at);
}

function specs(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(value)) if (typeof spec === 'string') out[name] = spec;
  return out;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
