// The orders vouch writes files and reports in: the same on every machine, whatever its locale.
import semver from 'semver';

/** Code-point order: the same in every locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver order where both are versions (npm lockfiles hold only those), code-point order otherwise. */
export function compareVersions(a: string, b: string): number {
  return semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : compareStrings(a, b);
}
