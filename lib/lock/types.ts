// The data in vouch.lock: what vouch verified and pinned, per package and per version. Written by
// vouch only (people change it through `vouch approve`), reviewed in pull requests. docs/lock.md.
// Every type is inferred from the schema vouch checks the file with (lib/lock/schema.ts): one source.
import type { z } from 'zod';
import type {
  ApprovalSchema,
  AttestedSchema,
  IdentitySchema,
  LockFileSchema,
  PackageSchema,
  RegistryApprovalSchema,
  RegistryKeySchema,
  RegistryLogSchema,
  RegistrySchema,
  VersionSchema,
} from './schema.js';

export type LockIdentity = z.infer<typeof IdentitySchema>;
export type Attested = z.infer<typeof AttestedSchema>;
export type LockVersion = z.infer<typeof VersionSchema>;
export type LockApproval = z.infer<typeof ApprovalSchema>;
export type LockPackage = z.infer<typeof PackageSchema>;
export type LockRegistryKey = z.infer<typeof RegistryKeySchema>;
export type LockRegistryApproval = z.infer<typeof RegistryApprovalSchema>;
export type LockRegistryLog = z.infer<typeof RegistryLogSchema>;
export type LockRegistry = z.infer<typeof RegistrySchema>;
export type Lock = z.infer<typeof LockFileSchema>;

/** A lock as read from disk: the parsed data, the stored text (null when the file is absent), the path. */
export interface LoadedLock {
  lock: Lock;
  text: string | null;
  file: string;
}

export const LOCK_FILE = 'vouch.lock';

export const emptyLock = (): Lock => ({ lockVersion: 1, packages: {} });
