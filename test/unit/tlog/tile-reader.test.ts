// Proofs a client computes from a real signing log's served tiles (the registry's SigningLog, read back only
// through `read(path)`), checked against the log's signed checkpoint: every index near the tile edges, across
// the 65,536-leaf boundary where a second tile level begins, and with a served hash changed.
import { describe, expect, it } from 'vitest';
import { SigningLog, type SigningEvent } from '../../../packages/vouch-registry/lib/signing-log.js';
import { TileError, TileReader, leafHash, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency, verifyInclusion } from '../../../lib/tlog/index.js';
import { tempDir } from '../registry-plugin/helpers.js';

const event = (i: number): SigningEvent => ({
  type: 'version-signed',
  name: `pkg-${i}`,
  version: '1.0.0',
  integrity: `sha512-${i}`,
  keyid: 'SHA256:k',
  sig: `c2ln${i}`,
  source: 'publish',
});

function served(log: SigningLog, edit?: (path: string, body: Buffer) => Buffer) {
  const fetched: string[] = [];
  const fetch = async (path: string) => {
    fetched.push(path);
    const body = log.read(path);
    if (!body) throw new Error(`not served: ${path}`);
    return edit ? edit(path, Buffer.from(body)) : body;
  };
  const checkpoint = parseCheckpoint(openNote(log.read('checkpoint')!.toString('utf8'), [parseVerifierKey(log.verifierKey)]).text);
  return { fetch, fetched, checkpoint };
}

describe('TileReader', () => {
  it('proves every leaf and every older tree of a small log, across tile edges', async () => {
    const log = SigningLog.open(tempDir());
    log.appendBatch(Array.from({ length: 600 }, (_, i) => event(i)));
    const { fetch, checkpoint } = served(log);
    const reader = new TileReader(fetch, checkpoint.size);
    for (const index of [0, 1, 254, 255, 256, 257, 511, 512, 513, 598, 599]) {
      const entry = await reader.entry(index);
      expect(JSON.parse(entry.toString('utf8'))).toEqual(event(index));
      const proof = await reader.inclusionProof(index);
      expect(verifyInclusion(index, checkpoint.size, leafHash(entry), proof, checkpoint.root)).toBe(true);
      // The same proof does not place another entry there.
      expect(verifyInclusion(index, checkpoint.size, leafHash(Buffer.from(JSON.stringify(event(index + 1)))), proof, checkpoint.root)).toBe(false);
    }
    for (const older of [1, 2, 255, 256, 257, 300, 512, 599, 600]) {
      const olderLog = SigningLog.open(tempDir());
      olderLog.appendBatch(Array.from({ length: older }, (_, i) => event(i)));
      const proof = await reader.consistencyProof(older);
      expect(verifyConsistency(older, checkpoint.size, olderLog.root(), checkpoint.root, proof)).toBe(true);
    }
  });

  it('proves a leaf past the second tile level (65,536 leaves) with a few tiles', async () => {
    const log = SigningLog.open(tempDir());
    const size = 256 * 256 + 300;
    for (let at = 0; at < size; at += 10_000) log.appendBatch(Array.from({ length: Math.min(10_000, size - at) }, (_, i) => event(at + i)));
    const { fetch, fetched, checkpoint } = served(log);
    expect(checkpoint.size).toBe(size);
    const reader = new TileReader(fetch, size);
    for (const index of [0, 65_535, 65_536, size - 1, 40_000]) {
      const proof = await reader.inclusionProof(index);
      expect(verifyInclusion(index, size, leafHash(await reader.entry(index)), proof, checkpoint.root)).toBe(true);
    }
    expect(new Set(fetched).size).toBeLessThan(20);
  }, 60_000);

  it('a changed served hash makes the proof fail, never pass; a short tile is refused', async () => {
    const log = SigningLog.open(tempDir());
    log.appendBatch(Array.from({ length: 300 }, (_, i) => event(i)));
    const flip = served(log, (path, body) => {
      if (path.startsWith('tile/0/')) body[40] ^= 1; // the second leaf hash of the first tile
      return body;
    });
    const reader = new TileReader(flip.fetch, flip.checkpoint.size);
    const proof = await reader.inclusionProof(0);
    expect(verifyInclusion(0, 300, leafHash(await reader.entry(0)), proof, flip.checkpoint.root)).toBe(false);
    const short = served(log, (path, body) => (path.startsWith('tile/0/') ? body.subarray(0, 64) : body));
    await expect(new TileReader(short.fetch, 300).inclusionProof(5)).rejects.toThrow(TileError);
    await expect(new TileReader(short.fetch, 300).entry(300)).rejects.toThrow(TileError);
  });
});
