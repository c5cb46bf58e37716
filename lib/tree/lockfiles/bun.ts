// bun.lock (Bun's text lockfile, JSONC with trailing commas; lockfileVersion 1 and 2) read into the
// lockfile graph. The binary bun.lockb is refused with what to run instead.
//
// `workspaces` maps each workspace folder ("" is the root) to its manifest's dependencies. `packages` is
// keyed by install path ("a", "@s/b", "a/@s/b" = @s/b inside a's node_modules) and each value is an array
// whose first element is `name@spec`: a registry package is [ident, registry ("" = the default), meta,
// integrity], the second element the tarball URL when it is not on the default registry; a workspace [`name@workspace:path`]; git, github, tarball, file and link packages name their
// source in the spec. A dependency `d` of the package at path `p` is the nearest of `p/d`, its parents' `…/d`,
// and `d`, as Node's module resolution finds the folder Bun installed.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { bad, type ReadContext } from './pnpm.js';
import { splitIdent, withSlash, type EdgeType, type LockedEntry, type LockedGraph, type LockedSource } from './graph.js';

type Json = Record<string, unknown>;

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function readBunLockfile(text: string, ctx: ReadContext): LockedGraph {
  const doc = parseJsonc(text, ctx.file);
  if (doc.lockfileVersion !== 1 && doc.lockfileVersion !== 2) {
    throw bad(ctx.file, 'lockfileVersion', `1 or 2 (the bun.lock formats Bun 1.2 to 1.4 write), found ${JSON.stringify(doc.lockfileVersion ?? null)}`);
  }
  const packages = object(doc.packages ?? {}, 'packages', ctx.file);
  const entries = new Map<string, LockedEntry>();
  const pendingDeps = new Map<string, Json>();
  for (const [path, value] of Object.entries(packages)) {
    if (!Array.isArray(value) || typeof value[0] !== 'string') throw bad(ctx.file, `packages.${path}`, 'an array starting with "name@spec"');
    const ident = splitIdent(value[0]);
    if (!ident) throw bad(ctx.file, `packages.${path}[0]`, '"name@spec"');
    const source = sourceOf(ident.name, ident.spec, value, path, ctx);
    const folder = installedName(path);
    const meta = source.kind === 'registry' ? value[2] : value[1];
    const entry: LockedEntry = {
      id: path,
      name: source.kind === 'registry' ? ident.name : folder,
      version: source.kind === 'registry' ? ident.spec : '',
      source,
      deps: [],
      location: locationOf(path),
      ...(source.kind === 'registry' && folder !== ident.name ? { alias: folder } : {}),
    };
    entries.set(path, entry);
    if (meta !== undefined && meta !== null && typeof meta === 'object' && !Array.isArray(meta)) pendingDeps.set(path, meta as Json);
  }
  const find = (from: string, dep: string, at: string): string => {
    const parts = from === '' ? [] : splitPath(from);
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), dep].join('/');
      if (entries.has(candidate)) return candidate;
    }
    throw bad(ctx.file, at, `a package entry for dependency ${dep}`, 'the lockfile references a package it does not list: run `bun install` to rewrite it');
  };
  for (const [path, meta] of pendingDeps) {
    entries.get(path)!.deps = depEdges(meta, `packages.${path}`, ctx.file, (dep, at) => find(path, dep, at), false);
  }
  const roots: LockedGraph['roots'] = [];
  const workspaces = object(doc.workspaces ?? {}, 'workspaces', ctx.file);
  for (const [folder, value] of Object.entries(workspaces)) {
    const manifest = object(value, `workspaces.${folder}`, ctx.file);
    // A workspace's dependencies resolve from its own node_modules first (its name is its install path).
    const base = folder === '' ? '' : typeof manifest.name === 'string' && entries.has(manifest.name) ? manifest.name : '';
    roots.push(...depEdges(manifest, `workspaces.${folder}`, ctx.file, (dep, at) => find(base, dep, at), true));
  }
  return { entries, roots };
}

function depEdges(meta: Json, at: string, file: string, find: (dep: string, at: string) => string, withDev: boolean): { id: string; type: EdgeType }[] {
  const fields: [string, EdgeType][] = [
    ['dependencies', 'prod'],
    ['optionalDependencies', 'optional'],
    ['peerDependencies', 'peer'],
  ];
  if (withDev) fields.push(['devDependencies', 'dev']);
  const optionalPeers = new Set(Array.isArray(meta.optionalPeers) ? meta.optionalPeers.filter((p): p is string => typeof p === 'string') : []);
  const found: { id: string; type: EdgeType }[] = [];
  for (const [field, type] of fields) {
    if (meta[field] === undefined) continue;
    for (const dep of Object.keys(object(meta[field], `${at}.${field}`, file))) {
      // An optional peer nobody installed is not an edge: Bun lists it without an entry.
      if (type === 'peer' && optionalPeers.has(dep)) continue;
      try {
        found.push({ id: find(dep, `${at}.${field}.${dep}`), type });
      } catch (err) {
        if (type !== 'peer' && type !== 'optional') throw err; // a peer or optional dependency Bun did not install
      }
    }
  }
  return found;
}

function sourceOf(name: string, spec: string, value: unknown[], path: string, ctx: ReadContext): LockedSource {
  if (spec.startsWith('workspace:')) return { kind: 'workspace' };
  if (SEMVER.test(spec)) {
    // The second element is the tarball URL when it is not the default registry's ("" otherwise).
    const resolved = typeof value[1] === 'string' && value[1] !== '' ? value[1] : null;
    const integrity = typeof value[3] === 'string' && value[3] !== '' ? value[3] : null;
    return { kind: 'registry', integrity, resolved, registry: withSlash(ctx.registryFor(name)) };
  }
  if (spec.startsWith('link:')) return { kind: 'directory', spec };
  if (spec.startsWith('file:')) return /\.(tgz|tar\.gz|tar)$/.test(spec) ? { kind: 'file', spec } : { kind: 'directory', spec };
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(spec)) return { kind: 'git', spec };
  if (/^https?:/.test(spec)) return { kind: 'remote', spec };
  return { kind: 'remote', spec: `${name}@${spec}`, unsupported: `a bun.lock package (${path}) whose spec vouch cannot classify` };
}

/** `a/@s/b` → ["a", "@s/b"]. */
function splitPath(path: string): string[] {
  const parts: string[] = [];
  const raw = path.split('/');
  for (let i = 0; i < raw.length; i++) {
    const part = raw[i]!;
    parts.push(part.startsWith('@') && i + 1 < raw.length ? `${part}/${raw[++i]}` : part);
  }
  return parts;
}

const installedName = (path: string): string => splitPath(path).at(-1) ?? path;

const locationOf = (path: string): string =>
  splitPath(path)
    .map((p) => `node_modules/${p}`)
    .join('/');

function parseJsonc(text: string, file: string): Json {
  const errors: ParseError[] = [];
  const doc: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split('\n').length;
    throw bad(
      file,
      '(syntax)',
      `JSONC (${printParseErrorCode(first.error)} at line ${line})`,
      'restore bun.lock from version control, or run `bun install --lockfile-only`',
    );
  }
  return object(doc, '(root)', file);
}

function object(value: unknown, at: string, file: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(file, at, 'an object');
  return value as Json;
}
