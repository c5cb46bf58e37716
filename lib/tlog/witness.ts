// The witness side of C2SP tlog-witness `add-checkpoint`: whether to cosign a checkpoint a log submits, and
// the per-log state (size and root hash of the latest checkpoint cosigned) that decision rests on. Pure:
// the state, the witness's keys and the time are arguments; the caller persists the new state before it
// answers (lib/witness/). Everything in a request is attacker-controlled: it is parsed strictly and
// trusted only as far as a configured log key signed it and a consistency proof ties it to the state.
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { cosignatureLine, type Cosigner } from './cosignature.js';
import { EMPTY_ROOT, HASH_SIZE, equal, verifyConsistency, type Hash } from './merkle.js';
import { NoteError, openNote, splitNote, type NoteVerifier } from './note.js';
import { compareStrings } from '../files/index.js';

/** The spec's bound on consistency proof lines in a request. */
export const MAX_PROOF_LINES = 63;
/** The largest request body a witness reads (a checkpoint with 100 signatures and 63 proof lines fits). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The latest checkpoint a witness cosigned for one log. */
export interface LogHead {
  size: number;
  root: Hash;
}

/** Per-log state by checkpoint origin; a log never cosigned is at size 0 with the empty tree's root. */
export type WitnessState = ReadonlyMap<string, LogHead>;

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Hash[];
  /** The signed checkpoint note, as the log sends it. */
  checkpoint: string;
}

export type WitnessResponse =
  /** Cosigned: record `head` for `origin` (persisted) before sending `lines`. */
  | { status: 200; origin: string; head: LogHead; lines: string[] }
  /** The old size is not the witness's size, or the same size with another root: `size` is the witness's. */
  | { status: 409; size: number; message: string }
  | { status: 400 | 403 | 404 | 422; message: string };

export class WitnessRequestError extends Error {}

/** The request body: `old N`, the proof's hashes (base64), a blank line, the checkpoint note. */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  return `old ${req.oldSize}\n${req.proof.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('')}\n${req.checkpoint}`;
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const first = body.indexOf('\n');
  const old = /^old (0|[1-9][0-9]*)$/.exec(first < 0 ? '' : body.slice(0, first));
  if (!old || !Number.isSafeInteger(Number(old[1]))) throw new WitnessRequestError('the body starts with an "old <size>" line');
  const proof: Hash[] = [];
  let at = first + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw new WitnessRequestError('the proof lines end with a blank line before the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw new WitnessRequestError(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    const hash = Buffer.from(line, 'base64');
    if (hash.length !== HASH_SIZE || hash.toString('base64') !== line) throw new WitnessRequestError('a consistency proof line is one base64 SHA-256 hash');
    proof.push(hash);
  }
  return { oldSize: Number(old[1]), proof, checkpoint: body.slice(at) };
}

/** The head the witness holds for an origin (size 0, the empty tree, if it never cosigned one). */
export function headOf(state: WitnessState, origin: string): LogHead {
  return state.get(origin) ?? { size: 0, root: EMPTY_ROOT };
}

export interface AddCheckpointInput {
  body: string;
  /** The configured logs: verifier(s) of each log's key, by checkpoint origin. */
  logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  state: WitnessState;
  cosigners: readonly Cosigner[];
  now: Date;
}

/** Decides one add-checkpoint request in the spec's order of checks. */
export function addCheckpoint(input: AddCheckpointInput): WitnessResponse {
  let req: AddCheckpointRequest;
  let checkpoint: Checkpoint;
  try {
    req = parseAddCheckpoint(input.body);
    checkpoint = parseCheckpoint(splitNote(req.checkpoint).text);
  } catch (err) {
    if (err instanceof WitnessRequestError || err instanceof NoteError) return { status: 400, message: `malformed request: ${err.message}` };
    throw err;
  }
  const verifiers = input.logs.get(checkpoint.origin);
  if (!verifiers) return { status: 404, message: `unknown log ${JSON.stringify(checkpoint.origin.slice(0, 200))}` };
  try {
    openNote(req.checkpoint, verifiers);
  } catch (err) {
    if (!(err instanceof NoteError)) throw err;
    return { status: 403, message: `the checkpoint is not signed by a key of ${checkpoint.origin}: ${err.message}` };
  }
  if (req.oldSize > checkpoint.size) return { status: 400, message: `old size ${req.oldSize} is larger than the checkpoint's ${checkpoint.size}` };
  const head = headOf(input.state, checkpoint.origin);
  if (req.oldSize !== head.size)
    return { status: 409, size: head.size, message: `the latest checkpoint cosigned for ${checkpoint.origin} has ${head.size} entries, not ${req.oldSize}` };
  if (!consistent(head, checkpoint, req.proof)) {
    return { status: 422, message: `the consistency proof from ${head.size} to ${checkpoint.size} entries does not verify` };
  }
  if (head.size === checkpoint.size && !equal(head.root, checkpoint.root)) {
    return { status: 409, size: head.size, message: `a checkpoint of ${head.size} entries with another root hash was cosigned: the log forked` };
  }
  const time = Math.floor(input.now.getTime() / 1000);
  const body = splitNote(req.checkpoint).text;
  return {
    status: 200,
    origin: checkpoint.origin,
    head: { size: checkpoint.size, root: checkpoint.root },
    lines: input.cosigners.map((c) => cosignatureLine(c, body, time)),
  };
}

/** RFC 6962 consistency from the head to the checkpoint; from size 0 the proof is empty (trust on first use). */
function consistent(head: LogHead, checkpoint: Checkpoint, proof: readonly Hash[]): boolean {
  if (head.size === 0) return proof.length === 0 && (checkpoint.size > 0 || equal(checkpoint.root, EMPTY_ROOT));
  if (head.size === checkpoint.size) return proof.length === 0;
  return verifyConsistency(head.size, checkpoint.size, head.root, checkpoint.root, proof);
}

/** The state with `origin` at `head`; refuses to go back (a smaller size, or the same size with another root). */
export function advanceState(state: WitnessState, origin: string, head: LogHead): Map<string, LogHead> {
  const current = headOf(state, origin);
  if (head.size < current.size || (head.size === current.size && current.size > 0 && !equal(head.root, current.root))) {
    throw new NoteError(`refusing to roll ${origin} back from ${current.size} to ${head.size} entries`);
  }
  return new Map(state).set(origin, { size: head.size, root: Buffer.from(head.root) });
}

/** The state file's text: JSON, logs sorted by origin, roots in base64. */
export function witnessStateText(state: WitnessState): string {
  const logs = Object.fromEntries(
    [...state.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([origin, head]) => [origin, { size: head.size, root: Buffer.from(head.root).toString('base64') }]),
  );
  return `${JSON.stringify({ witnessStateVersion: 1, logs }, null, 2)}\n`;
}

export function parseWitnessState(text: string): Map<string, LogHead> {
  const doc = JSON.parse(text) as unknown;
  if (!isRecord(doc) || doc['witnessStateVersion'] !== 1 || !isRecord(doc['logs'])) throw new NoteError('not a witness state (witnessStateVersion 1)');
  const state = new Map<string, LogHead>();
  for (const [origin, head] of Object.entries(doc['logs'])) {
    const size = isRecord(head) ? head['size'] : undefined;
    const root = isRecord(head) && typeof head['root'] === 'string' ? Buffer.from(head['root'], 'base64') : undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || !root || root.length !== HASH_SIZE) {
      throw new NoteError(`log ${JSON.stringify(origin)}: a head is {size, root (base64 SHA-256)}`);
    }
    state.set(origin, { size, root });
  }
  return state;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
