// Each run checks the signing log of every registry that serves one (vouch-registry's /-/vouch/log/): its
// checkpoint, opened with the log key pinned the first time, must commit to a tree that extends the newest
// one vouch saw before (the new entries are read and hashed in). A registry that rewrote or forked its log
// (showed this client another history) is caught here; the policy stage denies it (LOG_INCONSISTENT).
// What vouch remembers per registry (log key, the tree's frontier) lives beside the evidence cache.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withoutCredentials } from '../config/secrets.js';
import {
  TileReader, auditLog, auditStateText, frontierRoot, parseAuditState, verifierKeyMaterial, type AuditState, type Hash,
} from '../tlog/index.js';
import type { SigningLogSeen } from '../verify/types.js';
import { FetchFailure, getBytes, type HttpOptions } from './http.js';

const LOG_PREFIX = '-/vouch/log/';
const MAX_TILE_BYTES = 256 * (2 + 65_535);

/** GETs a path of a registry's signing log (`key`, `checkpoint`, `tile/…`), within the bounds of each. */
export function logFetcher(registry: string, http: HttpOptions): (path: string) => Promise<Buffer> {
  return (path) => getBytes(`${registry}${LOG_PREFIX}${path}`, http, {
    maxBytes: path === 'key' || path === 'checkpoint' ? 64 * 1024 : MAX_TILE_BYTES, fresh: true, store: false,
  });
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
}

/** The log's state this run, or undefined when the registry serves no log or could not be asked (offline). */
export async function checkSigningLog(registry: string, http: HttpOptions, stateDir: string): Promise<SigningLogView | undefined> {
  if (http.offline) return undefined;
  const get = logFetcher(registry, http);
  let checkpoint: Buffer;
  try {
    checkpoint = await get('checkpoint');
  } catch (err) {
    if (err instanceof FetchFailure) return undefined; // no log here (npmjs, a plain Verdaccio), or none reachable now
    throw err;
  }
  const file = logStateFile(stateDir, registry);
  const id = withoutCredentials(registry); // what the state file records: never a password
  let result;
  try {
    // The checkpoint already fetched is the one audited: asked twice, a growing log could answer twice differently.
    result = await auditLog({ registry: id, previous: readState(file, id), fetch: (path) => (path === 'checkpoint' ? Promise.resolve(checkpoint) : get(path)) });
  } catch (err) {
    if (err instanceof FetchFailure) return undefined; // could not read it through: checked on the next run
    throw err;
  }
  if (result.next) writeState(file, result.next);
  const seen: SigningLogSeen = { state: result.findings.length === 0 ? 'consistent' : 'inconsistent', size: result.size, problems: result.findings.map((f) => f.message) };
  if (!result.next) return { seen };
  const { key, frontier } = result.next;
  return { seen, verified: { registry, key, size: frontier.size, root: frontierRoot(frontier), logId: logIdOf(key), tiles: new TileReader(get, frontier.size) } };
}

/** The C2SP key ID of a log's Ed25519 verifier key (the full hash; the key hint is its first four bytes). */
function logIdOf(verifierKey: string): string {
  return verifierKeyMaterial(verifierKey).keyHash.toString('base64');
}

/** The state a previous run kept; unreadable or foreign state counts as none (the key is pinned again). */
function readState(file: string, registry: string): AuditState | undefined {
  try {
    const state = parseAuditState(readFileSync(file, 'utf8'));
    return state.registry === registry ? state : undefined;
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
