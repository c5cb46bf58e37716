// The registry's signing log: every signing event appended to an RFC 6962 Merkle tree, stored and served
// in the C2SP tlog-tiles layout (hash tiles, entry bundles) with a C2SP checkpoint signed by the log's own
// Ed25519 key, under <storage>/.vouch/log/. Appends are synchronous and ordered: the tiles an entry needs
// are written (temporary file, then rename) before the checkpoint that covers it, and the checkpoint is
// written before the signature the entry records is served. A crash leaves the last checkpoint and
// everything it covers intact; anything past it is rewritten by the next append.
import { generateKeyPairSync, createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  entriesPath,
  formatCheckpoint,
  leafHash,
  nodeHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  rawEd25519,
  readBundle,
  signNote,
  tilePath,
  ed25519Signer,
  verifierKey,
  appendLeaf,
  frontierRoot,
  inclusionProof,
  consistencyProof,
  EMPTY_FRONTIER,
  type Frontier,
  type Hash,
  type NoteSigner,
} from './vouch-core.js';
import type { OnSigned } from './records.js';

/** One signing event. Its canonical JSON (keys in this order) is the log entry. */
export type SigningEvent =
  | { type: 'version-signed'; name: string; version: string; integrity: string; keyid: string; sig: string; source: string }
  /** Follows the dsse entry (at index `entry`) of a publish attestation the registry issued, in the same batch. */
  | { type: 'attestation-issued'; name: string; version: string; keyid: string; digest: string; entry: number }
  | { type: 'key-added' | 'key-retired' | 'key-revoked'; keyid: string; at: string };

/**
 * A Rekor v2 `dsse` 0.0.2 entry body: what a publish attestation bundle carries as its `canonicalizedBody`
 * (log-witness.ts builds it; keys in this order).
 */
export interface DsseEntryBody {
  apiVersion: '0.0.2';
  kind: 'dsse';
  spec: {
    dsseV002: {
      payloadHash: { algorithm: 'SHA2_256'; digest: string };
      signatures: { content: string; verifier: { publicKey: { rawBytes: string }; keyDetails: 'PKIX_ECDSA_P256_SHA_256' } }[];
    };
  };
}

export type LogEntry = SigningEvent | DsseEntryBody;

/** An inclusion proof of one entry in the tree the current checkpoint commits to. */
export interface EntryProof {
  index: number;
  size: number;
  root: Hash;
  /** The audit path, bottom first (RFC 6962 PATH). */
  hashes: Hash[];
  /** The signed checkpoint note at `size`, as served. */
  checkpoint: string;
}

const HASH = 32;

export class SigningLog {
  private readonly signer: NoteSigner;
  readonly verifierKey: string;
  readonly origin: string;
  /** The C2SP note key ID of the log key, all 32 bytes (sha256(origin ‖ "\n" ‖ 0x01 ‖ key)): the log ID of bundles and trusted roots. */
  readonly keyId: Buffer;
  /** The log's Ed25519 public key, SPKI DER (as a trusted root lists it). */
  readonly publicKeySpki: Buffer;
  /** When the log began (whole seconds): the start of its key's validity in a trusted root. */
  readonly created: Date;
  private size: number;
  /** The signed checkpoint last written (empty before the first append). */
  private checkpointNote = '';
  /** The tree's complete subtrees: each append and root costs O(log n) hashes, no tile reads. */
  private frontier: Frontier = EMPTY_FRONTIER;
  /** The rightmost (possibly partial) tile of each level, as hashes. */
  private readonly edges: Hash[][] = [];
  /** The entries of the rightmost (possibly partial) entry bundle. */
  private bundle: Buffer[] = [];
  /** Told of each new checkpoint once it is written (the witnesses' submitter). */
  private readonly listeners: ((checkpoint: string) => void)[] = [];

  constructor(
    private readonly dir: string,
    private readonly key: KeyObject,
    origin?: string,
    created = new Date(0),
  ) {
    const publicKey = createPublicKey(key);
    const raw = rawEd25519(publicKey);
    this.origin = origin ?? `vouch-registry/${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    this.signer = ed25519Signer(this.origin, key);
    this.verifierKey = verifierKey(this.origin, raw);
    this.keyId = createHash('sha256').update(this.origin).update(Uint8Array.of(0x0a, 0x01)).update(raw).digest();
    this.publicKeySpki = publicKey.export({ type: 'spki', format: 'der' });
    this.created = created;
    this.size = this.recover();
  }

  /**
   * Opens (or creates, with a new Ed25519 key) the log of a registry's data folder. Its creation time is
   * kept in `<data>/log-created` (a log from before that file existed is dated by its first open since:
   * no entry it holds carries a signed time).
   */
  static open(dataDir: string, origin?: string): SigningLog {
    const dir = join(dataDir, 'log');
    const keyFile = join(dataDir, 'keys', 'log-ed25519.pem');
    if (!existsSync(keyFile)) {
      mkdirSync(dirname(keyFile), { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    const createdFile = join(dataDir, 'log-created');
    if (!existsSync(createdFile)) {
      const now = new Date(Math.floor(Date.now() / 1000) * 1000); // whole seconds, as integrated times are
      writeFileSync(createdFile, `${now.toISOString()}\n`, { flag: 'wx' });
    }
    const created = new Date(readFileSync(createdFile, 'utf8').trim());
    if (Number.isNaN(created.getTime())) throw new Error(`${createdFile} holds no ISO time`);
    return new SigningLog(dir, createPrivateKey(readFileSync(keyFile, 'utf8')), origin, created);
  }

  /** The signed checkpoint note of the log as it is now ('' while it is empty). */
  get checkpoint(): string {
    return this.checkpointNote;
  }

  /** Signs bytes with the log key (Ed25519): the signed entry timestamps of bundles. */
  sign(data: Uint8Array): Buffer {
    return sign(null, data, this.key);
  }

  /** The inclusion proof of entry `index` in the tree of the current checkpoint, with that checkpoint. */
  proof(index: number): EntryProof {
    const hashes = inclusionProof(index, this.size, (level, at) => this.subtreeHash(level, at));
    return { index, size: this.size, root: this.root(), hashes, checkpoint: this.checkpointNote };
  }

  /** Entries `start` to the end of the log, in order (read from the entry bundles). */
  entries(start = 0): Buffer[] {
    const out: Buffer[] = [];
    for (let tile = Math.floor(start / TILE_WIDTH); tile * TILE_WIDTH < this.size; tile++) {
      const width = Math.min(TILE_WIDTH, this.size - tile * TILE_WIDTH);
      const bundle = width < TILE_WIDTH ? this.bundle : readBundle(readFileSync(join(this.dir, entriesPath(tile, width))));
      out.push(...bundle.slice(Math.max(0, start - tile * TILE_WIDTH)));
    }
    return out;
  }

  get treeSize(): number {
    return this.size;
  }

  /** Appends one event and publishes the new checkpoint; returns the entry's index. */
  append(event: LogEntry): number {
    return this.appendBatch([event])[0]!;
  }

  /**
   * Appends events in order and publishes one checkpoint covering them all (a package's versions signed
   * together, a rotation's re-signing): the tiles cost one write per tile touched, the checkpoint one
   * signature. Returns the entries' indexes. Nothing is appended if any event is too large.
   */
  appendBatch(events: readonly LogEntry[]): number[] {
    const entries = events.map((event) => Buffer.from(JSON.stringify(event)));
    if (entries.some((entry) => entry.length > 0xffff)) throw new Error('a log entry is at most 65535 bytes');
    const indexes: number[] = [];
    for (const entry of entries) {
      const leaf = leafHash(entry);
      indexes.push(this.size);
      this.bundle.push(entry);
      this.addHash(0, leaf);
      this.frontier = appendLeaf(this.frontier, leaf);
      this.size += 1;
      if (this.bundle.length === TILE_WIDTH) this.flushBundle();
    }
    if (indexes.length === 0) return indexes;
    this.writePartialTiles();
    this.checkpointNote = signNote(formatCheckpoint({ origin: this.origin, size: this.size, root: this.root(), extensions: [] }), [this.signer]);
    this.writeFile('checkpoint', this.checkpointNote);
    for (const listener of this.listeners) listener(this.checkpointNote);
    return indexes;
  }

  /** Calls `listener` with every checkpoint written from now on, synchronously after the write; it must not throw. */
  onCheckpoint(listener: (checkpoint: string) => void): void {
    this.listeners.push(listener);
  }

  /** The consistency proof from the tree of `older` entries to the current one (empty from 0 or at the same size). */
  consistencyProof(older: number): Hash[] {
    if (older === 0 || older === this.size) return [];
    return consistencyProof(older, this.size, (level, index) => this.subtreeHash(level, index));
  }

  /** The stored hash of the complete subtree of 2^level leaves at `index` (any level, from the tiles). */
  subtreeHash(level: number, index: number): Hash {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const within = level % TILE_HEIGHT;
    const first = index * 2 ** within;
    const hashes: Hash[] = [];
    for (let i = first; i < first + 2 ** within; i++) hashes.push(this.storedHash(tileLevel, i));
    while (hashes.length > 1) {
      const next: Hash[] = [];
      for (let i = 0; i < hashes.length; i += 2) next.push(nodeHash(hashes[i]!, hashes[i + 1]!));
      hashes.splice(0, hashes.length, ...next);
    }
    return hashes[0]!;
  }

  root(): Hash {
    return frontierRoot(this.frontier);
  }

  /** A file the log serves (`checkpoint`, `tile/...`), or undefined. */
  read(path: string): Buffer | undefined {
    if (!/^(checkpoint|tile\/(entries|\d+)(\/x\d{3})*\/\d{3}(\.p\/\d+)?)$/.test(path)) return undefined;
    const file = join(this.dir, path);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  private storedHash(tileLevel: number, index: number): Hash {
    const tile = Math.floor(index / TILE_WIDTH);
    const edge = this.edges[tileLevel];
    const edgeTile = edge ? Math.floor(this.hashCount(tileLevel) / TILE_WIDTH) : -1;
    if (edge && tile === edgeTile) return edge[index % TILE_WIDTH]!;
    const bytes = readFileSync(join(this.dir, tilePath(tileLevel, tile)));
    const at = (index % TILE_WIDTH) * HASH;
    return bytes.subarray(at, at + HASH);
  }

  /** Hashes stored at a tile level: one per complete subtree of 2^(8·level) leaves. */
  private hashCount(tileLevel: number, size = this.size): number {
    return Math.floor(size / 2 ** (TILE_HEIGHT * tileLevel));
  }

  private addHash(tileLevel: number, hash: Hash): void {
    const edge = (this.edges[tileLevel] ??= []);
    edge.push(hash);
    if (edge.length < TILE_WIDTH) return;
    // A full tile: its root is the next hash one tile level up; the level starts a new rightmost tile.
    const full = [...edge];
    this.writeFile(tilePath(tileLevel, Math.floor((this.hashCount(tileLevel, this.size + 1) - 1) / TILE_WIDTH)), Buffer.concat(full));
    this.edges[tileLevel] = [];
    let level: Hash[] = full;
    while (level.length > 1) {
      const next: Hash[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
      level = next;
    }
    this.addHash(tileLevel + 1, level[0]!);
  }

  /** Writes the rightmost entry bundle once it is full, and starts the next. */
  private flushBundle(): void {
    const index = Math.floor((this.size - 1) / TILE_WIDTH);
    this.writeFile(entriesPath(index, this.bundle.length), bundleBytes(this.bundle));
    this.bundle = [];
  }

  /** Writes the partial entry bundle and partial tiles of the tree as it is (full ones were written as they filled). */
  private writePartialTiles(): void {
    if (this.bundle.length > 0) this.writeFile(entriesPath(Math.floor(this.size / TILE_WIDTH), this.bundle.length), bundleBytes(this.bundle));
    for (let level = 0; level < this.edges.length; level++) {
      const edge = this.edges[level]!;
      if (edge.length === 0) continue;
      this.writeFile(tilePath(level, Math.floor(this.hashCount(level) / TILE_WIDTH), edge.length), Buffer.concat(edge));
    }
  }

  /** The size the last checkpoint committed to; the rightmost tiles and bundle are reloaded from disk. */
  private recover(): number {
    const checkpointFile = join(this.dir, 'checkpoint');
    if (!existsSync(checkpointFile)) return 0;
    this.checkpointNote = readFileSync(checkpointFile, 'utf8');
    const opened = openNote(this.checkpointNote, [parseVerifierKey(this.verifierKey)]);
    const { size, root, origin } = parseCheckpoint(opened.text);
    if (origin !== this.origin) throw new Error(`the log in ${this.dir} is ${origin}, not ${this.origin}`);
    for (let level = 0; this.hashCount(level, size) > 0; level++) {
      const count = this.hashCount(level, size) % TILE_WIDTH;
      this.edges[level] = [];
      if (count === 0) continue;
      const bytes = readFileSync(join(this.dir, tilePath(level, Math.floor(this.hashCount(level, size) / TILE_WIDTH), count)));
      for (let i = 0; i < count; i++) this.edges[level]!.push(bytes.subarray(i * HASH, (i + 1) * HASH));
    }
    const inBundle = size % TILE_WIDTH;
    if (inBundle > 0) this.bundle = readBundle(readFileSync(join(this.dir, entriesPath(Math.floor(size / TILE_WIDTH), inBundle))));
    this.size = size;
    this.frontier = this.frontierFromTiles(size);
    const recomputed = this.root();
    if (Buffer.compare(Buffer.from(recomputed), Buffer.from(root)) !== 0) throw new Error(`the log in ${this.dir} does not match its checkpoint`);
    return size;
  }

  /** The complete subtrees of a tree of `size` leaves (its binary digits, largest first), read from the tiles. */
  private frontierFromTiles(size: number): Frontier {
    const subtrees: Frontier['subtrees'] = [];
    let offset = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      const width = 2 ** level;
      if (offset + width > size) continue;
      subtrees.push({ size: width, hash: this.subtreeHash(level, offset / width) });
      offset += width;
    }
    return { size, subtrees };
  }

  private writeFile(path: string, data: string | Buffer): void {
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  }
}

/**
 * The hook a RecordStore calls with the signatures it is about to record: one log append, one checkpoint;
 * returns each signature's entry index (the record keeps it as `logIndex`).
 */
export function logVersionSigned(log: SigningLog): OnSigned {
  return (name, signed) =>
    log.appendBatch(
      signed.map(([version, record]) => ({
        type: 'version-signed',
        name,
        version,
        integrity: record.integrity,
        keyid: record.keyid,
        sig: record.sig,
        source: record.source,
      })),
    );
}

function bundleBytes(entries: readonly Buffer[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [lengthPrefix(e.length), e]));
}

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(length);
  return prefix;
}
