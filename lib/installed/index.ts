// The installed stage: package folders on disk against the files of the tarballs vouch verified.
// `vouch verify --installed` and the admission preload (lib/admit) both check through here.
export { checkInstalledFolders, type CheckOptions, type ExpectedFolder, type FolderCheck } from './check.js';
export { ManifestStore, manifestFor, vouchDir, type FileManifest } from './file-manifest.js';
export { type FileState, type FolderCache, type FolderDifferences, type FolderSnapshot } from './folder-check.js';
