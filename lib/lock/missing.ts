// `vouch ci`: every registry version in package-lock.json must already be recorded in vouch.lock
// (it was verified and reviewed when it was added). Cheap: runs before any evidence is fetched.
import type { Finding } from '../policy/index.js';
import { compareStrings, compareVersions, formatPath } from '../files/index.js';
import type { PackageRef } from '../tree/types.js';
import type { Lock } from './types.js';

export interface MissingEntry {
  ref: PackageRef;
  finding: Finding;
}

export function lockMissingEntries(lock: Lock, refs: readonly PackageRef[]): MissingEntry[] {
  return refs
    .filter((ref) => lock.packages[ref.name]?.versions[ref.version] === undefined)
    .sort((a, b) => compareStrings(a.name, b.name) || compareVersions(a.version, b.version))
    .map((ref) => ({
      ref,
      finding: {
        code: 'LOCK_MISSING_ENTRY',
        severity: 'deny',
        message: `${ref.name}@${ref.version} is in package-lock.json but vouch.lock does not record it`,
        rule: `vouch.lock:${formatPath(['packages', ref.name, 'versions', ref.version])}`,
        hint: 'run `vouch install` and commit the updated vouch.lock',
      },
    }));
}
