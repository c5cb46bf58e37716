// The lock stage: vouch.lock read (strict), written (canonical, atomic), diffed, recorded after a
// successful run, and changed by approvals. docs/lock.md describes the format.
export { readLock, parseLock, MAX_LOCK_BYTES } from './parse.js';
export { serializeLock } from './serialize.js';
export { writeLockAtomic } from './write.js';
export { diffLock, checkLockCanonical, verifyLockCanonical, type CanonicalCheck } from './canonical.js';
export { recordVerified, versionEntry } from './record.js';
export { pinnedRegistryKeys, pinnedRegistryLogs } from './registry-pins.js';
export { approve, approveRegistry, type ApproveInput, type ApproveRegistryInput } from './approve.js';
export { lockMissingEntries, type MissingEntry } from './missing.js';
export { lockInconsistencies, type LockInconsistency } from './consistency.js';
export { LockFileSchema } from './schema.js';
export {
  emptyLock,
  LOCK_FILE,
  type Lock,
  type LockPackage,
  type LockVersion,
  type LockIdentity,
  type LockApproval,
  type LoadedLock,
  type Attested,
} from './types.js';
export type { LockRegistry, LockRegistryKey } from './types.js';
