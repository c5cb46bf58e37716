// Which version an update replaces, and what each side says about itself, as plain data for the change
// alerts (lib/policy/change-alerts.ts). The predecessor of name@V is the version the lockfile being
// replaced had at the same folder, else the highest version below V that vouch.lock records (when it does
// not record V itself: a recorded version was judged when it was recorded). No predecessor: a new package.
// Every view is someone's unsigned word (a lockfile, the packument, a tarball's own package.json): the
// evaluator lets a view add to what a version has and take from what its predecessor had, never the reverse.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import type { Lock } from '../lock/types.js';
import { binNames } from './bins.js';
import type { PackageRef } from './types.js';

/** What one source says about one release; a field a source does not speak about is absent. */
export interface ReleaseView {
  /** Said in messages: `verified tarball`, `packument`, `package-lock.json`, `arborist's manifest`. */
  source: string;
  /** Install scripts by event (preinstall, install, postinstall; a binding.gyp's implicit `node-gyp rebuild` as install), with their text. */
  scripts?: Record<string, string>;
  /** Whether it has install scripts, from a source that says only that (a lockfile's hasInstallScript). */
  hasInstallScript?: boolean;
  /** Command names its `bin` links. */
  bins?: string[];
  /** Names in dependencies, optionalDependencies and (non-optional) peerDependencies: what npm installs with it. */
  dependencies?: string[];
  /** packument `_npmUser`: who published, and whether through trusted publishing (OIDC). */
  publisher?: { name: string | null; trusted: boolean };
  /** packument `time[version]` (unsigned). */
  publishedAt?: Date;
}

/** One update: name@version replacing `from`, with every view of both sides. */
export interface VersionChange {
  name: string;
  version: string;
  /** The version it replaces. */
  from: string;
  /** Where the predecessor was found: the lockfile being replaced (its file name) or `vouch.lock`. */
  fromSource: string;
  before: ReleaseView[];
  after: ReleaseView[];
  /**
   * What npm does with this version's install scripts: `runs` (allowScripts approves it, or nothing
   * stops it), or `blocked` (allowScripts denies it, or strict-allow-scripts without an approval stops
   * the install anyway). `approved` is set when an allowScripts entry approves it.
   */
  scripts: { runs: boolean; approved: boolean };
}

const SCRIPT_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

/** A manifest (packument version, lockfile entry, tarball package.json) as a view; `gyp`: it ships a binding.gyp. */
export function manifestView(source: string, manifest: Record<string, unknown> | null, opts: { gyp?: boolean; scriptText?: boolean } = {}): ReleaseView {
  const view: ReleaseView = { source, bins: binNames(manifest), dependencies: dependencyNames(manifest) };
  if (opts.scriptText !== false) {
    const scripts = installScripts(manifest);
    const gyp = opts.gyp === true || manifest?.['gypfile'] === true;
    if (gyp && manifest?.['gypfile'] !== false && !scripts['install'] && !scripts['preinstall']) scripts['install'] = 'node-gyp rebuild';
    view.scripts = scripts;
  }
  if (typeof manifest?.['hasInstallScript'] === 'boolean') view.hasInstallScript = manifest['hasInstallScript'];
  return view;
}

function installScripts(manifest: Record<string, unknown> | null): Record<string, string> {
  const field = manifest?.['scripts'];
  const out: Record<string, string> = {};
  if (typeof field !== 'object' || field === null || Array.isArray(field)) return out;
  for (const event of SCRIPT_EVENTS) {
    const body = (field as Record<string, unknown>)[event];
    if (typeof body === 'string' && body.trim() !== '') out[event] = body;
  }
  return out;
}

function dependencyNames(manifest: Record<string, unknown> | null): string[] {
  const names = new Set<string>();
  const keys = (field: string): string[] => {
    const v = manifest?.[field];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
  };
  for (const n of [...keys('dependencies'), ...keys('optionalDependencies')]) names.add(n);
  const meta = manifest?.['peerDependenciesMeta'];
  const optionalPeer = (n: string) => typeof meta === 'object' && meta !== null && (meta as Record<string, { optional?: unknown }>)[n]?.optional === true;
  for (const n of keys('peerDependencies')) if (!optionalPeer(n)) names.add(n);
  return [...names].sort();
}

/** One package folder of the lockfile being replaced. */
export interface ReplacedEntry {
  name: string;
  version: string;
  entry: Record<string, unknown>;
}

/** The lockfile being replaced: its file name and its packages by folder (empty when there is none, or it is lockfileVersion 1). */
export interface ReplacedLockfile {
  file: string;
  entries: ReadonlyMap<string, ReplacedEntry>;
}

/**
 * Reads the lockfile an install would replace, as npm chooses it: npm-shrinkwrap.json, else
 * package-lock.json, else node_modules/.package-lock.json. Read before reify writes anything.
 */
export async function readReplacedLockfile(root: string): Promise<ReplacedLockfile> {
  for (const file of ['npm-shrinkwrap.json', 'package-lock.json', join('node_modules', '.package-lock.json')]) {
    const text = await readFile(join(root, file), 'utf8').catch(() => null);
    if (text === null) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return { file, entries: new Map() }; // arborist refuses it too (assertLockfileParses)
    }
    return { file, entries: lockfileEntries(doc) };
  }
  return { file: 'package-lock.json', entries: new Map() };
}

function lockfileEntries(doc: unknown): Map<string, ReplacedEntry> {
  const out = new Map<string, ReplacedEntry>();
  const packages = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['packages'] : undefined;
  if (typeof packages !== 'object' || packages === null) return out;
  for (const [location, raw] of Object.entries(packages as Record<string, unknown>)) {
    if (!location.includes('node_modules/') || typeof raw !== 'object' || raw === null) continue;
    const entry = raw as Record<string, unknown>;
    if (typeof entry['version'] !== 'string' || entry['link'] === true) continue;
    const folder = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.set(location, { name: typeof entry['name'] === 'string' ? entry['name'] : folder, version: entry['version'], entry });
  }
  return out;
}

/** The version(s) `ref` replaces, each with where it was found and, from the lockfile, its entry. */
export interface Predecessor {
  version: string;
  source: string;
  entry?: Record<string, unknown>;
}

/** Predecessors of `ref` (several only when its folders held different older versions). Only updates count: a predecessor is lower. */
export function predecessorsOf(ref: Pick<PackageRef, 'name' | 'version' | 'locations'>, replaced: ReplacedLockfile, lock: Lock): Predecessor[] {
  if (!semver.valid(ref.version)) return [];
  const found = new Map<string, Predecessor>();
  for (const location of ref.locations) {
    const old = replaced.entries.get(location);
    if (!old || old.name !== ref.name || !semver.valid(old.version) || !semver.lt(old.version, ref.version)) continue;
    if (!found.has(old.version)) found.set(old.version, { version: old.version, source: replaced.file, entry: old.entry });
  }
  if (found.size > 0) return [...found.values()].sort((a, b) => semver.compare(a.version, b.version));
  const recorded = lock.packages[ref.name]?.versions ?? {};
  if (recorded[ref.version]) return [];
  const below = Object.keys(recorded)
    .filter((v) => semver.valid(v) && semver.lt(v, ref.version))
    .sort(semver.rcompare);
  return below[0] ? [{ version: below[0], source: 'vouch.lock' }] : [];
}
