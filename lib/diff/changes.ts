// What a lockfile pull request changes, package by package: versions added, removed, or replacing
// others, and versions that stayed while their `resolved` or `integrity` changed. Pure.
import { compareVersions } from '../files/index.js';
import { isInNodeModules, type LockEntry, type Lockfile } from './lockfile.js';

export type ChangeKind = 'added' | 'removed' | 'changed';
/** What changed: a new version, or the download URL or hash of a version that stayed. */
export type ChangedField = 'version' | 'resolved' | 'integrity';

export interface PackageChange {
  kind: ChangeKind;
  name: string;
  /** The head version (removed: the base version); null for a link, which has none. */
  version: string | null;
  /** Base versions of this name the change replaces (changed), or the one removed. */
  from: string[];
  /** Head locations (removed: base locations), sorted. */
  locations: string[];
  changed: ChangedField[];
  /** `resolved` and `integrity` before (the base entry of that version, or of the version it replaces) and after. */
  resolved: { before: string | null; after: string | null };
  integrity: { before: string | null; after: string | null };
  /** Dependency names the head entry has that no base entry of this name had (added: all of them). */
  newDependencies: string[];
  /** The head lockfile says it has install scripts (`hasInstallScript`). */
  hasInstallScript: boolean;
  /** Some base version of this name had install scripts. */
  hadInstallScript: boolean;
  link: boolean;
}

/** Every package of node_modules added, removed or changed between two lockfiles, sorted by name then version. */
export function compareLockfiles(base: Lockfile, head: Lockfile): PackageChange[] {
  const before = byName(base);
  const after = byName(head);
  const changes: PackageChange[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    changes.push(...changesOf(name, before.get(name) ?? new Map(), after.get(name) ?? new Map()));
  }
  return changes.sort(compareChanges);
}

type Versions = Map<string, LockEntry[]>;

function changesOf(name: string, base: Versions, head: Versions): PackageChange[] {
  const added = [...head.keys()].filter((key) => !base.has(key));
  const gone = [...base.keys()].filter((key) => !head.has(key));
  const goneVersions = gone.map((key) => versionOf(base.get(key) ?? []));
  const baseEntries = [...base.values()].flat();
  const out: PackageChange[] = [];
  for (const key of added) {
    const entries = head.get(key) ?? [];
    const replaced = gone.flatMap((k) => base.get(k) ?? []);
    out.push(change(gone.length > 0 ? 'changed' : 'added', name, entries, replaced, baseEntries, goneVersions.filter(isString), ['version']));
  }
  if (added.length === 0) {
    for (const key of gone) {
      const entries = base.get(key) ?? [];
      const version = versionOf(entries);
      out.push(change('removed', name, entries, entries, baseEntries, version === null ? [] : [version], []));
    }
  }
  for (const [key, entries] of head) {
    const old = base.get(key);
    if (!old) continue;
    // A version that stayed: any head copy whose `resolved` or `integrity` no base copy had.
    const moved = entries.filter((e) => !old.some((o) => o.resolved === e.resolved && o.integrity === e.integrity));
    const first = moved[0];
    if (!first) continue;
    const fields: ChangedField[] = [];
    if (!old.some((o) => o.resolved === first.resolved)) fields.push('resolved');
    if (!old.some((o) => o.integrity === first.integrity)) fields.push('integrity');
    const version = versionOf(entries);
    out.push(change('changed', name, moved, old, baseEntries, version === null ? [] : [version], fields));
  }
  return out;
}

function change(
  kind: ChangeKind,
  name: string,
  entries: LockEntry[],
  replaced: LockEntry[],
  baseEntries: LockEntry[],
  from: string[],
  changed: ChangedField[],
): PackageChange {
  const head = entries[0];
  const old = replaced[0];
  const known = new Set(baseEntries.flatMap((e) => Object.keys(e.dependencies)));
  const deps = new Set(entries.flatMap((e) => Object.keys(e.dependencies)));
  return {
    kind,
    name,
    version: head?.version ?? null,
    from: [...new Set(from)].sort(compareVersions),
    locations: entries.map((e) => e.location).sort(),
    changed,
    resolved: { before: kind === 'added' ? null : (old?.resolved ?? null), after: kind === 'removed' ? null : (head?.resolved ?? null) },
    integrity: { before: kind === 'added' ? null : (old?.integrity ?? null), after: kind === 'removed' ? null : (head?.integrity ?? null) },
    newDependencies: [...deps].filter((d) => !known.has(d)).sort(),
    hasInstallScript: kind !== 'removed' && entries.some((e) => e.hasInstallScript),
    hadInstallScript: baseEntries.some((e) => e.hasInstallScript),
    link: head?.link ?? false,
  };
}

// Entries of node_modules by real name, then by version (a link by what it points at).
function byName(lock: Lockfile): Map<string, Versions> {
  const out = new Map<string, Versions>();
  for (const entry of lock.entries.values()) {
    if (!isInNodeModules(entry.location)) continue; // workspace and other project folders: the project's own code
    const key = entry.link ? `link:${entry.resolved ?? ''}` : (entry.version ?? '');
    const versions = out.get(entry.name) ?? new Map<string, LockEntry[]>();
    versions.set(key, [...(versions.get(key) ?? []), entry]);
    out.set(entry.name, versions);
  }
  return out;
}

const versionOf = (entries: readonly LockEntry[]): string | null => entries[0]?.version ?? null;
const isString = (v: string | null): v is string => v !== null;

function compareChanges(a: PackageChange, b: PackageChange): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return compareVersions(a.version ?? '', b.version ?? '') || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}
