// The diff stage: two package-lock.json files and the package.json files of both sides in, what a
// lockfile pull request changed and which of its edits npm would not have made out. Pure.
export { parseLockfile, resolveFrom, folderName, isInNodeModules, isObject, EMPTY_LOCKFILE, type LockEntry, type Lockfile } from './lockfile.js';
export { compareLockfiles, type ChangeKind, type ChangedField, type PackageChange } from './changes.js';
export { unrequestedEntries, outOfRangeEntries, resolvedChanges, DEPENDENCY_FIELDS, type Manifest, type Manifests, type OutOfRange } from './injection.js';
export {
  lockfileFindings,
  installScriptFindings,
  mergeFindings,
  LOCKFILE_RULE,
  INSTALL_SCRIPT_RULE,
  type FindingsByLocation,
  type ScriptsOf,
} from './findings.js';
export { assembleDiff, type AssembleInput, type DiffEntry, type DiffReport, type VersionInfo } from './report.js';
