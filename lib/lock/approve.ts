// `vouch approve` in vouch.lock: a person accepts an identity change (re-pinning old → new) or new
// bytes for a republished version (forgetting the recorded entry), and the lock says who, when, why.
import semver from 'semver';
import { VouchError } from '../errors/index.js';
import type { Lock, LockApproval, LockIdentity, LockPackage, LockRegistry } from './types.js';
import { IDENTITY_FIELDS } from '../policy/index.js';

export interface ApproveInput {
  name: string;
  /** The semver range the person approved for (recorded; `vouch approve name@range`). */
  range?: string;
  reason: string;
  approvedBy: string;
  now: Date;
  /** The identity to pin from now on (the verified identity of the version being approved). */
  identity?: LockIdentity;
  /** Versions whose recorded entry is dropped, so the next run records their new bytes. */
  forget?: readonly string[];
}

/** The lock with the approval applied and recorded. Pure. Throws VouchError USAGE on a bad input. */
export function approve(lock: Lock, input: ApproveInput): Lock {
  const problems: string[] = [];
  if (!/\S/.test(input.reason)) problems.push('a non-empty --reason is required');
  if (!/\S/.test(input.approvedBy)) problems.push('the approver (approvedBy) must not be empty');
  if (input.range !== undefined && semver.validRange(input.range) === null) problems.push(`${JSON.stringify(input.range)} is not a semver range`);
  if (Number.isNaN(input.now.getTime())) problems.push('the approval time is not a valid date');
  if (problems.length > 0) throw new VouchError('USAGE', `cannot approve ${input.name}: ${problems.join('; ')}`, { pkg: input.name });

  const next: Lock = structuredClone(lock);
  const pkg: LockPackage = (next.packages[input.name] ??= { versions: {} });
  const approval: LockApproval = { approvedBy: input.approvedBy, approvedAt: input.now.toISOString(), reason: input.reason };
  if (input.range !== undefined) approval.versions = input.range;
  if (input.identity) {
    if (pkg.identity) approval.from = pkg.identity;
    approval.to = ordered(input.identity);
    pkg.identity = ordered(input.identity);
  }
  const forgot = (input.forget ?? []).filter((v) => pkg.versions[v] !== undefined);
  for (const v of forgot) delete pkg.versions[v];
  if (forgot.length > 0) approval.forgot = forgot;
  pkg.approvals = [...(pkg.approvals ?? []), approval];
  return next;
}

function ordered(identity: LockIdentity): LockIdentity {
  const out: LockIdentity = {};
  for (const f of IDENTITY_FIELDS) if (identity[f] !== undefined) out[f] = identity[f];
  return out;
}

export interface ApproveRegistryInput {
  /** The registry URL, with a trailing slash. */
  url: string;
  /** Its keys as served now (the policy stage's `registryServed`). */
  served: LockRegistry;
  reason: string;
  approvedBy: string;
  now: Date;
}

/**
 * `vouch approve --registry`: pins the keys the registry serves now in place of what vouch.lock pinned,
 * recording who, when, why and the key ids before and after. Revocations stay pinned. Pure.
 */
export function approveRegistry(lock: Lock, input: ApproveRegistryInput): Lock {
  const problems: string[] = [];
  if (!/\S/.test(input.reason)) problems.push('a non-empty --reason is required');
  if (!/\S/.test(input.approvedBy)) problems.push('the approver (approvedBy) must not be empty');
  if (Number.isNaN(input.now.getTime())) problems.push('the approval time is not a valid date');
  if (problems.length > 0) throw new VouchError('USAGE', `cannot approve the keys of ${input.url}: ${problems.join('; ')}`);
  const next: Lock = structuredClone(lock);
  const before = next.registries?.[input.url];
  const keys = structuredClone(input.served.keys);
  for (const [id, k] of Object.entries(before?.keys ?? {})) if (k.revoked && !keys[id]) keys[id] = k;
  const live = (r: LockRegistry | undefined) =>
    Object.entries(r?.keys ?? {})
      .filter(([, k]) => k.revoked === undefined)
      .map(([id]) => id)
      .sort();
  const approval = { approvedBy: input.approvedBy, approvedAt: input.now.toISOString(), reason: input.reason, from: live(before), to: live({ keys }) };
  (next.registries ??= {})[input.url] = { keys, approvals: [...(before?.approvals ?? []), approval] };
  return next;
}
