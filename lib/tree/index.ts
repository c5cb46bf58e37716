// The tree stage: arborist trees in, verification targets out.
export { assertLockfileParses, loadTree, loadLockedTree, projectArborist, type TreeSource } from './load.js';
export { buildIdealTree, treeFetchError } from './build.js';
export { fetchedSources, listTargets, planTargets, registryName, sourceKind } from './targets.js';
export { installPlan, planOptions, type InstallPlan, type PlanOptions, type PlanState } from './install-plan.js';
export { evidenceKey, packageKey, type BinLink, type PackageRef, type NonRegistryRef, type SourceKind, type Targets } from './types.js';
export { reifyVerified, type ReifyOptions, type ReifySummary } from './reify.js';
export { installScriptsOf, scriptsInBytes, verifyScriptsReviewed, type ContentsOf, type InstallScripts } from './script-review.js';
export { binLinksOf, binNames, planBins } from './bins.js';
export type { AllowedExtraction, AllowedSource, ReifyBoundary } from './reify-boundary.js';
export { inflateShrinkwrap } from './shrinkwrap-inflation.js';
export { SourceDenied, withSourceGuard, type SourceJudge } from './source-guard.js';
export { assertLockfileInSync } from './lockfile-sync.js';
export { assertLinkedSupported } from './linked.js';
export { gatedPrepareOptions } from './git-prepare.js';
export {
  manifestView,
  predecessorsOf,
  readReplacedLockfile,
  type Predecessor,
  type ReleaseView,
  type ReplacedLockfile,
  type VersionChange,
} from './version-change.js';
export { detectLockfile, foreignLockfileTargets, LOCKFILE_KINDS, LOCKFILE_NAMES, type LockfileKind, type ProjectLockfile } from './lockfiles/index.js';
export { PACKAGE_LIST_MAX_BYTES, packageListTargets, parsePackageList } from './package-list.js';
