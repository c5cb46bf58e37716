// vouch.lock's pinned registry keys in the shape the evidence stage verifies with.
import type { RegistryKey } from '../verify/index.js';
import type { Lock, LockRegistryLog } from './types.js';

/** The keys vouch.lock pins, per registry URL, in the evidence stage's shape (revoked ones included: the policy voids them). */
export function pinnedRegistryKeys(lock: Lock): Map<string, RegistryKey[]> {
  const out = new Map<string, RegistryKey[]>();
  for (const [url, registry] of Object.entries(lock.registries ?? {})) {
    out.set(
      url,
      Object.entries(registry.keys).map(([keyid, k]) => ({
        keyid,
        key: k.key,
        expires: k.expires ? new Date(k.expires) : null,
        ...(k.revoked ? { revoked: new Date(k.revoked) } : {}),
      })),
    );
  }
  return out;
}

/** The signing-log checkpoint vouch.lock recorded, per registry URL. */
export function pinnedRegistryLogs(lock: Lock): Map<string, LockRegistryLog> {
  const out = new Map<string, LockRegistryLog>();
  for (const [url, registry] of Object.entries(lock.registries ?? {})) if (registry.log) out.set(url, registry.log);
  return out;
}
