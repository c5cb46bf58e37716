// Key lifecycle entries of the signing log: `key-added` the first time the log sees a key of the ring (a
// start, `vouch registry rotate`), `key-retired` when the operator moves it out of the active place (a start
// with it as a retired key, a finished rotation away from it), `key-revoked` when the operator revokes it.
// What the log already says is read from the log itself (each key's last event), so nothing is logged twice;
// `<data>/log-keys.json` caches that reading up to a size, so a start reads only the entries since.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VouchError } from './vouch-core.js';
import type { SigningEvent, SigningLog } from './signing-log.js';

export type KeyStatus = 'added' | 'retired' | 'revoked';

const CACHE_FILE = 'log-keys.json';

/** What the ring holds now: keys in use, keys retired, keys revoked (with the operator's time). */
export interface KeyLifecycleFacts {
  active: string[];
  retired: string[];
  revoked: { keyid: string; at: string }[];
}

/** Each key's status as the log records it (its last lifecycle entry). */
export function logKeyStatuses(log: SigningLog, dataDir: string): Map<string, KeyStatus> {
  const cached = readCache(dataDir, log.treeSize);
  const statuses = new Map<string, KeyStatus>(Object.entries(cached?.keys ?? {}));
  log.entries(cached?.size ?? 0).forEach((entry) => applyEntry(statuses, entry));
  return statuses;
}

/**
 * Appends, in one batch, the lifecycle entries the log lacks for `facts`; returns them. Refuses (CONFIG)
 * an active key the log already records as retired or revoked: its signatures would break the log's rule.
 */
export function logKeyLifecycle(log: SigningLog, dataDir: string, facts: KeyLifecycleFacts, now: Date): SigningEvent[] {
  const statuses = logKeyStatuses(log, dataDir);
  for (const keyid of facts.active) {
    const status = statuses.get(keyid);
    if (status === 'retired' || status === 'revoked') {
      throw new VouchError(
        'CONFIG',
        `the signing key ${keyid} is ${status} in the registry's signing log; it cannot sign again`,
        {},
        'start with a new active key: vouch registry rotate --from OLD.pem --to NEW.pem, then --key NEW.pem',
      );
    }
  }
  const at = now.toISOString();
  const events: SigningEvent[] = [];
  const seen = new Set(statuses.keys());
  const add = (keyid: string) => {
    if (seen.has(keyid)) return;
    seen.add(keyid);
    events.push({ type: 'key-added', keyid, at });
  };
  for (const keyid of [...facts.active, ...facts.retired, ...facts.revoked.map((r) => r.keyid)]) add(keyid);
  for (const keyid of facts.retired) {
    const status = statuses.get(keyid);
    if (status !== 'retired' && status !== 'revoked' && !facts.revoked.some((r) => r.keyid === keyid)) events.push({ type: 'key-retired', keyid, at });
  }
  for (const r of facts.revoked) {
    if (statuses.get(r.keyid) !== 'revoked') events.push({ type: 'key-revoked', keyid: r.keyid, at: r.at });
  }
  if (events.length > 0) log.appendBatch(events);
  for (const event of events) applyEvent(statuses, event);
  writeCache(dataDir, log.treeSize, statuses);
  return events;
}

function applyEntry(statuses: Map<string, KeyStatus>, entry: Buffer): void {
  let event: unknown;
  try {
    event = JSON.parse(entry.toString('utf8'));
  } catch {
    return; // the log only holds what this registry wrote; an auditor judges anything else
  }
  if (typeof event === 'object' && event !== null) applyEvent(statuses, event as Record<string, unknown>);
}

function applyEvent(statuses: Map<string, KeyStatus>, event: Record<string, unknown>): void {
  const keyid = event['keyid'];
  if (typeof keyid !== 'string') return;
  const current = statuses.get(keyid);
  switch (event['type']) {
    case 'key-added':
      if (!current) statuses.set(keyid, 'added');
      break;
    case 'key-retired':
      if (current !== 'revoked') statuses.set(keyid, 'retired');
      break;
    case 'key-revoked':
      statuses.set(keyid, 'revoked');
      break;
    default:
  }
}

/** The cache, when it covers no more than the log holds (a log restored from an older backup is read again). */
function readCache(dataDir: string, size: number): { size: number; keys: Record<string, KeyStatus> } | undefined {
  try {
    const data = JSON.parse(readFileSync(join(dataDir, CACHE_FILE), 'utf8')) as { size?: unknown; keys?: unknown };
    if (typeof data.size !== 'number' || data.size > size || typeof data.keys !== 'object' || data.keys === null) return undefined;
    const keys = Object.entries(data.keys as Record<string, unknown>);
    if (!keys.every(([, s]) => s === 'added' || s === 'retired' || s === 'revoked')) return undefined;
    return { size: data.size, keys: Object.fromEntries(keys) as Record<string, KeyStatus> };
  } catch {
    return undefined; // none yet, or unreadable: read the log from the start
  }
}

function writeCache(dataDir: string, size: number, statuses: ReadonlyMap<string, KeyStatus>): void {
  const file = join(dataDir, CACHE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ size, keys: Object.fromEntries([...statuses].sort(([a], [b]) => (a < b ? -1 : 1))) }, null, 2)}\n`);
  renameSync(tmp, file);
}
