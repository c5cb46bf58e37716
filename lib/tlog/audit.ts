// Auditing a registry's signing log (c2sp.org/tlog-tiles, as vouch-registry serves it): open the checkpoint
// with the pinned log key, read the entries the last audit had not seen, check each (entries.ts: registry
// signatures, publish attestations, key lifecycle), and recompute the tree from the last audit's frontier. A checkpoint whose root is not that
// tree means the log was rewritten or forked, or serves entries it did not commit to: LOG_INCONSISTENT.
// The network is injected (`fetch`), so this stage is plain data in, findings out.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { checkEntry, finishEntries, type EndedKey, type EntryContext } from './entries.js';
import { EMPTY_FRONTIER, appendLeaf, equal, frontierRoot, leafHash, type Frontier } from './merkle.js';
import { NoteError, openNote, parseVerifierKey } from './note.js';
import { TILE_WIDTH, entriesPath } from './tiles.js';

/** What an audit remembers between runs (one file per registry). */
export interface AuditState {
  registry: string;
  /** The log's verifier key, pinned on the first audit (or given with --key). */
  key: string;
  frontier: Frontier;
  /** The checkpoint the frontier matches, as served. */
  checkpoint: string;
  /**
   * Keys the log retired or revoked in the entries seen so far (with the entry that did), so a later audit
   * still refuses their signatures. Absent in states written before the log had lifecycle entries: none.
   */
  endedKeys?: EndedKey[];
}

/** AuditState as stored between runs (JSON; hashes in base64). */
export function auditStateText(state: AuditState): string {
  return `${JSON.stringify(
    {
      registry: state.registry,
      key: state.key,
      checkpoint: state.checkpoint,
      size: state.frontier.size,
      subtrees: state.frontier.subtrees.map((t) => ({ size: t.size, hash: Buffer.from(t.hash).toString('base64') })),
      endedKeys: state.endedKeys ?? [],
    },
    null,
    2,
  )}\n`;
}

/** The stored state (older files without endedKeys included); throws on anything else. */
export function parseAuditState(text: string): AuditState {
  const s = JSON.parse(text) as { registry?: unknown; key?: unknown; checkpoint?: unknown; size?: unknown; subtrees?: unknown; endedKeys?: unknown };
  const subtrees = Array.isArray(s.subtrees) ? (s.subtrees as { size?: unknown; hash?: unknown }[]) : undefined;
  const ended = s.endedKeys === undefined ? [] : Array.isArray(s.endedKeys) ? (s.endedKeys as Record<string, unknown>[]) : undefined;
  if (
    typeof s.registry !== 'string' ||
    typeof s.key !== 'string' ||
    typeof s.checkpoint !== 'string' ||
    typeof s.size !== 'number' ||
    !subtrees ||
    !subtrees.every((t) => typeof t.size === 'number' && typeof t.hash === 'string') ||
    !ended ||
    !ended.every(
      (k) =>
        typeof k === 'object' &&
        k !== null &&
        typeof k['keyid'] === 'string' &&
        (k['event'] === 'key-retired' || k['event'] === 'key-revoked') &&
        Number.isSafeInteger(k['index']),
    )
  ) {
    throw new Error('not an audit state');
  }
  return {
    registry: s.registry,
    key: s.key,
    checkpoint: s.checkpoint,
    frontier: { size: s.size, subtrees: subtrees.map((t) => ({ size: t.size as number, hash: Buffer.from(t.hash as string, 'base64') })) },
    endedKeys: ended.map((k) => ({ keyid: k['keyid'] as string, event: k['event'] as EndedKey['event'], index: k['index'] as number })),
  };
}

export type AuditCode = 'LOG_INCONSISTENT' | 'LOG_CHECKPOINT_INVALID' | 'LOG_ENTRY_INVALID';

export interface AuditFinding {
  code: AuditCode;
  message: string;
  /** The entry it is about. */
  index?: number;
}

export interface AuditResult {
  origin: string;
  size: number;
  previousSize: number;
  /** Entries read and checked in this run. */
  checked: number;
  findings: AuditFinding[];
  /** The state to keep: only when there were no findings (the next run checks again from the last good one). */
  next: AuditState | undefined;
}

export interface AuditInput {
  registry: string;
  /** GETs a path under the log's prefix (`key`, `checkpoint`, `tile/…`). */
  fetch(path: string): Promise<Buffer>;
  /**
   * The registry's signing keys by keyid (GET /-/npm/v1/keys, retired and revoked ones included): each
   * entry's signature is checked with them. Undefined: entries are hashed into the tree, not checked
   * (`vouch verify` checks the signatures of the packages it installs itself).
   */
  registryKeys?: ReadonlyMap<string, KeyObject>;
  /**
   * Without registryKeys: still judge each entry's shape and the key lifecycle rule (no signing event by a key
   * after its retirement or revocation entry), which cost no signature check (`vouch verify` relies on it).
   */
  judgeEntries?: boolean;
  previous: AuditState | undefined;
  /** A verifier key given by the operator, over the pinned one. */
  pinnedKey?: string;
  onProgress?(checked: number, total: number): void;
  /** Told of every entry read, in order (`vouch log show` lists a package's). */
  onEntry?(index: number, entry: Buffer): void;
}

export async function auditLog(input: AuditInput): Promise<AuditResult> {
  const key = input.pinnedKey ?? input.previous?.key ?? (await input.fetch('key')).toString('utf8').trim();
  const checkpointText = (await input.fetch('checkpoint')).toString('utf8');
  const previousSize = input.previous?.frontier.size ?? 0;
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(openNote(checkpointText, [parseVerifierKey(key)]).text);
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
    return failed(previousSize, [{ code: 'LOG_CHECKPOINT_INVALID', message: `the checkpoint does not verify with the log key ${key}: ${err.message}` }]);
  }
  const base = { origin: checkpoint.origin, size: checkpoint.size, previousSize };
  if (checkpoint.size < previousSize) {
    return {
      ...base,
      checked: 0,
      next: undefined,
      findings: [inconsistent(input.previous, checkpointText, `the log shrank from ${previousSize} to ${checkpoint.size} entries`)],
    };
  }
  const findings: AuditFinding[] = [];
  let frontier = input.previous?.frontier ?? EMPTY_FRONTIER;
  // Entries are always read in context (which keys ended); they are judged only with the registry's keys.
  const ctx: EntryContext = { keys: input.registryKeys, ended: new Map((input.previous?.endedKeys ?? []).map((k) => [k.keyid, k])) };
  const judge = (problems: { index: number; message: string }[]) => {
    if (input.registryKeys || input.judgeEntries) findings.push(...problems.map((p) => ({ code: 'LOG_ENTRY_INVALID' as const, ...p })));
  };
  for (let tile = Math.floor(previousSize / TILE_WIDTH); tile * TILE_WIDTH < checkpoint.size; tile++) {
    const width = Math.min(TILE_WIDTH, checkpoint.size - tile * TILE_WIDTH);
    const entries = readBundle(await input.fetch(entriesPath(tile, width)));
    if (entries.length !== width) {
      findings.push({ code: 'LOG_INCONSISTENT', message: `entry bundle ${tile} holds ${entries.length} entries, not ${width}` });
      break;
    }
    for (let i = Math.max(0, previousSize - tile * TILE_WIDTH); i < width; i++) {
      const index = tile * TILE_WIDTH + i;
      judge(checkEntry(ctx, index, entries[i]!));
      input.onEntry?.(index, entries[i]!);
      frontier = appendLeaf(frontier, leafHash(entries[i]!));
    }
    input.onProgress?.(frontier.size - previousSize, checkpoint.size - previousSize);
  }
  judge(finishEntries(ctx));
  const checked = frontier.size - previousSize;
  if (findings.length === 0 && !equal(frontierRoot(frontier), checkpoint.root)) {
    findings.push(
      inconsistent(
        input.previous,
        checkpointText,
        previousSize > 0
          ? `the checkpoint's tree of ${checkpoint.size} entries does not extend the ${previousSize} this audit saw before: the log was rewritten or forked`
          : `the checkpoint's root is not the tree of the ${checkpoint.size} entries the log serves`,
      ),
    );
  }
  const next = findings.length === 0 ? { registry: input.registry, key, frontier, checkpoint: checkpointText, endedKeys: [...ctx.ended.values()] } : undefined;
  return { ...base, checked, findings, next };
}

function failed(previousSize: number, findings: AuditFinding[]): AuditResult {
  return { origin: '', size: 0, previousSize, checked: 0, findings, next: undefined };
}

function inconsistent(previous: AuditState | undefined, checkpoint: string, why: string): AuditFinding {
  const shown = previous ? `\nlast checkpoint seen:\n${previous.checkpoint}now served:\n${checkpoint}` : '';
  return { code: 'LOG_INCONSISTENT', message: `${why}${shown}` };
}

/** An entry bundle: each entry a big-endian uint16 length and its bytes. */
export function readBundle(bytes: Buffer): Buffer[] {
  const entries: Buffer[] = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    const length = bytes.readUInt16BE(at);
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

/** Registry keys (base64 SPKI DER, as `/-/npm/v1/keys` lists them) by keyid; keys that do not parse are left out. */
export function keyObjectsOf(keys: readonly { keyid: string; key: string }[]): Map<string, KeyObject> {
  const objects = new Map<string, KeyObject>();
  for (const { keyid, key } of keys) {
    try {
      objects.set(keyid, createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' }));
    } catch {
      // an unusable key verifies nothing
    }
  }
  return objects;
}
