// yarn.lock read into the lockfile graph, with Yarn's own parser (@yarnpkg/parsers parseSyml reads both
// formats): Yarn Berry (a `__metadata` block; entries keyed by descriptors `name@npm:^1.0.0`, with a
// `resolution` locator `name@npm:1.0.0` and Yarn's `checksum` of the zip it makes from the tarball) and
// Yarn classic v1 (entries keyed `name@^1.0.0` with `resolved` URL and npm's SRI `integrity`).
//
// Berry's checksum is not npm's integrity: vouch hashes the tarball the registry serves for each version
// instead (PackageRef.integrityFromTarball); an npm entry without a checksum is one Yarn installs unchecked,
// and is left without integrity (INTEGRITY_MISSING). Neither format records dev dependencies as such: the
// workspaces' package.json files say which direct dependencies are dev.
import { parseSyml } from '@yarnpkg/parsers';
import { bad, type ReadContext } from './pnpm.js';
import { splitIdent, withSlash, type EdgeType, type LockedEntry, type LockedGraph, type LockedSource } from './graph.js';

type Syml = Record<string, unknown>;

export interface YarnReadContext extends ReadContext {
  /** The dependency fields of the project's manifests (root and workspaces), by workspace folder ('.' = root). */
  manifests: ReadonlyMap<string, Syml>;
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const FIELDS: [string, EdgeType][] = [
  ['dependencies', 'prod'],
  ['optionalDependencies', 'optional'],
  ['devDependencies', 'dev'],
  ['peerDependencies', 'peer'],
];

export function readYarnLockfile(text: string, ctx: YarnReadContext): LockedGraph {
  let doc: Syml;
  try {
    doc = parseSyml(text) as Syml;
  } catch (err) {
    throw bad(ctx.file, '(syntax)', `a yarn.lock (${(err as Error).message.split('\n')[0]})`, 'restore yarn.lock from version control, or run `yarn install`');
  }
  return '__metadata' in doc ? readBerry(doc, ctx) : readClassic(doc, ctx);
}

function readBerry(doc: Syml, ctx: YarnReadContext): LockedGraph {
  const entries = new Map<string, LockedEntry>();
  const byDescriptor = new Map<string, string>();
  const pending: [string, Syml][] = [];
  const workspaces = new Map<string, string>(); // folder → entry id
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata') continue;
    const at = JSON.stringify(key);
    const meta = record(value, at, ctx.file);
    const resolution = meta.resolution;
    if (typeof resolution !== 'string') throw bad(ctx.file, `${at}.resolution`, 'a locator string `name@protocol:reference`');
    const locator = splitIdent(resolution);
    if (!locator) throw bad(ctx.file, `${at}.resolution`, 'a locator string `name@protocol:reference`');
    for (const descriptor of key.split(',').map((d) => d.trim())) byDescriptor.set(descriptor, key);
    const { source, name, version } = berryTarget(locator.name, locator.spec, meta, ctx);
    const folder =
      key
        .split(',')
        .map((d) => splitIdent(d.trim())?.name)
        .find((n) => n !== undefined) ?? locator.name;
    if (locator.spec.startsWith('workspace:')) workspaces.set(locator.spec.slice('workspace:'.length), key);
    entries.set(key, {
      id: key,
      name: source.kind === 'registry' ? name : folder,
      version,
      source,
      deps: [],
      location: `node_modules/${folder}`,
      ...(source.kind === 'registry' && folder !== name ? { alias: folder } : {}),
    });
    pending.push([key, meta]);
  }
  const find = (name: string, range: unknown, at: string): string | undefined => {
    if (typeof range !== 'string') throw bad(ctx.file, at, 'a descriptor range string');
    return byDescriptor.get(`${name}@${range}`) ?? byDescriptor.get(`${name}@npm:${range}`);
  };
  for (const [key, meta] of pending) entries.get(key)!.deps = edgesOf(meta, JSON.stringify(key), find, ctx.file, false);
  const roots: LockedGraph['roots'] = [];
  for (const [folder, id] of workspaces) {
    const devNames = devDependencyNames(ctx.manifests.get(folder === '.' ? '.' : folder));
    for (const edge of entries.get(id)!.deps) {
      const dep = entries.get(edge.id)!;
      roots.push({ id: edge.id, type: devNames.has(dep.alias ?? dep.name) && edge.type === 'prod' ? 'dev' : edge.type });
    }
  }
  return { entries, roots };
}

/** What Yarn fetches for a locator: a registry version is the locator's own name and version, whatever `version:` says. */
function berryTarget(name: string, reference: string, meta: Syml, ctx: ReadContext): { source: LockedSource; name: string; version: string } {
  if (reference.startsWith('npm:') && SEMVER.test(reference.slice('npm:'.length))) {
    const checked = typeof meta.checksum === 'string' && meta.checksum !== '';
    const source: LockedSource = {
      kind: 'registry',
      integrity: null,
      resolved: null,
      registry: withSlash(ctx.registryFor(name)),
      ...(checked ? { integrityFromTarball: true } : {}),
    };
    return { source, name, version: reference.slice('npm:'.length) };
  }
  // A patch applies the project's (or Yarn's built-in) patch to the bytes of a base locator, fetched as that
  // locator is: the base is judged (the patch is the project's own code, or Yarn's).
  if (reference.startsWith('patch:')) {
    const base = splitIdent(decodeURIComponent(reference.slice('patch:'.length).replace(/#.*$/, '')));
    if (base && !base.spec.startsWith('patch:')) return berryTarget(base.name, base.spec, { checksum: 'base' }, ctx);
  }
  return { source: berrySource(name, reference), name, version: typeof meta.version === 'string' ? meta.version : '' };
}

function berrySource(name: string, reference: string): LockedSource {
  if (reference.startsWith('workspace:')) return { kind: 'workspace' };
  if (reference.startsWith('npm:')) return { kind: 'remote', spec: `${name}@${reference}`, unsupported: 'a Yarn npm: locator without an exact version' };
  if (reference.startsWith('patch:'))
    return { kind: 'remote', spec: `${name}@${reference}`, unsupported: 'a Yarn patch: locator without a base vouch can read' };
  if (reference.startsWith('link:') || reference.startsWith('portal:')) return { kind: 'directory', spec: reference };
  if (reference.startsWith('file:'))
    return /\.(tgz|tar\.gz|tar)(#|$)/.test(reference) ? { kind: 'file', spec: reference } : { kind: 'directory', spec: reference };
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(reference) || /\.git#/.test(reference) || /#commit=/.test(reference))
    return { kind: 'git', spec: reference };
  if (/^https?:/.test(reference)) return { kind: 'remote', spec: reference };
  return { kind: 'remote', spec: `${name}@${reference}`, unsupported: `a Yarn locator protocol vouch does not model (${reference.split(':')[0]}:)` };
}

function readClassic(doc: Syml, ctx: YarnReadContext): LockedGraph {
  const entries = new Map<string, LockedEntry>();
  const byDescriptor = new Map<string, string>();
  for (const [key, value] of Object.entries(doc)) {
    const at = JSON.stringify(key);
    const meta = record(value, at, ctx.file);
    const first = splitIdent(key.split(',')[0]!.trim());
    if (!first) throw bad(ctx.file, at, 'descriptors `name@range`');
    for (const descriptor of key.split(',').map((d) => d.trim())) byDescriptor.set(descriptor, key);
    const target = first.spec.startsWith('npm:') ? splitIdent(first.spec.slice('npm:'.length)) : null;
    const name = target?.name ?? first.name;
    const version = typeof meta.version === 'string' ? meta.version : '';
    const source = classicSource(name, version, meta, ctx);
    entries.set(key, {
      id: key,
      name: source.kind === 'registry' ? name : first.name,
      version,
      source,
      deps: [],
      location: `node_modules/${first.name}`,
      ...(source.kind === 'registry' && first.name !== name ? { alias: first.name } : {}),
    });
  }
  const find = (name: string, range: unknown, at: string): string | undefined => {
    if (typeof range !== 'string') throw bad(ctx.file, at, 'a range string');
    return byDescriptor.get(`${name}@${range}`);
  };
  for (const [key, value] of Object.entries(doc)) entries.get(key)!.deps = edgesOf(value as Syml, JSON.stringify(key), find, ctx.file, false);
  const roots: LockedGraph['roots'] = [];
  for (const [folder, manifest] of ctx.manifests) {
    const self = { id: `workspace:${folder}`, name: folder, version: '', source: { kind: 'workspace' } as const, deps: [], location: folder };
    entries.set(self.id, { ...self, deps: edgesOf(manifest, `${folder}/package.json`, find, ctx.file, true) });
    roots.push(...entries.get(self.id)!.deps);
  }
  return { entries, roots };
}

function classicSource(name: string, version: string, meta: Syml, ctx: ReadContext): LockedSource {
  const resolved = typeof meta.resolved === 'string' ? meta.resolved : '';
  const integrity = typeof meta.integrity === 'string' && meta.integrity !== '' ? meta.integrity : null;
  if (resolved.startsWith('file:')) return /\.(tgz|tar\.gz|tar)$/.test(resolved) ? { kind: 'file', spec: resolved } : { kind: 'directory', spec: resolved };
  if (/^(git\+|git:|github:)/.test(resolved) || resolved.startsWith('https://codeload.github.com/')) return { kind: 'git', spec: resolved };
  if (SEMVER.test(version) && (resolved === '' || /\/-\/[^/]+\.tgz(#|$)/.test(resolved))) {
    return { kind: 'registry', integrity, resolved: resolved === '' ? null : registryUrl(resolved), registry: withSlash(ctx.registryFor(name)) };
  }
  if (/^https?:/.test(resolved)) return { kind: 'remote', spec: resolved };
  return { kind: 'remote', spec: `${name}@${version}`, unsupported: 'a yarn.lock entry without a resolved URL vouch can classify' };
}

/**
 * A classic `resolved` as npm would fetch it: without Yarn's `#sha1` fragment, and with Yarn's alias of the
 * public registry (registry.yarnpkg.com serves the same documents) spelled as npm spells it.
 */
function registryUrl(resolved: string): string {
  return resolved.replace(/#.*$/, '').replace(/^https:\/\/registry\.yarnpkg\.com\//, 'https://registry.npmjs.org/');
}

function edgesOf(
  meta: Syml,
  at: string,
  find: (name: string, range: unknown, at: string) => string | undefined,
  file: string,
  withDev: boolean,
): { id: string; type: EdgeType }[] {
  const edges: { id: string; type: EdgeType }[] = [];
  const optionalMeta = record(meta.dependenciesMeta ?? {}, `${at}.dependenciesMeta`, file);
  for (const [field, type] of FIELDS) {
    if ((type === 'dev' && !withDev) || meta[field] === undefined) continue;
    for (const [name, range] of Object.entries(record(meta[field], `${at}.${field}`, file))) {
      const id = find(name, range, `${at}.${field}.${name}`);
      if (id === undefined) {
        if (type === 'peer' || type === 'optional') continue; // not installed: Yarn lists no entry for it
        continue; // a dependency the lockfile has no entry for is one this read cannot connect: judged as production
      }
      const flag = record(optionalMeta[name] ?? {}, `${at}.dependenciesMeta.${name}`, file).optional;
      const optional = type === 'prod' && (flag === true || flag === 'true'); // syml keeps scalars as strings
      edges.push({ id, type: optional ? 'optional' : type });
    }
  }
  return edges;
}

function devDependencyNames(manifest: Syml | undefined): Set<string> {
  const dev = manifest?.devDependencies;
  return new Set(typeof dev === 'object' && dev !== null ? Object.keys(dev) : []);
}

function record(value: unknown, at: string, file: string): Syml {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(file, at, 'a mapping');
  return value as Syml;
}
