// RFC 6962 / RFC 9162 Merkle tree hashing over a log of N entries: leaf and node hashes, the hash of any
// range from the stored hashes of complete subtrees (what tlog-tiles serves), inclusion and consistency
// proofs, and their verification. Indexes are plain numbers (exact up to 2^53 entries); no bitwise
// operators, which would truncate to 32 bits.
import { createHash } from 'node:crypto';

export type Hash = Uint8Array;

export const HASH_SIZE = 32;

export function leafHash(entry: Uint8Array): Hash {
  return createHash('sha256').update(Uint8Array.of(0)).update(entry).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest();
}

/** The hash of the empty tree (RFC 9162 2.1.1). */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** The hash of the complete subtree of 2^level leaves starting at leaf index << level. */
export type SubtreeHash = (level: number, index: number) => Hash;

/** MTH(D[start:end]) from complete-subtree hashes, splitting as RFC 6962 does (largest power of two first). */
export function rangeHash(start: number, end: number, subtree: SubtreeHash): Hash {
  const size = end - start;
  if (size <= 0) throw new RangeError(`empty range ${start}..${end}`);
  const level = exactLog2(size);
  if (level !== undefined && start % size === 0) return subtree(level, start / size);
  const k = largestPowerOfTwoBelow(size);
  return nodeHash(rangeHash(start, start + k, subtree), rangeHash(start + k, end, subtree));
}

export function treeHash(size: number, subtree: SubtreeHash): Hash {
  return size === 0 ? EMPTY_ROOT : rangeHash(0, size, subtree);
}

/** PATH(index, D[0:size]) of RFC 6962 2.1.1: the audit path of one leaf, bottom first. */
export function inclusionProof(index: number, size: number, subtree: SubtreeHash): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path = (m: number, lo: number, hi: number): Hash[] => {
    if (hi - lo === 1) return [];
    const k = largestPowerOfTwoBelow(hi - lo);
    return m < k ? [...path(m, lo, lo + k), rangeHash(lo + k, hi, subtree)] : [...path(m - k, lo + k, hi), rangeHash(lo, lo + k, subtree)];
  };
  return path(index, 0, size);
}

/** PROOF(older, D[0:newer]) of RFC 6962 2.1.2: that the tree of `older` leaves is a prefix of the one of `newer`. */
export function consistencyProof(older: number, newer: number, subtree: SubtreeHash): Hash[] {
  if (!(older > 0 && older <= newer)) throw new RangeError(`no consistency proof from ${older} to ${newer}`);
  const sub = (m: number, lo: number, hi: number, complete: boolean): Hash[] => {
    const n = hi - lo;
    if (m === n) return complete ? [] : [rangeHash(lo, hi, subtree)];
    const k = largestPowerOfTwoBelow(n);
    return m <= k ? [...sub(m, lo, lo + k, complete), rangeHash(lo + k, hi, subtree)] : [...sub(m - k, lo + k, hi, false), rangeHash(lo, lo + k, subtree)];
  };
  return sub(older, 0, newer, true);
}

/** RFC 9162 2.1.3.2: does `proof` place the leaf with `hash` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, hash: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 2.1.4.2: is the tree of `older` leaves with `olderRoot` a prefix of the tree of `newer` with `newerRoot`? */
export function verifyConsistency(older: number, newer: number, olderRoot: Hash, newerRoot: Hash, proof: readonly Hash[]): boolean {
  if (!(Number.isSafeInteger(older) && Number.isSafeInteger(newer) && older >= 0 && older <= newer)) return false;
  if (older === newer) return proof.length === 0 && equal(olderRoot, newerRoot);
  if (older === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = exactLog2(older) !== undefined ? [olderRoot, ...proof] : [...proof];
  let fn = older - 1;
  let sn = newer - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(fr, olderRoot) && equal(sr, newerRoot);
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function exactLog2(n: number): number | undefined {
  let level = 0;
  for (let k = 1; k <= n; k *= 2, level++) if (k === n) return level;
  return undefined;
}

/**
 * The compact range of a tree: the hashes of its complete subtrees, largest first (sizes are decreasing
 * powers of two summing to the tree size). Enough to append leaves and compute every later root without
 * the earlier leaves: an auditor's whole state between runs.
 */
export interface Frontier {
  size: number;
  subtrees: { size: number; hash: Hash }[];
}

export const EMPTY_FRONTIER: Frontier = { size: 0, subtrees: [] };

export function appendLeaf(frontier: Frontier, hash: Hash): Frontier {
  const subtrees = [...frontier.subtrees, { size: 1, hash }];
  for (let last = subtrees.length - 1; last > 0 && subtrees[last]!.size === subtrees[last - 1]!.size; last--) {
    const right = subtrees.pop()!;
    const left = subtrees.pop()!;
    subtrees.push({ size: left.size * 2, hash: nodeHash(left.hash, right.hash) });
  }
  return { size: frontier.size + 1, subtrees };
}

export function frontierRoot(frontier: Frontier): Hash {
  const { subtrees } = frontier;
  if (subtrees.length === 0) return EMPTY_ROOT;
  let root = subtrees[subtrees.length - 1]!.hash;
  for (let i = subtrees.length - 2; i >= 0; i--) root = nodeHash(subtrees[i]!.hash, root);
  return root;
}
