// Proofs a client computes itself from a log's tiles (c2sp.org/tlog-tiles), as Go's sumdb client does: the
// log serves hashes and entries, never proofs. Everything is for one tree size, the checkpoint the caller
// verified; a proof made here is checked against that checkpoint's root, so the tiles need not be trusted
// (a wrong hash makes the proof fail, never pass).
import { readBundle } from './audit.js';
import { HASH_SIZE, consistencyProof, inclusionProof, nodeHash, type Hash, type SubtreeHash } from './merkle.js';
import { TILE_HEIGHT, TILE_WIDTH, entriesPath, tilePath } from './tiles.js';

/** GETs a path under the log's prefix (`tile/…`). */
export type TileFetch = (path: string) => Promise<Buffer>;

export class TileError extends Error {}

const ZERO: Hash = new Uint8Array(HASH_SIZE);

export class TileReader {
  /** Tiles by path, as fetched (each checked for its width). */
  private readonly tiles = new Map<string, Promise<Buffer>>();
  /** Complete-subtree hashes already combined, by `level/index`: the proofs of one run share their upper levels. */
  private readonly subtrees = new Map<string, Hash>();
  /** Entry bundles already split, by path. */
  private readonly bundles = new Map<string, Buffer[]>();
  /** How many hashes a pass stood in for with a placeholder (a tile not fetched yet). */
  private placeholders = 0;

  constructor(
    private readonly fetch: TileFetch,
    readonly size: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size ${size}`);
  }

  /** The entry at `index` as the entry bundle of this tree holds it. */
  async entry(index: number): Promise<Buffer> {
    if (!(Number.isSafeInteger(index) && index >= 0 && index < this.size)) throw new TileError(`entry ${index} is not in a tree of ${this.size}`);
    const tile = Math.floor(index / TILE_WIDTH);
    const width = Math.min(TILE_WIDTH, this.size - tile * TILE_WIDTH);
    const path = entriesPath(tile, width);
    let entries = this.bundles.get(path);
    if (!entries) {
      entries = readBundle(await this.get(path));
      if (entries.length !== width) throw new TileError(`entry bundle ${tile} holds ${entries.length} entries, not ${width}`);
      this.bundles.set(path, entries);
    }
    return entries[index % TILE_WIDTH]!;
  }

  /** The audit path of the leaf at `index` in this tree (verify it with verifyInclusion against the checkpoint's root). */
  inclusionProof(index: number): Promise<Hash[]> {
    return this.withTiles((subtree) => inclusionProof(index, this.size, subtree));
  }

  /** The proof that the tree of `older` leaves is a prefix of this one (verify it with verifyConsistency). */
  consistencyProof(older: number): Promise<Hash[]> {
    return this.withTiles((subtree) => consistencyProof(older, this.size, subtree));
  }

  /**
   * Runs a proof computation over tiles fetched on demand: a pass with a hash not yet fetched records the
   * tile and goes on with a placeholder; the tiles recorded are fetched and the pass repeated. A proof of
   * one leaf needs at most two tiles per tile level, so this ends after a few passes.
   */
  private async withTiles<T>(compute: (subtree: SubtreeHash) => T): Promise<T> {
    for (;;) {
      const missing = new Set<string>();
      const loaded = new Map<string, Buffer>();
      for (const [path, tile] of this.tiles) {
        const bytes = await tile;
        loaded.set(path, bytes);
      }
      const result = compute((level, index) => this.subtreeHash(level, index, loaded, missing));
      if (missing.size === 0) return result;
      await Promise.all([...missing].map((path) => this.get(path)));
    }
  }

  /** The complete subtree of 2^level leaves at `index`, combined from the hashes of its tile level. */
  private subtreeHash(level: number, index: number, loaded: ReadonlyMap<string, Buffer>, missing: Set<string>): Hash {
    const key = `${level}/${index}`;
    const known = this.subtrees.get(key);
    if (known) return known;
    const before = this.placeholders;
    const hash = this.combine(level, index, loaded, missing);
    if (this.placeholders === before) this.subtrees.set(key, hash); // a placeholder went into it otherwise
    return hash;
  }

  private combine(level: number, index: number, loaded: ReadonlyMap<string, Buffer>, missing: Set<string>): Hash {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const span = 2 ** (level % TILE_HEIGHT);
    let hashes: Hash[] = [];
    for (let i = index * span; i < (index + 1) * span; i++) hashes.push(this.storedHash(tileLevel, i, loaded, missing));
    while (hashes.length > 1) {
      const next: Hash[] = [];
      for (let i = 0; i < hashes.length; i += 2) next.push(nodeHash(hashes[i]!, hashes[i + 1]!));
      hashes = next;
    }
    return hashes[0]!;
  }

  private storedHash(tileLevel: number, index: number, loaded: ReadonlyMap<string, Buffer>, missing: Set<string>): Hash {
    const count = Math.floor(this.size / TILE_WIDTH ** tileLevel); // hashes this tree has at the tile level
    if (index >= count) throw new TileError(`hash ${index} of tile level ${tileLevel} is not in a tree of ${this.size}`);
    const tile = Math.floor(index / TILE_WIDTH);
    const path = tilePath(tileLevel, tile, Math.min(TILE_WIDTH, count - tile * TILE_WIDTH));
    const bytes = loaded.get(path);
    if (!bytes) {
      missing.add(path);
      this.placeholders += 1;
      return ZERO;
    }
    const at = (index % TILE_WIDTH) * HASH_SIZE;
    return bytes.subarray(at, at + HASH_SIZE);
  }

  /** A tile, fetched once; a hash tile must hold exactly its width of hashes. */
  private get(path: string): Promise<Buffer> {
    let tile = this.tiles.get(path);
    if (!tile) {
      tile = this.fetch(path).then((bytes) => {
        const width = /\.p\/(\d+)$/.exec(path);
        const expected = (width ? Number(width[1]) : TILE_WIDTH) * HASH_SIZE;
        if (!path.startsWith('tile/entries/') && bytes.length !== expected) throw new TileError(`${path} is ${bytes.length} bytes, not ${expected}`);
        return bytes;
      });
      tile.catch(() => this.tiles.delete(path)); // a failed fetch is asked again next time
      this.tiles.set(path, tile);
    }
    return tile;
  }
}
