// What the operator decided about registry keys, kept in the storage so every start serves it:
// endorsements (`vouch registry rotate`: the old key signed the new one) and revocations
// (`vouch registry revoke`: a compromised key, every signature by it void). One file,
// `<storage>/.vouch/key-history.json`, absent until the first rotate or revoke. A damaged file stops
// the registry: silently forgetting a revocation would serve a compromised key's signatures again.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VouchError, checkEndorsement, keyIdMatches, type EndorsableKey } from './vouch-core.js';

export const KEY_HISTORY_FILE = 'key-history.json';
const HISTORY_VERSION = 1;

/** `by` signed `vouch:key-endorsement:v1 <keyid> <key>` of the endorsed key. */
export interface EndorsementRecord extends EndorsableKey {
  by: EndorsableKey;
  /** Base64 DER ECDSA P-256 / SHA-256 signature by `by`. */
  sig: string;
  /** When it was recorded (informational). */
  recorded: string;
}

export interface RevocationRecord extends EndorsableKey {
  /** ISO time the operator revoked the key; signatures by it are void whatever their time. */
  revoked: string;
}

export interface KeyHistory {
  endorsements: EndorsementRecord[];
  revocations: RevocationRecord[];
}

export const emptyHistory = (): KeyHistory => ({ endorsements: [], revocations: [] });

export function keyHistoryFile(dataDir: string): string {
  return join(dataDir, KEY_HISTORY_FILE);
}

/** The storage's key history; none yet is empty. A damaged file is a CONFIG error naming it (exit 2). */
export function readKeyHistory(dataDir: string): KeyHistory {
  const file = keyHistoryFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyHistory();
    throw new VouchError('CONFIG', `cannot read ${file}: ${String(err)}`, { file }, undefined, { cause: err });
  }
  const problem = (why: string) =>
    new VouchError(
      'CONFIG',
      `${file} is damaged: ${why}`,
      { file },
      "restore it from the backup of the storage folder; it holds the registry's revocations and endorsements",
    );
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw problem('not JSON');
  }
  if (!isRecord(data) || data['historyVersion'] !== HISTORY_VERSION) throw problem(`historyVersion is not ${HISTORY_VERSION}`);
  const { endorsements, revocations } = data;
  if (!Array.isArray(endorsements) || !Array.isArray(revocations)) throw problem('endorsements and revocations must be lists');
  endorsements.forEach((e: unknown, i) => {
    if (!isEndorsementRecord(e)) throw problem(`endorsements[${i}] does not verify`);
  });
  revocations.forEach((r: unknown, i) => {
    if (!isRevocationRecord(r)) throw problem(`revocations[${i}] is not {keyid, key, revoked}`);
  });
  return { endorsements: endorsements as EndorsementRecord[], revocations: revocations as RevocationRecord[] };
}

/** Writes the whole history (sorted, so the file is stable), through a rename. */
export function writeKeyHistory(dataDir: string, history: KeyHistory): void {
  const file = keyHistoryFile(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const body = {
    historyVersion: HISTORY_VERSION,
    endorsements: [...history.endorsements].sort((a, b) => compare(a.keyid + a.by.keyid, b.keyid + b.by.keyid)),
    revocations: [...history.revocations].sort((a, b) => compare(a.keyid, b.keyid)),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

/** The history with `endorsement` added, replacing an earlier one of the same key by the same key. */
export function withEndorsement(history: KeyHistory, endorsement: EndorsementRecord): KeyHistory {
  const others = history.endorsements.filter((e) => !(e.keyid === endorsement.keyid && e.by.keyid === endorsement.by.keyid));
  return { ...history, endorsements: [...others, endorsement] };
}

/** The history with `key` revoked at `at`; a key revoked before keeps its first time. */
export function withRevocation(history: KeyHistory, key: EndorsableKey, at: Date): { history: KeyHistory; earlier?: RevocationRecord } {
  const earlier = history.revocations.find((r) => r.keyid === key.keyid);
  if (earlier) return { history, earlier };
  const revocation: RevocationRecord = { keyid: key.keyid, key: key.key, revoked: at.toISOString() };
  return { history: { ...history, revocations: [...history.revocations, revocation] } };
}

/** The revocation of `keyid`, if any. */
export function revocationOf(history: KeyHistory, keyid: string): RevocationRecord | undefined {
  return history.revocations.find((r) => r.keyid === keyid);
}

function isEndorsementRecord(value: unknown): value is EndorsementRecord {
  if (!isRecord(value) || !isRecord(value['by']) || typeof value['sig'] !== 'string' || typeof value['recorded'] !== 'string') return false;
  const endorsed = { keyid: value['keyid'], key: value['key'] };
  const by = { keyid: value['by']['keyid'], key: value['by']['key'] };
  if (!keyIdMatches(endorsed) || !keyIdMatches(by)) return false;
  return checkEndorsement(endorsed as EndorsableKey, { keyid: by.keyid as string, sig: value['sig'] }, by as EndorsableKey);
}

function isRevocationRecord(value: unknown): value is RevocationRecord {
  return (
    isRecord(value) &&
    keyIdMatches({ keyid: value['keyid'], key: value['key'] }) &&
    typeof value['revoked'] === 'string' &&
    !Number.isNaN(Date.parse(value['revoked']))
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
