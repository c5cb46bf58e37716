// The diff's own findings, by head lockfile location: lockfile edits npm would not have made
// (LOCKFILE_UNREQUESTED, LOCKFILE_OUT_OF_RANGE, LOCKFILE_RESOLVED_CHANGED: never waivable, a lockfile is
// fixed, not excused) and packages that bring install scripts into the tree (INSTALL_SCRIPT_ADDED: deny,
// waivable by a policy exception once someone has read the script). Pure.
import { truncate } from '../errors/index.js';
import type { Finding } from '../policy/index.js';
import type { PackageChange } from './changes.js';
import { outOfRangeEntries, resolvedChanges, unrequestedEntries, type Manifests } from './injection.js';
import type { Lockfile } from './lockfile.js';

/** The rule id of the lockfile-injection findings: no policy setting turns them off. */
export const LOCKFILE_RULE = 'invariant:lockfile-manifest';
/** The rule id of INSTALL_SCRIPT_ADDED (an exception in vouch.policy.json waives it). */
export const INSTALL_SCRIPT_RULE = 'diff:install-scripts';

const RESTORE = 'restore package-lock.json from the base branch and let npm make the change (npm install <pkg>, npm update)';

export type FindingsByLocation = Map<string, Finding[]>;

/** Lockfile-injection findings over the head lockfile, against the package.json files of both sides. */
export function lockfileFindings(changes: readonly PackageChange[], head: Lockfile, manifests: Manifests, base: Manifests): FindingsByLocation {
  const out: FindingsByLocation = new Map();
  for (const entry of unrequestedEntries(head, manifests)) {
    add(out, entry.location, {
      code: 'LOCKFILE_UNREQUESTED',
      severity: 'deny',
      rule: LOCKFILE_RULE,
      hint: RESTORE,
      message: `${id(entry.name, entry.version)} (${entry.location}) is in package-lock.json, but no package.json depends on it, directly or through the lockfile's dependencies`,
    });
  }
  for (const o of outOfRangeEntries(head, manifests, base)) {
    const file = o.declaredBy === '' ? 'package.json' : `${o.declaredBy}/package.json`;
    const wanted = `${o.field}[${JSON.stringify(folder(o.entry.location))}] = ${quote(o.spec)}`;
    const locked =
      o.reason === 'name' ? `locks the package ${quote(o.entry.name)} at ${quote(o.entry.version ?? '')}` : `locks ${quote(o.entry.version ?? '')}`;
    const manifest =
      o.baseSpec === o.spec
        ? `${file} did not change it, so npm did not write this entry`
        : o.baseSpec === null
          ? `${file} adds it in this change`
          : `${file} changed it from ${quote(o.baseSpec)}`;
    add(out, o.entry.location, {
      code: 'LOCKFILE_OUT_OF_RANGE',
      severity: 'deny',
      rule: LOCKFILE_RULE,
      hint: RESTORE,
      message: `${o.entry.location} ${locked}, outside ${file} ${wanted}; ${manifest}`,
    });
  }
  for (const c of resolvedChanges(changes)) {
    const what = (['resolved', 'integrity'] as const)
      .filter((field) => c.changed.includes(field))
      .map((field) => `${field} ${quote(c[field].before ?? '(none)')} → ${quote(c[field].after ?? '(none)')}`)
      .join(' and ');
    add(out, c.locations[0] ?? '', {
      code: 'LOCKFILE_RESOLVED_CHANGED',
      severity: 'deny',
      rule: LOCKFILE_RULE,
      hint: RESTORE,
      message: `${id(c.name, c.version)} kept its version, but its ${what} changed`,
    });
  }
  return out;
}

/** Install scripts of a head version: the registry manifest's (null when unknown) and the lockfile's flag. */
export type ScriptsOf = (change: PackageChange) => Record<string, string> | null;

/** INSTALL_SCRIPT_ADDED for each added package, or new version of a package that had none, that runs install scripts. */
export function installScriptFindings(changes: readonly PackageChange[], scriptsOf: ScriptsOf): FindingsByLocation {
  const out: FindingsByLocation = new Map();
  for (const c of changes) {
    if ((c.kind !== 'added' && !(c.kind === 'changed' && c.changed.includes('version'))) || c.hadInstallScript) continue;
    const scripts = scriptsOf(c) ?? {};
    const listed = Object.entries(scripts)
      .map(([event, body]) => `${event}: ${quote(body)}`)
      .join(', ');
    if (!c.hasInstallScript && listed === '') continue;
    const which = listed || 'hasInstallScript in package-lock.json';
    const flag = c.hasInstallScript ? '' : " (package-lock.json does not say hasInstallScript, the registry's manifest does)";
    add(out, c.locations[0] ?? '', {
      code: 'INSTALL_SCRIPT_ADDED',
      severity: 'deny',
      rule: INSTALL_SCRIPT_RULE,
      hint: `read the script; if it is expected: vouch approve ${id(c.name, c.version)} --allow INSTALL_SCRIPT_ADDED --reason "…"`,
      message: `${id(c.name, c.version)} is ${c.kind === 'added' ? 'new in this lockfile' : `a new version of a package that had no install scripts (was ${c.from.join(', ')})`} and runs install scripts: ${which}${flag}`,
    });
  }
  return out;
}

/** Both maps in one, findings of a location in order. */
export function mergeFindings(...maps: FindingsByLocation[]): FindingsByLocation {
  const out: FindingsByLocation = new Map();
  for (const map of maps) for (const [location, findings] of map) for (const f of findings) add(out, location, f);
  return out;
}

function add(map: FindingsByLocation, location: string, f: Finding): void {
  map.set(location, [...(map.get(location) ?? []), f]);
}

const id = (name: string, version: string | null): string => truncate(version ? `${name}@${version}` : name, 160);
const quote = (value: string): string => JSON.stringify(truncate(value, 160));
const folder = (location: string): string => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
