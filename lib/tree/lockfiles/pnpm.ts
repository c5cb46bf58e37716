// pnpm-lock.yaml (lockfile v9, pnpm 9 and later) read into the lockfile graph.
//
// v9 keeps what was fetched apart from how it is linked: `packages` is keyed `name@version` with its
// `resolution` ({integrity} for registry packages, {tarball}, {type: git, repo, commit}, {type: directory}),
// `snapshots` is keyed `name@version(peer@x)(patch_hash=…)` with the dependency edges, and `importers` (the
// project and each workspace folder) name their direct dependencies as `{specifier, version}` where
// `version` is a version (`1.0.0(peer@1)`), an alias target (`real-name@1.0.0`), `link:<path>`, or a key.
import { parse } from 'yaml';
import { VouchError } from '../../errors/index.js';
import { splitIdent, withSlash, type EdgeType, type LockedEntry, type LockedGraph, type LockedSource } from './graph.js';

export interface ReadContext {
  file: string;
  /** The registry the manager fetches `name` from (npm config: `@scope:registry`, `registry`). */
  registryFor(name: string): string;
}

type Yaml = Record<string, unknown>;

export function readPnpmLockfile(text: string, ctx: ReadContext): LockedGraph {
  const doc = parseYaml(text, ctx.file);
  const version = String(doc.lockfileVersion ?? '');
  if (!/^9(\.|$)/.test(version)) {
    throw bad(
      ctx.file,
      'lockfileVersion',
      `lockfile v9 (pnpm 9 or later), found ${JSON.stringify(doc.lockfileVersion ?? null)}`,
      'run `pnpm install --lockfile-only` with pnpm 9 or later to rewrite it',
    );
  }
  const packages = section(doc, 'packages', ctx.file);
  const snapshots = section(doc, 'snapshots', ctx.file);
  const importers = section(doc, 'importers', ctx.file);
  const entries = new Map<string, LockedEntry>();
  const resolve = (depName: string, ref: string, from: string, importer = '.'): string => {
    if (ref.startsWith('link:')) return linkEntry(entries, depName, ref.slice('link:'.length), importer, importers);
    const direct = `${depName}@${ref}`;
    if (direct in snapshots || direct in packages) return direct;
    if (ref in snapshots || ref in packages) return ref;
    throw bad(
      ctx.file,
      from,
      `a key of snapshots for ${depName}: ${ref}`,
      'the lockfile references an entry it does not define: run `pnpm install` to rewrite it',
    );
  };
  for (const key of new Set([...Object.keys(snapshots), ...Object.keys(packages)])) {
    entries.set(key, packageEntry(key, packages, ctx));
  }
  for (const [key, value] of Object.entries(snapshots)) {
    const snapshot = record(value, `snapshots.${key}`, ctx.file);
    entries.get(key)!.deps = [
      ...edges(snapshot.dependencies, 'prod', `snapshots.${key}.dependencies`, ctx.file, resolve),
      ...edges(snapshot.optionalDependencies, 'optional', `snapshots.${key}.optionalDependencies`, ctx.file, resolve),
    ];
  }
  const roots: LockedGraph['roots'] = [];
  for (const [path, value] of Object.entries(importers)) {
    const importer = record(value, `importers.${path}`, ctx.file);
    for (const [field, type] of [
      ['dependencies', 'prod'],
      ['devDependencies', 'dev'],
      ['optionalDependencies', 'optional'],
    ] as const) {
      const deps = importer[field];
      if (deps === undefined) continue;
      for (const [name, dep] of Object.entries(record(deps, `importers.${path}.${field}`, ctx.file))) {
        const at = `importers.${path}.${field}.${name}`;
        const ref = record(dep, at, ctx.file).version;
        if (typeof ref !== 'string') throw bad(ctx.file, `${at}.version`, 'a string');
        roots.push({ id: resolve(name, ref, at, path), type });
      }
    }
  }
  return { entries, roots };
}

/** The entry of a snapshot or package key: its package's resolution says where the bytes come from. */
function packageEntry(key: string, packages: Yaml, ctx: ReadContext): LockedEntry {
  const packageKey = key.replace(/\(.*$/, ''); // peer and patch suffixes name the same bytes
  const ident = splitIdent(packageKey);
  if (!ident) throw bad(ctx.file, `snapshots.${key}`, 'a key `name@version`');
  const pkg = packages[packageKey];
  if (pkg === undefined) throw bad(ctx.file, `packages.${packageKey}`, `an entry for snapshot ${key}`, 'run `pnpm install` to rewrite the lockfile');
  const meta = record(pkg, `packages.${packageKey}`, ctx.file);
  const resolution = record(meta.resolution, `packages.${packageKey}.resolution`, ctx.file);
  const { name, spec: version } = ident;
  const source = sourceOf(name, version, resolution, ctx);
  const folder = `${name.replace('/', '+')}@${version.replace(/[/:#]/g, '+')}`;
  return {
    id: key,
    name,
    version,
    source,
    deps: [],
    location: `node_modules/.pnpm/${folder}/node_modules/${name}`,
    hasInstallScript: meta.requiresBuild === true,
  };
}

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

function sourceOf(name: string, version: string, resolution: Yaml, ctx: ReadContext): LockedSource {
  const integrity = typeof resolution.integrity === 'string' ? resolution.integrity : null;
  const tarball = typeof resolution.tarball === 'string' ? resolution.tarball : null;
  if (resolution.type === 'git' && typeof resolution.repo === 'string' && typeof resolution.commit === 'string') {
    return { kind: 'git', spec: `${resolution.repo}#${resolution.commit}` };
  }
  if (resolution.type === 'directory' && typeof resolution.directory === 'string') return { kind: 'directory', spec: `file:${resolution.directory}` };
  if (resolution.type !== undefined)
    return { kind: 'remote', spec: `${name}@${version}`, unsupported: `a pnpm resolution of type ${JSON.stringify(resolution.type)}` };
  if (tarball?.startsWith('file:')) return { kind: 'file', spec: tarball };
  if (SEMVER.test(version)) return { kind: 'registry', integrity, resolved: tarball, registry: withSlash(ctx.registryFor(name)) };
  if (tarball) return { kind: 'remote', spec: tarball };
  return { kind: 'remote', spec: `${name}@${version}`, unsupported: 'a pnpm package that is neither a registry version nor a tarball' };
}

/** `link:<path>`: a workspace (the project's own code) or another folder linked in (a directory source). */
function linkEntry(entries: Map<string, LockedEntry>, name: string, path: string, importer: string, importers: Yaml): string {
  const id = `link:${importer}:${name}:${path}`;
  const target = resolveLink(importer, path);
  const isWorkspace = target in importers;
  entries.set(id, {
    id,
    name,
    version: '',
    deps: [],
    location: `node_modules/${name}`,
    source: isWorkspace ? { kind: 'workspace' } : { kind: 'directory', spec: `link:${path}` },
  });
  return id;
}

/** The importer path a `link:` written in importer `base` points at. */
function resolveLink(base: string, path: string): string {
  const parts = base === '.' ? [] : base.split('/');
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

function edges(
  deps: unknown,
  type: EdgeType,
  at: string,
  file: string,
  resolve: (name: string, ref: string, from: string) => string,
): { id: string; type: EdgeType }[] {
  if (deps === undefined) return [];
  return Object.entries(record(deps, at, file)).map(([name, ref]) => {
    if (typeof ref !== 'string') throw bad(file, `${at}.${name}`, 'a version string');
    return { id: resolve(name, ref, at), type };
  });
}

function parseYaml(text: string, file: string): Yaml {
  let doc: unknown;
  try {
    // pnpm writes no anchors or aliases: refusing them keeps a crafted lockfile from expanding.
    doc = parse(text, { maxAliasCount: 0, uniqueKeys: true });
  } catch (err) {
    throw bad(
      file,
      '(syntax)',
      `YAML (${(err as Error).message.split('\n')[0]})`,
      'restore pnpm-lock.yaml from version control, or run `pnpm install --lockfile-only`',
    );
  }
  return record(doc, '(root)', file);
}

function section(doc: Yaml, key: string, file: string): Yaml {
  return doc[key] === undefined || doc[key] === null ? {} : record(doc[key], key, file);
}

function record(value: unknown, at: string, file: string): Yaml {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(file, at, 'a mapping');
  return value as Yaml;
}

export function bad(file: string, path: string, expected: string, hint?: string): VouchError {
  return new VouchError('LOCKFILE_PARSE', `${file}: at ${path}: expected ${expected}`, { file, path }, hint);
}
