// The tree stage: arborist trees in, verification targets out.
export { loadTree, loadLockedTree, projectArborist, type TreeSource } from './load.js';
export { buildIdealTree, treeFetchError } from './build.js';
export { fetchedSources, listTargets, registryName, sourceKind } from './targets.js';
export { refId, type PackageRef, type NonRegistryRef, type SourceKind, type Targets } from './types.js';
export { reifyVerified, verifyScriptsReviewed, type ReifyOptions } from './reify.js';
