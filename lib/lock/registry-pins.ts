// vouch.lock's pinned registry keys in the shape the evidence stage verifies with.
import type { RegistryKey } from '../verify/types.js';
import type { Lock } from './types.js';

/** The keys vouch.lock pins, per registry URL, in the evidence stage's shape (revoked ones included: the policy voids them). */
export function pinnedRegistryKeys(lock: Lock): Map<string, RegistryKey[]> {
  const out = new Map<string, RegistryKey[]>();
  for (const [url, registry] of Object.entries(lock.registries ?? {})) {
    out.set(url, Object.entries(registry.keys).map(([keyid, k]) => ({
      keyid, key: k.key, expires: k.expires ? new Date(k.expires) : null, ...(k.revoked ? { revoked: new Date(k.revoked) } : {}),
    })));
  }
  return out;
}
