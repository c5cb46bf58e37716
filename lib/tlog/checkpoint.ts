// C2SP tlog-checkpoint: the note body a log signs to commit to its tree: origin, size, root hash, and
// optional extension lines.
import { HASH_SIZE, type Hash } from './merkle.js';
import { NoteError } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  extensions: string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  if (c.root.length !== HASH_SIZE) throw new NoteError(`a root hash is ${HASH_SIZE} bytes`);
  return [c.origin, String(c.size), Buffer.from(c.root).toString('base64'), ...c.extensions].map((l) => `${l}\n`).join('');
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new NoteError('a checkpoint ends in a newline');
  const [origin, size, root, ...extensions] = lines;
  if (!origin || size === undefined || root === undefined) throw new NoteError('a checkpoint has an origin, a size and a root hash');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new NoteError(`checkpoint size ${JSON.stringify(size)} is not a decimal count`);
  const rootBytes = Buffer.from(root, 'base64');
  if (rootBytes.length !== HASH_SIZE || rootBytes.toString('base64') !== root) throw new NoteError('checkpoint root is not a base64 SHA-256 hash');
  if (extensions.some((l) => l === '')) throw new NoteError('a checkpoint has no empty lines');
  return { origin, size: Number(size), root: rootBytes, extensions };
}
