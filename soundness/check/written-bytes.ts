// The invariant, checked on what an install wrote: every written file of every package folder equals
// the file at the same path of a reference tarball for that folder — the tarball of what is known at
// that location (vouch's verified entry, or the registry-signed package), or, for a folder inside a
// bundling package, the bundler's tarball at that path. Every package symlink points at a workspace
// folder, and nothing is written outside package folders.
import type { StoredTarball } from '../corpus/tarball-store.js';
import { parentFolderOf, type InstalledTree } from '../install/installed-tree.js';

export interface Reference {
  tarball: StoredTarball;
  /** Where this folder's files sit inside the tarball ('' for its own package; a bundled folder's path). */
  prefix: string;
  /** For messages: "vouch-verified qs@6.13.0 (sha512-…)". */
  what: string;
}

/** The references known for a folder, or why there are none. */
export type References = (location: string) => { refs: Reference[]; problem?: string };

export interface Finding {
  /** The offending path, relative to the project. */
  path: string;
  reason: string;
}

export function checkWrittenBytes(
  installed: InstalledTree,
  direct: References,
  linkTargets: ReadonlySet<string>,
  outsideLocations: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const matched = new Map<string, Reference>();
  for (const location of [...installed.folders.keys()].sort((a, b) => a.length - b.length)) {
    const files = installed.folders.get(location) ?? new Map<string, string>();
    const { refs, problem } = direct(location);
    const bundler = bundlerReference(location, matched, outsideLocations);
    const candidates = bundler ? [...refs, bundler] : refs;
    const misses = candidates.map((ref) => ({ ref, miss: firstMismatch(files, ref) }));
    const hit = misses.find((m) => m.miss === null);
    if (hit) {
      matched.set(location, hit.ref);
      continue;
    }
    const first = misses[0];
    if (!first || first.miss === null) findings.push({ path: location, reason: problem ?? 'installed, but nothing verified is known at this location' });
    else {
      const inTarball = first.ref.tarball.files.has(first.ref.prefix + first.miss);
      findings.push({
        path: `${location}/${first.miss}`,
        reason: `${inTarball ? 'differs from' : 'is not in'} ${first.ref.what}${problem ? `; ${problem}` : ''}`,
      });
    }
  }
  for (const [location, target] of installed.links) {
    if (!linkTargets.has(target)) findings.push({ path: location, reason: `a symlink to ${target}, which is not a workspace folder` });
  }
  for (const path of installed.strays) findings.push({ path, reason: 'written outside any package folder' });
  return findings;
}

/** The bundling parent's tarball at this folder's path, when the parent matched and ships that path. */
function bundlerReference(location: string, matched: ReadonlyMap<string, Reference>, outsideLocations: readonly string[]): Reference | undefined {
  const parent = parentFolderOf(location, outsideLocations);
  const ref = parent === null ? undefined : matched.get(parent);
  if (!parent || !ref) return undefined;
  const prefix = `${ref.prefix}${location.slice(parent.length + 1)}/`;
  for (const path of ref.tarball.files.keys()) if (path.startsWith(prefix)) return { tarball: ref.tarball, prefix, what: `the bundle inside ${ref.what}` };
  return undefined;
}

/** The first written file (sorted) the reference does not hold byte for byte, or null. */
function firstMismatch(files: ReadonlyMap<string, string>, ref: Reference): string | null {
  for (const path of [...files.keys()].sort()) if (ref.tarball.files.get(ref.prefix + path) !== files.get(path)) return path;
  return null;
}
