// RFC 6962's Merkle Tree Hash computed straight from its recursive definition (§2.1), from the leaf hashes:
// the independent oracle the log tests compare lib/tlog and the registry's signing log against.
import { nodeHash, type Hash } from '../../lib/tlog/merkle.js';

export function naiveTreeHash(leaves: readonly Hash[], lo = 0, hi = leaves.length): Hash {
  if (hi - lo === 1) return leaves[lo]!;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return nodeHash(naiveTreeHash(leaves, lo, lo + k), naiveTreeHash(leaves, lo + k, hi));
}
