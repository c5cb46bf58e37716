// The Merkle tree of lib/tlog against RFC 6962's definition computed the naive way, over every tree size
// up to 70 (all proof shapes: complete, ragged, one leaf), and against a real Rekor inclusion proof.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { naiveTreeHash } from '../../support/merkle-oracle.js';
import {
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  appendLeaf,
  consistencyProof,
  frontierRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rangeHash,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type SubtreeHash,
} from '../../../lib/tlog/merkle.js';
import { packagePath } from '../../../lib/config/package-root.js';

const entries = Array.from({ length: 70 }, (_, i) => Buffer.from(`entry ${i}`));
const leaves = entries.map(leafHash);

/** MTH(D[lo:hi]) exactly as RFC 6962 2.1 defines it, recursing on the leaves (no stored subtrees). */
const naive = (lo: number, hi: number): Hash => naiveTreeHash(leaves, lo, hi);

/** Stored hashes of complete subtrees, as tiles would serve them, computed from the leaves. */
const subtree: SubtreeHash = (level, index) => naive(index * 2 ** level, (index + 1) * 2 ** level);

describe('RFC 6962 Merkle tree', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes, and the empty tree as SHA-256 of nothing', () => {
    expect(Buffer.from(leafHash(Buffer.alloc(0))).toString('hex')).toBe(createHash('sha256').update(Buffer.of(0)).digest('hex'));
    expect(Buffer.from(EMPTY_ROOT).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(treeHash(0, subtree)).toEqual(EMPTY_ROOT);
  });

  it('computes every tree and range hash from complete subtrees as the recursive definition does', () => {
    for (let size = 1; size <= 70; size++) {
      expect(treeHash(size, subtree)).toEqual(naive(0, size));
      for (let lo = 0; lo < size; lo += 7) expect(rangeHash(lo, size, subtree)).toEqual(naive(lo, size));
    }
  });

  it('proves and verifies the inclusion of every leaf of every tree; any change to the proof fails', () => {
    for (let size = 1; size <= 70; size++) {
      const root = naive(0, size);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, subtree);
        expect(verifyInclusion(index, size, leaves[index]!, proof, root), `${index}/${size}`).toBe(true);
        expect(verifyInclusion(index, size, leaves[(index + 1) % 70]!, proof, root)).toBe(false);
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, leaves[index]!, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(index, size, leaves[index]!, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(index, size, leaves[index]!, [...proof, proof[0]!], root)).toBe(false);
        }
      }
    }
  });

  it('proves and verifies consistency between every pair of sizes; a rewritten history fails', () => {
    for (let newer = 1; newer <= 40; newer++) {
      for (let older = 1; older <= newer; older++) {
        const proof = consistencyProof(older, newer, subtree);
        expect(verifyConsistency(older, newer, naive(0, older), naive(0, newer), proof), `${older}→${newer}`).toBe(true);
        if (older < newer) {
          // The same sizes, but an older tree whose first leaf was different: not a prefix.
          const forged = nodeHash(naive(0, older), Buffer.alloc(32));
          expect(verifyConsistency(older, newer, forged, naive(0, newer), proof)).toBe(false);
          expect(verifyConsistency(older, newer, naive(0, older), naive(0, newer - 1), proof)).toBe(false);
        }
      }
    }
  });

  it('grows a frontier whose root is the tree hash at every size', () => {
    let frontier = EMPTY_FRONTIER;
    expect(frontierRoot(frontier)).toEqual(EMPTY_ROOT);
    for (let size = 1; size <= 70; size++) {
      frontier = appendLeaf(frontier, leaves[size - 1]!);
      expect(frontier.size).toBe(size);
      expect(frontierRoot(frontier), String(size)).toEqual(naive(0, size));
    }
  });

  it('verifies a real Rekor inclusion proof (public-good log, a provenance bundle of playwright-cli 0.1.1)', () => {
    const bundle = JSON.parse(readFileSync(packagePath('fixtures/real/bundles/02-playwright-cli-0.1.1.provenance.sigstore.json'), 'utf8')) as {
      verificationMaterial: {
        tlogEntries: { canonicalizedBody: string; inclusionProof: { logIndex: string; treeSize: string; rootHash: string; hashes: string[] } }[];
      };
    };
    const entry = bundle.verificationMaterial.tlogEntries[0]!;
    const proof = entry.inclusionProof;
    const leaf = leafHash(Buffer.from(entry.canonicalizedBody, 'base64'));
    const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
    const root = Buffer.from(proof.rootHash, 'base64');
    expect(verifyInclusion(Number(proof.logIndex), Number(proof.treeSize), leaf, hashes, root)).toBe(true);
    expect(verifyInclusion(Number(proof.logIndex) - 1, Number(proof.treeSize), leaf, hashes, root)).toBe(false);
    expect(verifyInclusion(Number(proof.logIndex), Number(proof.treeSize), leafHash(Buffer.from('tampered')), hashes, root)).toBe(false);
  });
});
