// An explicit list of the packages another package manager (pnpm, Yarn, Bun) is about to install, as
// its gate integration hands it to `vouch verify --packages`. The list is untrusted input: every field is
// checked here, every problem reported with its JSON path, and nothing but plain Targets leaves.
import npa from 'npm-package-arg';
import semver from 'semver';
import { registryFor, type NpmConfig } from '../config/index.js';
import { locate, parseJsonText, problemsError } from '../files/index.js';
import type { FileProblem, JsonDocument, PathSegment } from '../files/json-file.js';
import { packageKey, type NonRegistryRef, type PackageRef, type SourceKind, type Targets } from './types.js';

/** A list bigger than this is not a package manager's install plan (the largest real trees are ~5,000). */
export const PACKAGE_LIST_MAX_BYTES = 64 * 1024 * 1024;

/** One registry package the manager will install. `tarball`: the URL it downloads (if it says). */
export interface ListedPackage {
  name: string;
  version: string;
  integrity?: string;
  tarball?: string;
  dev?: boolean;
  optional?: boolean;
  location?: string;
}

/** A dependency the manager fetches from elsewhere (git, a tarball URL, a folder): judged by the policy. */
export interface ListedSource {
  name: string;
  kind: Exclude<SourceKind, 'registry'>;
  spec: string;
  location?: string;
}

export interface PackageList {
  manager: string;
  packages: ListedPackage[];
  sources: ListedSource[];
}

const SOURCE_KINDS: readonly string[] = ['git', 'remote', 'file', 'directory'];
const PACKAGE_FIELDS = new Set(['name', 'version', 'integrity', 'tarball', 'dev', 'optional', 'location']);
const SOURCE_FIELDS = new Set(['name', 'kind', 'spec', 'location']);
const TOP_FIELDS = new Set(['manager', 'packages', 'sources']);

/** Parses and checks a package list; a malformed one is PACKAGE_LIST_PARSE (exit 2) listing every problem. */
export function parsePackageList(text: string, file: string): PackageList {
  const parsed = parseJsonText(text, PACKAGE_LIST_MAX_BYTES);
  if ('problems' in parsed) throw listError(file, parsed.problems);
  const problems: FileProblem[] = [];
  const report = (path: PathSegment[], message: string) => void problems.push(locate(parsed, path, message));
  const list = readList(parsed, report);
  if (problems.length > 0) throw listError(file, problems);
  return list;
}

/** The list as verification targets: one PackageRef per name@version@integrity, locations merged. */
export function packageListTargets(list: PackageList, config: NpmConfig): Targets {
  const packages = new Map<string, PackageRef>();
  for (const p of list.packages) {
    const location = p.location ?? `node_modules/${p.name}`;
    const key = packageKey(p.name, p.version) + ` ${p.integrity ?? ''}`;
    const existing = packages.get(key);
    if (existing) {
      if (!existing.locations.includes(location)) existing.locations = [...existing.locations, location].sort();
      existing.dev &&= p.dev === true;
      existing.optional &&= p.optional === true;
      continue;
    }
    packages.set(key, {
      name: p.name,
      version: p.version,
      aliases: [],
      locations: [location],
      integrity: p.integrity ?? null,
      resolved: p.tarball ?? null,
      registry: registryFor(p.name, config),
      dev: p.dev === true,
      optional: p.optional === true,
      hasInstallScript: false,
    });
  }
  const nonRegistry: NonRegistryRef[] = list.sources.map((s) => ({
    name: s.name,
    kind: s.kind,
    spec: s.spec,
    locations: [s.location ?? `node_modules/${s.name}`],
  }));
  return { packages: [...packages.values()].sort(byNameVersion), nonRegistry };
}

type Report = (path: PathSegment[], message: string) => void;

function readList(doc: JsonDocument, report: Report): PackageList {
  const root = doc.value;
  if (!isObject(root)) {
    report([], 'expected an object {"manager": "...", "packages": [...]}');
    return { manager: '', packages: [], sources: [] };
  }
  unknownFields(root, TOP_FIELDS, [], report);
  const manager = root['manager'];
  if (typeof manager !== 'string' || !/^[a-z][\w-]{0,39}$/.test(manager))
    report(['manager'], 'expected the package manager\'s name ("pnpm", "yarn", "bun", …)');
  const packages = arrayOf(root, 'packages', true, report).flatMap((item, i) => readPackage(item, ['packages', i], report));
  const sources = arrayOf(root, 'sources', false, report).flatMap((item, i) => readSource(item, ['sources', i], report));
  return { manager: typeof manager === 'string' ? manager : '', packages, sources };
}

function readPackage(item: unknown, path: PathSegment[], report: Report): ListedPackage[] {
  if (!isObject(item)) return (void report(path, 'expected an object {"name", "version", "integrity"?, "tarball"?, …}'), []);
  unknownFields(item, PACKAGE_FIELDS, path, report);
  const name = registryPackageName(item['name'], [...path, 'name'], report);
  const version = item['version'];
  if (typeof version !== 'string' || semver.valid(version) !== version) report([...path, 'version'], 'expected an exact semver version, e.g. "1.2.3"');
  const integrity = optionalString(
    item,
    'integrity',
    path,
    report,
    (v) => /^[\w-]+-[A-Za-z0-9+/=]+(\s+[\w-]+-[A-Za-z0-9+/=]+)*$/.test(v.trim()),
    'an SRI string, e.g. "sha512-…"',
  );
  const tarball = optionalString(item, 'tarball', path, report, isHttpUrl, 'an http(s) URL');
  const location = optionalString(item, 'location', path, report, (v) => v.length > 0 && v.length <= 4096, 'a non-empty path');
  const dev = optionalBoolean(item, 'dev', path, report);
  const optional = optionalBoolean(item, 'optional', path, report);
  if (name === undefined || typeof version !== 'string') return [];
  return [{ name, version, ...defined({ integrity, tarball, location, dev, optional }) }];
}

function readSource(item: unknown, path: PathSegment[], report: Report): ListedSource[] {
  if (!isObject(item)) return (void report(path, 'expected an object {"name", "kind", "spec"}'), []);
  unknownFields(item, SOURCE_FIELDS, path, report);
  const name = registryPackageName(item['name'], [...path, 'name'], report);
  const kind = item['kind'];
  if (typeof kind !== 'string' || !SOURCE_KINDS.includes(kind)) report([...path, 'kind'], `expected one of ${SOURCE_KINDS.join(', ')}`);
  const spec = item['spec'];
  if (typeof spec !== 'string' || spec.length === 0) report([...path, 'spec'], 'expected the git URL, tarball URL or path the manager fetches it from');
  const location = optionalString(item, 'location', path, report, (v) => v.length > 0, 'a non-empty path');
  if (name === undefined || typeof kind !== 'string' || !SOURCE_KINDS.includes(kind) || typeof spec !== 'string' || spec === '') return [];
  return [{ name, kind: kind as ListedSource['kind'], spec, ...defined({ location }) }];
}

/** A name npm would publish: what the registry is asked for and what the signed message names. */
function registryPackageName(value: unknown, path: PathSegment[], report: Report): string | undefined {
  if (typeof value === 'string') {
    try {
      if (npa(value).name === value && !value.includes('@', 1)) return value;
    } catch {
      // reported below
    }
  }
  report(path, 'expected a package name, e.g. "left-pad" or "@scope/name"');
  return undefined;
}

function arrayOf(obj: Record<string, unknown>, key: string, required: boolean, report: Report): unknown[] {
  const value = obj[key];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) return (void report([key], 'expected an array'), []);
  return value;
}

function optionalString(
  obj: Record<string, unknown>,
  key: string,
  path: PathSegment[],
  report: Report,
  valid: (v: string) => boolean,
  expected: string,
): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && valid(value)) return value;
  report([...path, key], `expected ${expected}`);
  return undefined;
}

function optionalBoolean(obj: Record<string, unknown>, key: string, path: PathSegment[], report: Report): boolean | undefined {
  const value = obj[key];
  if (value === undefined || typeof value === 'boolean') return value;
  report([...path, key], 'expected true or false');
  return undefined;
}

function unknownFields(obj: Record<string, unknown>, known: ReadonlySet<string>, path: PathSegment[], report: Report): void {
  for (const key of Object.keys(obj)) if (!known.has(key)) report([...path, key], `unknown field (expected ${[...known].join(', ')})`);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function listError(file: string, problems: readonly FileProblem[]) {
  return problemsError(
    'PACKAGE_LIST_PARSE',
    file,
    problems,
    'the list is {"manager": "pnpm", "packages": [{"name": "a", "version": "1.0.0", "integrity"?: "sha512-…", "tarball"?: "https://…"}]} (docs/package-managers.md)',
  );
}

const byNameVersion = (a: PackageRef, b: PackageRef): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : (a.integrity ?? '') < (b.integrity ?? '') ? -1 : 1;
