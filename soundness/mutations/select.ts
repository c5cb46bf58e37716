// Picking targets in a tree (generation) and reading them back at run time (apply).
import { readFile } from 'node:fs/promises';
import ssri from 'ssri';
import type { StoredTarball } from '../corpus/tarball-store.js';
import { packageNameOf, registryEntries, registryTarballPath, type LockEntry, type Lockfile } from '../lockfile.js';
import type { Rng } from './rng.js';
import type { ApplyContext, Candidate, TreeFacts } from './types.js';

/** Candidates per (tree, kind): enough to vary, few enough that every kind gets its share. */
export const TARGETS_PER_KIND = 3;

/** Up to `k` registry entries passing `filter`, seeded. */
export function registryTargets(tree: TreeFacts, rng: Rng, filter: (location: string, e: LockEntry) => boolean = () => true, k = TARGETS_PER_KIND): string[] {
  return rng.sample(
    registryEntries(tree.lock)
      .filter(([l, e]) => filter(l, e))
      .map(([l]) => l),
    k,
  );
}

/** Up to `k` entries of any kind passing `filter`, seeded. */
export function entryTargets(tree: TreeFacts, rng: Rng, filter: (location: string, e: LockEntry) => boolean, k = TARGETS_PER_KIND): string[] {
  return rng.sample(
    Object.entries(tree.lock.packages)
      .filter(([l, e]) => l !== '' && filter(l, e))
      .map(([l]) => l),
    k,
  );
}

/** Another registry entry whose package name differs from the target's. */
export function otherEntry(tree: TreeFacts, rng: Rng, location: string): string | undefined {
  const name = packageNameOf(location, entry(tree.lock, location));
  const others = registryEntries(tree.lock)
    .filter(([l, e]) => packageNameOf(l, e) !== name)
    .map(([l]) => l);
  return others.length ? rng.pick(others) : undefined;
}

/** Candidates pairing each target with another entry (`params.other`). */
export function pairedCandidates(tree: TreeFacts, rng: Rng, locations: readonly string[], params: Record<string, string> = {}): Candidate[] {
  return locations.flatMap((target) => {
    const other = otherEntry(tree, rng, target);
    return other ? [{ target, params: { ...params, other } }] : [];
  });
}

export const plain = (locations: readonly string[], params: Record<string, string> = {}): Candidate[] =>
  locations.map((target) => ({ target, params: { ...params } }));

export function entry(lock: Lockfile, location: string): LockEntry {
  const e = lock.packages[location];
  if (!e) throw new Error(`the lockfile has no entry ${location}`);
  return e;
}

export function targetOf(c: Candidate): string {
  if (c.target === null) throw new Error('this mutation needs a target');
  return c.target;
}

export function param(c: Candidate, key: string): string {
  const value = c.params[key];
  if (value === undefined) throw new Error(`this mutation needs params.${key}`);
  return value;
}

/** The URL npm fetches an entry's tarball from: its `resolved`, or the registry's path for name@version. */
export function tarballUrlOf(ctx: ApplyContext, location: string): string {
  const e = entry(ctx.lock, location);
  if (typeof e.resolved === 'string' && /^https?:/.test(e.resolved)) return e.resolved;
  return new URL(registryTarballPath(packageNameOf(location, e), e.version ?? '0.0.0').slice(1), ctx.registryUrl).href;
}

/** The registry path of that URL, as the proxy matches requests. */
export const pathOfUrl = (url: string): string => new URL(url).pathname;

/** The registry-signed tarball an entry locks (by name and version). */
export function signedAt(ctx: ApplyContext, location: string): StoredTarball {
  const e = entry(ctx.lock, location);
  const t = ctx.catalog.signed(packageNameOf(location, e), e.version ?? '');
  if (!t) throw new Error(`${location}: no signed tarball for ${packageNameOf(location, e)}@${e.version}`);
  return t;
}

/** The attacker's tarball for the package an entry locks. */
export function attackerFor(ctx: ApplyContext, location: string): Promise<StoredTarball> {
  const e = entry(ctx.lock, location);
  return ctx.attacker(packageNameOf(location, e), e.version ?? '0.0.0');
}

/** A URL on the registry host where the proxy serves the attacker's tarball (the registry has no such path). */
export function attackerUrl(ctx: ApplyContext, evil: StoredTarball): string {
  return new URL(`-/evil/${evil.name.replace('/', '+')}-${evil.version}.tgz`, ctx.registryUrl).href;
}

/** An SRI of a tarball's bytes with other algorithms (sha1, sha256, sha384 …). */
export async function sriWith(t: StoredTarball, algorithm: string): Promise<string> {
  return ssri.fromData(await readFile(t.file), { algorithms: [algorithm] }).toString();
}
