// Which registry keys count. A registry's keys endpoint is unsigned, so vouch pins what it saw first in
// vouch.lock (trust on first use), or what vouch.policy.json names, and after that accepts a new key
// only when a key it already trusts endorsed it (a rotation done with `vouch registry rotate`) or a
// person approved it (`vouch approve --registry`). A key added, removed or swapped, or a keys endpoint
// that stops answering with keys, is a registry-level deny. Revocation is pinned for good. Pure.
import type { LockRegistry, LockRegistryKey } from '../lock/types.js';
import { checkEndorsement, keyIdMatches, type RegistryKey, type RegistryKeysSeen } from '../verify/index.js';
import { finding, INVARIANT } from './findings.js';
import type { RegistryPolicy } from './policy.js';
import type { Decision, Finding, RegistrySummary } from './report.js';

/** The keys a registry's packages may be signed by in this run. */
export interface KeyTrust {
  /** Key ids whose signatures count (pinned, endorsed, or first seen); revoked ones excluded. */
  trusted: ReadonlySet<string>;
  /** Key id → when it was revoked: every signature by it is void. */
  revoked: ReadonlyMap<string, Date>;
  /** Key id → when it was retired (its `expires`). */
  expires: ReadonlyMap<string, Date>;
  /**
   * Whether a retired key's signature needs a signed time before its expiry. False only for
   * registry.npmjs.org, whose retired key signed nearly every version published before 2025 and
   * publishes no signed time for them (docs/threat-model.md).
   */
  needsSignedTime: boolean;
}

export interface RegistryJudgement {
  summary: RegistrySummary;
  trust: KeyTrust;
  /** What vouch.lock records for this registry after an allowed run (undefined: nothing to pin). */
  pin?: LockRegistry;
  /** The keys as served now, for `vouch approve --registry`. */
  served?: LockRegistry;
}

export interface RegistryTrustInput {
  seen: RegistryKeysSeen;
  /** The registry's entry in vouch.lock, if vouch pinned it before. */
  pinned: LockRegistry | undefined;
  /** Its entry in vouch.policy.json, if any. */
  policy: RegistryPolicy | undefined;
}

export function judgeRegistry({ seen, pinned, policy }: RegistryTrustInput): RegistryJudgement {
  const revoked = revocations(seen.keys, pinned);
  const expires = new Map<string, Date>();
  for (const k of seen.keys) if (k.expires) expires.set(k.keyid, k.expires);
  for (const [id, k] of Object.entries(pinned?.keys ?? {})) if (k.expires && !expires.has(id)) expires.set(id, new Date(k.expires));
  const base: Omit<RegistrySummary, 'decision' | 'findings'> = { url: seen.url, keys: seen.state, keyids: seen.keys.map((k) => k.keyid).sort() };
  if (seen.state === 'pinned' || seen.state === 'unreachable') {
    const trusted = new Set(seen.keys.map((k) => k.keyid).filter((id) => !revoked.has(id)));
    return { summary: summary(base, []), trust: { trusted, revoked, expires, needsSignedTime: seen.state !== 'pinned' }, ...(pinned ? { pin: pinned } : {}) };
  }
  const findings: Finding[] = [];
  const valid = seen.keys.filter((k) => {
    if (keyIdMatches(k)) return true;
    findings.push(registryFinding('REGISTRY_KEY_INVALID', `${seen.url} lists key ${k.keyid}, but that id is not the fingerprint of the key it serves`));
    return false;
  });
  const anchors = anchorsOf(pinned, policy);
  const trusted = anchors === null ? new Set(valid.map((k) => k.keyid)) : endorsedClosure(anchors, valid, pinned, revoked);
  for (const id of revoked.keys()) trusted.delete(id);
  if (seen.state === 'none' && anchors !== null && anchors.size > 0) {
    findings.push(
      registryFinding(
        'REGISTRY_KEYS_MISSING',
        `${seen.url} no longer serves signing keys, but ${describeAnchors(policy)} ${[...anchors].sort().join(', ')}`,
        approveHint(seen.url),
      ),
    );
  }
  for (const k of valid) {
    if (!trusted.has(k.keyid) && !revoked.has(k.keyid)) {
      findings.push(
        registryFinding(
          'REGISTRY_KEY_ADDED',
          `${seen.url} serves key ${k.keyid}, which ${describeAnchors(policy)} does not name and no trusted key endorsed`,
          approveHint(seen.url),
        ),
      );
    }
  }
  for (const problem of seen.log?.state === 'inconsistent' ? seen.log.problems : []) {
    findings.push(
      finding(
        'LOG_INCONSISTENT',
        'deny',
        `${seen.url}: signing log: ${problem}`,
        INVARIANT.registryKeys,
        'a registry whose log history changed may be showing you a different history than others: check with the operator (and `vouch log verify` from elsewhere) before trusting it again',
      ),
    );
  }
  for (const problem of seen.log?.invalidEntries ?? []) {
    findings.push(
      finding(
        'LOG_ENTRY_INVALID',
        'deny',
        `${seen.url}: signing log: ${problem}`,
        INVARIANT.registryKeys,
        "the registry's log records a signing event its own rules forbid (e.g. a key signing after its retirement): treat the key as leaked, and check with the operator (vouch log verify <registry> shows every such entry)",
      ),
    );
  }
  const unwitnessed = seen.log?.witnesses?.problem;
  if (unwitnessed) {
    findings.push(
      finding(
        'LOG_UNWITNESSED',
        'deny',
        `${seen.url}: signing log: ${unwitnessed}`,
        `${policy?.path ?? 'registries'}.witnesses`,
        'a checkpoint no witness saw may be a history shown only to you; ask the operator whether the witnesses are running and receive its checkpoints',
      ),
    );
  }
  const servedIds = new Set(valid.map((k) => k.keyid));
  if (seen.state === 'served') {
    for (const id of [...(anchors ?? [])].sort()) {
      if (!servedIds.has(id) && !revoked.has(id)) {
        findings.push(
          registryFinding('REGISTRY_KEY_REMOVED', `${seen.url} no longer lists key ${id}, which ${describeAnchors(policy)}`, approveHint(seen.url)),
        );
      }
    }
  }
  return {
    summary: summary(base, findings),
    trust: { trusted, revoked, expires, needsSignedTime: true },
    pin: withLog(
      pinOf(
        valid.filter((k) => trusted.has(k.keyid) || revoked.has(k.keyid)),
        pinned,
        revoked,
      ),
      seen,
      pinned,
    ),
    served: withLog(pinOf(valid, pinned, revoked), seen, pinned),
  };
}

/** The keys trusted before this run: the policy's pins, else vouch.lock's; null on first use (trust what is served). */
function anchorsOf(pinned: LockRegistry | undefined, policy: RegistryPolicy | undefined): Set<string> | null {
  if (policy?.pinnedKeys && policy.pinnedKeys.length > 0) return new Set(policy.pinnedKeys);
  if (!pinned) return null;
  return new Set(
    Object.entries(pinned.keys)
      .filter(([, k]) => k.revoked === undefined)
      .map(([id]) => id),
  );
}

/** The anchors plus every served key a trusted key endorsed, transitively (a chain of rotations). */
function endorsedClosure(
  anchors: ReadonlySet<string>,
  served: readonly RegistryKey[],
  pinned: LockRegistry | undefined,
  revoked: ReadonlyMap<string, Date>,
): Set<string> {
  const trusted = new Set(anchors);
  const material = new Map<string, string>();
  for (const [id, k] of Object.entries(pinned?.keys ?? {})) material.set(id, k.key);
  for (const k of served) material.set(k.keyid, k.key);
  for (let grew = true; grew; ) {
    grew = false;
    for (const k of served) {
      if (trusted.has(k.keyid)) continue;
      const endorsed = (k.endorsements ?? []).some((e) => {
        const key = material.get(e.keyid);
        return trusted.has(e.keyid) && !revoked.has(e.keyid) && key !== undefined && checkEndorsement(k, e, { keyid: e.keyid, key });
      });
      if (endorsed) {
        trusted.add(k.keyid);
        grew = true;
      }
    }
  }
  return trusted;
}

/** Revocations the registry serves now, and those vouch.lock pinned before (a registry cannot take one back). */
function revocations(served: readonly RegistryKey[], pinned: LockRegistry | undefined): Map<string, Date> {
  const revoked = new Map<string, Date>();
  for (const [id, k] of Object.entries(pinned?.keys ?? {})) if (k.revoked) revoked.set(id, new Date(k.revoked));
  for (const k of served) if (k.revoked && !revoked.has(k.keyid)) revoked.set(k.keyid, k.revoked);
  return revoked;
}

/** A lock entry for `keys`, keeping earlier approvals and every revocation ever pinned. */
function pinOf(keys: readonly RegistryKey[], pinned: LockRegistry | undefined, revoked: ReadonlyMap<string, Date>): LockRegistry {
  const entries: Record<string, LockRegistryKey> = {};
  for (const k of keys) {
    const entry: LockRegistryKey = { key: k.key };
    if (k.expires) entry.expires = k.expires.toISOString();
    const when = revoked.get(k.keyid);
    if (when) entry.revoked = when.toISOString();
    entries[k.keyid] = entry;
  }
  for (const [id, k] of Object.entries(pinned?.keys ?? {})) if (k.revoked && !entries[id]) entries[id] = k;
  return { keys: entries, ...(pinned?.approvals ? { approvals: pinned.approvals } : {}) };
}

/** The pin with the log this run verified, or the one pinned before (a run that did not check the log keeps it). */
function withLog(pin: LockRegistry, seen: RegistryKeysSeen, pinned: LockRegistry | undefined): LockRegistry {
  const log = seen.log?.checkpoint ?? pinned?.log;
  return log ? { ...pin, log: { ...log } } : pin;
}

function describeAnchors(policy: RegistryPolicy | undefined): string {
  return policy?.pinnedKeys && policy.pinnedKeys.length > 0 ? `${policy.path}.pinnedKeys pins` : 'vouch.lock pinned';
}

const approveHint = (url: string): string =>
  `if the registry's operator changed its keys, check with them, then accept the keys it serves now: vouch approve --registry ${url} --reason "…"`;

function registryFinding(code: Finding['code'], message: string, hint?: string): Finding {
  return finding(code, 'deny', message, INVARIANT.registryKeys, hint);
}

function summary(base: Omit<RegistrySummary, 'decision' | 'findings'>, findings: Finding[]): RegistrySummary {
  const decision: Decision = findings.some((f) => f.severity === 'deny') ? 'deny' : findings.length > 0 ? 'warn' : 'allow';
  return { ...base, decision, findings };
}
