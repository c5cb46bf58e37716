// Each run checks the signing log of every registry that serves one (vouch-registry's /-/vouch/log/): its
// checkpoint, opened with the log key pinned the first time, must commit to a tree that extends the newest
// one vouch saw before (the new entries are read and hashed in). A registry that rewrote or forked its log
// (showed this client another history) is caught here; the policy stage denies it (LOG_INCONSISTENT).
// What vouch remembers per registry (log key, the tree's frontier) lives beside the evidence cache.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withoutCredentials } from '../config/index.js';
import {
  TileError,
  TileReader,
  auditLog,
  cosignedBy,
  auditStateText,
  frontierRoot,
  parseAuditState,
  verifierKeyMaterial,
  verifyConsistency,
  type AuditState,
  type Hash,
} from '../tlog/index.js';
import type { SigningLogSeen } from '../verify/index.js';
import { getBytes, type HttpOptions } from './http.js';
import { FetchFailure } from '../errors/index.js';

const LOG_PREFIX = '-/vouch/log/';
const MAX_TILE_BYTES = 256 * (2 + 65_535);

/** GETs a path of a registry's signing log (`key`, `checkpoint`, `tile/…`), within the bounds of each. */
export function logFetcher(registry: string, http: HttpOptions): (path: string) => Promise<Buffer> {
  return (path) =>
    getBytes(`${registry}${LOG_PREFIX}${path}`, http, {
      maxBytes: path === 'key' || path === 'checkpoint' ? 64 * 1024 : MAX_TILE_BYTES,
      // A full tile never changes (the registry serves it immutable): npm's HTTP cache keeps it across runs.
      // The checkpoint and partial tiles are always asked afresh. Either way a proof is checked against the checkpoint.
      ...(isFullTile(path) ? {} : { fresh: true, store: false }),
    });
}

function isFullTile(path: string): boolean {
  return path.startsWith('tile/') && !path.includes('.p/');
}

/** The file holding what was seen of one registry's log, in `dir`: named by the registry's identity. */
export function logStateFile(dir: string, registry: string): string {
  return join(dir, `${createHash('sha256').update(withoutCredentials(registry)).digest('hex').slice(0, 16)}.json`);
}

/** What this run saw of a registry's signing log: for the report, and, when consistent, to prove entries in. */
export interface SigningLogView {
  seen: SigningLogSeen;
  verified?: VerifiedLog;
}

/** The checkpoint this run verified (with the pinned log key, extending what was seen before) and its tiles. */
export interface VerifiedLog {
  registry: string;
  /** The pinned verifier key, `origin+id+base64(0x01 ‖ key)`. */
  key: string;
  size: number;
  root: Hash;
  /** Base64 C2SP key ID of the log: how the bundles the registry issues name it (logId.keyId). */
  logId: string;
  tiles: TileReader;
  /** The checkpoint note as served (its witnesses' cosignatures included). */
  checkpoint: string;
}

/** A checkpoint vouch.lock recorded for the log (its key pinned): the log must extend it. */
export interface PinnedLog {
  key: string;
  size: number;
  /** Base64 root hash. */
  root: string;
}

/**
 * The log's state this run, or undefined when the registry serves no log (and none was seen before) or could
 * not be asked (offline, unreachable: checked on the next run).
 */
export async function checkSigningLog(
  registry: string,
  http: HttpOptions,
  stateDir: string,
  pinned?: PinnedLog,
  witnesses?: WitnessPolicy,
): Promise<SigningLogView | undefined> {
  const view = await checkLog(registry, http, stateDir, pinned);
  if (!witnesses || http.offline) return view;
  if (!view)
    return {
      seen: {
        state: 'consistent',
        size: 0,
        problems: [],
        witnesses: {
          require: witnesses.require,
          cosigned: [],
          problem: 'the registry serves no signing log (or it could not be read), so no witness vouches for it',
        },
      },
    };
  if (!view.verified) return view;
  const cosigned = cosignedBy(view.verified.checkpoint, witnesses.keys, witnesses.require, { now: new Date() });
  const names = cosigned.cosigned.map((c) => c.name);
  const problem = cosigned.satisfied
    ? undefined
    : `its checkpoint of ${view.verified.size} entries is cosigned by ${names.length} of the ${witnesses.require} witnesses the policy requires` +
      `${names.length > 0 ? ` (${names.join(', ')})` : ''}${cosigned.invalid.map((i) => `; ${i.name}: ${i.reason}`).join('')}`;
  view.seen.witnesses = {
    require: witnesses.require,
    cosigned: cosigned.cosigned.map((c) => ({ name: c.name, time: new Date(c.time * 1000) })),
    ...(problem ? { problem } : {}),
  };
  return view;
}

/** k of n witnesses (their verifier keys) must have cosigned the checkpoint a run verifies. */
export interface WitnessPolicy {
  keys: string[];
  require: number;
}

async function checkLog(registry: string, http: HttpOptions, stateDir: string, pinned: PinnedLog | undefined): Promise<SigningLogView | undefined> {
  if (http.offline) return undefined;
  const get = logFetcher(registry, http);
  const file = logStateFile(stateDir, registry);
  const id = withoutCredentials(registry); // what the state file records: never a password
  const previous = readState(file, id, pinned?.key);
  let checkpoint: Buffer;
  try {
    checkpoint = await get('checkpoint');
  } catch (err) {
    if (!(err instanceof FetchFailure)) throw err;
    // No log here (npmjs, a plain Verdaccio), or none reachable now; but a log seen before does not just go away.
    if (err.code !== 'NOT_FOUND' || (!previous && !pinned)) return undefined;
    return inconsistent(
      0,
      `the registry no longer serves the signing log ${pinned ? 'vouch.lock pinned' : 'an earlier run saw'} (${pinned?.key ?? previous?.key})`,
    );
  }
  let result: Awaited<ReturnType<typeof auditLog>>;
  try {
    // The checkpoint already fetched is the one audited: asked twice, a growing log could answer twice differently.
    result = await auditLog({
      registry: id,
      previous,
      ...(pinned ? { pinnedKey: pinned.key } : {}),
      judgeEntries: true,
      fetch: (path) => (path === 'checkpoint' ? Promise.resolve(checkpoint) : get(path)),
    });
  } catch (err) {
    if (err instanceof FetchFailure) return undefined; // could not read it through: checked on the next run
    throw err;
  }
  if (!result.next) {
    const invalid = result.findings.filter((f) => f.code === 'LOG_ENTRY_INVALID').map((f) => `entry ${f.index ?? '?'}: ${f.message}`);
    const view = inconsistent(result.size, ...result.findings.filter((f) => f.code !== 'LOG_ENTRY_INVALID').map((f) => f.message));
    if (invalid.length > 0) view.seen.invalidEntries = invalid;
    if (view.seen.problems.length === 0) view.seen.state = 'consistent';
    return view;
  }
  const { key, frontier } = result.next;
  const verified: VerifiedLog = {
    registry,
    key,
    size: frontier.size,
    root: frontierRoot(frontier),
    logId: logIdOf(key),
    tiles: new TileReader(get, frontier.size),
    checkpoint: checkpoint.toString('utf8'),
  };
  const problem = pinned ? await pinnedProblem(pinned, verified) : undefined;
  if (problem) return inconsistent(verified.size, problem);
  writeState(file, result.next);
  const root = Buffer.from(verified.root).toString('base64');
  return { seen: { state: 'consistent', size: verified.size, problems: [], checkpoint: { key, size: verified.size, root } }, verified };
}

function inconsistent(size: number, ...problems: string[]): SigningLogView {
  return { seen: { state: 'inconsistent', size, problems } };
}

/** Why the verified log does not extend the checkpoint vouch.lock recorded (undefined: it does). */
async function pinnedProblem(pinned: PinnedLog, log: VerifiedLog): Promise<string | undefined> {
  const root = Buffer.from(pinned.root, 'base64');
  const recorded = `vouch.lock recorded a checkpoint of ${pinned.size} entries (root ${pinned.root})`;
  if (pinned.size > log.size) return `the log shrank: ${recorded}, the registry serves ${log.size}`;
  if (pinned.size === 0) return undefined;
  try {
    const consistent =
      pinned.size === log.size
        ? root.equals(Buffer.from(log.root))
        : verifyConsistency(pinned.size, log.size, root, log.root, await log.tiles.consistencyProof(pinned.size));
    return consistent ? undefined : `${recorded}, which the log of ${log.size} entries does not extend: it was rewritten or forked`;
  } catch (err) {
    if (err instanceof TileError || err instanceof FetchFailure) return `${recorded}, and the log's tiles cannot prove it extends that: ${err.message}`;
    throw err;
  }
}

/** The C2SP key ID of a log's Ed25519 verifier key (the full hash; the key hint is its first four bytes). */
function logIdOf(verifierKey: string): string {
  return verifierKeyMaterial(verifierKey).keyHash.toString('base64');
}

/** The log key vouch pinned for the registry (vouch.lock's, else the one a run kept), read without the network. */
export function pinnedLogKey(registry: string, stateDir: string, pinned?: PinnedLog): string | undefined {
  return pinned?.key ?? readState(logStateFile(stateDir, registry), withoutCredentials(registry), undefined)?.key;
}

/** The state a previous run kept; unreadable or foreign state, or one for another key than vouch.lock pins, counts as none. */
function readState(file: string, registry: string, pinnedKey: string | undefined): AuditState | undefined {
  try {
    const state = parseAuditState(readFileSync(file, 'utf8'));
    return state.registry === registry && (!pinnedKey || state.key === pinnedKey) ? state : undefined;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: AuditState): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, auditStateText(state));
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // a read-only cache only means the next run starts from this tree again
  }
}
