// The registry stage: fetching keys, packuments, attestations and tarballs as npm does, with caching.
export { gatherEvidence, type GatherOptions, type Gathered } from './evidence.js';
export { fetchVersionInfo, type RegistryVersionInfo } from './version-info.js';
export { EvidenceCache } from './evidence-cache.js';
export { withConcurrency, type HttpOptions } from './http.js';
export { fetchRegistryKeys, type RegistryKeys } from './keys.js';
export { CORGI_ACCEPT, PACKUMENT_MAX_BYTES } from './packument.js';
export { TreePackuments } from './tree-packuments.js';
export { fetchVerifiedTarballs, prefetchSources, type PrefetchedSource, TarballFetcher, type VerifiedTarball } from './tarballs.js';
export { npmCacheHas, npmCacheReader, VerifiedStore } from './verified-store.js';
export { checkSigningLog, logFetcher, logStateFile } from './log-check.js';
export { readPackageContents, readVerifiedContents, type FileDigest, type PackageContents } from './package-contents.js';
export { releaseRecords } from './release-records.js';
export { withFetchedIntegrity } from './fetched-integrity.js';
