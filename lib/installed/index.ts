// The installed stage: what is on disk, read as it is, against the files of the tarballs vouch verified.
// `vouch verify --installed` and the admission preload (lib/admit) check through here; the node_modules
// tree digest names the whole tree in a verification summary.
export { checkInstalledFolders, type CheckOptions, type ExpectedFolder, type FolderCheck } from './check.js';
export { ManifestStore, manifestFor, vouchDir, type FileManifest } from './file-manifest.js';
export type { FileState, FolderCache, FolderDifferences, FolderSnapshot } from './folder-check.js';
export { treeDigestOf, TREE_DIGEST_FOLDER, type TreeDigest } from './tree-digest.js';
