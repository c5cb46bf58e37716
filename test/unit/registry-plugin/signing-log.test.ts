// The registry's signing log (packages/vouch-registry/lib/signing-log.ts) read back only through what it
// serves (checkpoint, hash tiles, entry bundles), as an auditor would: across tile boundaries, after a
// restart, and with a tile changed on disk.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { naiveTreeHash } from '../../support/merkle-oracle.js';
import { SigningLog, type SigningEvent } from '../../../packages/vouch-registry/lib/signing-log.js';
import {
  TILE_WIDTH,
  consistencyProof,
  readBundle,
  entriesPath,
  inclusionProof,
  leafHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  tilePath,
  verifyConsistency,
  verifyInclusion,
} from '../../../lib/tlog/index.js';
import { tempDir } from './helpers.js';

const event = (i: number): SigningEvent => ({
  type: 'version-signed',
  name: `pkg-${i}`,
  version: '1.0.0',
  integrity: `sha512-${i}`,
  keyid: 'SHA256:k',
  sig: `c2ln${i}`,
  source: 'publish',
});

/** Everything an auditor can know from the served files: the checkpoint, every entry, the tree's root. */
function audit(log: SigningLog) {
  const served = (path: string) => {
    const body = log.read(path);
    if (!body) throw new Error(`not served: ${path}`);
    return body;
  };
  const checkpoint = parseCheckpoint(openNote(served('checkpoint').toString('utf8'), [parseVerifierKey(log.verifierKey)]).text);
  const entries: Buffer[] = [];
  for (let tile = 0; tile * TILE_WIDTH < checkpoint.size; tile++) {
    const width = Math.min(TILE_WIDTH, checkpoint.size - tile * TILE_WIDTH);
    entries.push(...readBundle(served(entriesPath(tile, width))));
  }
  const leaves = entries.map(leafHash);
  // Level-0 hash tiles must hold exactly the leaf hashes of the entries.
  for (let tile = 0; tile * TILE_WIDTH < leaves.length; tile++) {
    const width = Math.min(TILE_WIDTH, leaves.length - tile * TILE_WIDTH);
    expect(served(tilePath(0, tile, width))).toEqual(Buffer.concat(leaves.slice(tile * TILE_WIDTH, tile * TILE_WIDTH + width)));
  }
  return { checkpoint, entries, leaves };
}

/** Every file under the log folder, by path, with its bytes (temporary files never remain). */
function servedFiles(dataDir: string): Record<string, string> {
  const root = join(dataDir, 'log');
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  return Object.fromEntries(
    files
      .map((d) => {
        const path = join(d.parentPath, d.name);
        return [path.slice(root.length + 1), readFileSync(path).toString('base64')];
      })
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

describe('the signing log', () => {
  it('commits every entry in a signed checkpoint whose root an auditor recomputes from the served tiles', () => {
    const log = SigningLog.open(tempDir());
    for (let i = 0; i < 600; i++) expect(log.append(event(i))).toBe(i); // two full tiles and a partial one
    const { checkpoint, entries, leaves } = audit(log);
    expect(checkpoint.size).toBe(600);
    expect(entries.map((e) => JSON.parse(e.toString()) as SigningEvent)).toEqual(Array.from({ length: 600 }, (_, i) => event(i)));
    expect(Buffer.from(checkpoint.root)).toEqual(Buffer.from(naiveTreeHash(leaves)));
    // The level-1 tile holds the roots of the two complete 256-leaf subtrees.
    expect(log.read(tilePath(1, 0, 2))).toEqual(Buffer.concat([naiveTreeHash(leaves, 0, 256), naiveTreeHash(leaves, 256, 512)]));
    const subtree = (level: number, index: number) => log.subtreeHash(level, index);
    for (const index of [0, 255, 256, 599]) {
      expect(verifyInclusion(index, 600, leaves[index]!, inclusionProof(index, 600, subtree), checkpoint.root)).toBe(true);
    }
  });

  it('reopens where its checkpoint stands and grows consistently from it', () => {
    const dir = tempDir();
    const first = SigningLog.open(dir);
    for (let i = 0; i < 300; i++) first.append(event(i));
    const before = audit(first).checkpoint;
    const reopened = SigningLog.open(dir);
    expect(reopened.treeSize).toBe(300);
    expect(reopened.verifierKey).toBe(first.verifierKey);
    for (let i = 300; i < 520; i++) reopened.append(event(i));
    const after = audit(reopened).checkpoint;
    const proof = consistencyProof(300, 520, (level, index) => reopened.subtreeHash(level, index));
    expect(verifyConsistency(300, 520, before.root, after.root, proof)).toBe(true);
  });

  it('proves each entry in its current checkpoint, reads entries back, and keeps its creation time across reopening', () => {
    const dir = tempDir();
    const log = SigningLog.open(dir);
    expect(log.created.getMilliseconds()).toBe(0); // whole seconds, as integrated times
    for (let i = 0; i < 520; i++) log.append(event(i));
    const { checkpoint, entries, leaves } = audit(log);
    expect(log.checkpoint).toBe(log.read('checkpoint')!.toString('utf8'));
    for (const index of [0, 1, 255, 256, 511, 519]) {
      const proof = log.proof(index);
      expect(proof).toMatchObject({ index, size: 520, checkpoint: log.checkpoint });
      expect(verifyInclusion(index, 520, leaves[index]!, proof.hashes, checkpoint.root)).toBe(true);
    }
    expect(log.entries(250)).toEqual(entries.slice(250));
    const reopened = SigningLog.open(dir);
    expect(reopened.created).toEqual(log.created);
    expect(reopened.checkpoint).toBe(log.checkpoint);
    expect(reopened.entries(500)).toEqual(entries.slice(500));
    expect(reopened.keyId.readUInt32BE(0)).toBe(parseVerifierKey(log.verifierKey).keyId); // the C2SP key ID, all 32 bytes
  });

  it('refuses to open a log whose tiles no longer match its checkpoint', () => {
    const dir = tempDir();
    const log = SigningLog.open(dir);
    for (let i = 0; i < 10; i++) log.append(event(i));
    const tile = join(dir, 'log', tilePath(0, 0, 10));
    const bytes = readFileSync(tile);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(tile, bytes);
    expect(() => SigningLog.open(dir)).toThrow(/does not match its checkpoint/);
  });

  it('appends a batch as one checkpoint, serving exactly the files entry-by-entry appends serve', () => {
    const [one, batched] = [tempDir(), tempDir()];
    const single = SigningLog.open(one);
    for (let i = 0; i < 700; i++) single.append(event(i));
    const copyKey = readFileSync(join(one, 'keys', 'log-ed25519.pem'));
    mkdirSync(join(batched, 'keys'), { recursive: true });
    writeFileSync(join(batched, 'keys', 'log-ed25519.pem'), copyKey);
    const log = SigningLog.open(batched);
    expect(log.appendBatch(Array.from({ length: 5 }, (_, i) => event(i)))).toEqual([0, 1, 2, 3, 4]);
    expect(log.appendBatch(Array.from({ length: 695 }, (_, i) => event(i + 5)))[694]).toBe(699); // across two tile boundaries
    // The same tiles, bundles and (deterministic Ed25519) checkpoint; one-by-one appends also left the partial tiles of every size on the way.
    const [mine, theirs] = [servedFiles(batched), servedFiles(one)];
    expect(Object.keys(mine).length).toBeLessThan(Object.keys(theirs).length);
    for (const [path, bytes] of Object.entries(mine)) expect([path, bytes]).toEqual([path, theirs[path]]);
    const { checkpoint, leaves } = audit(log);
    expect(Buffer.from(checkpoint.root)).toEqual(Buffer.from(naiveTreeHash(leaves)));
    expect(SigningLog.open(batched).treeSize).toBe(700); // and reopens from it
  });

  it('appends nothing from a batch with an entry too large', () => {
    const log = SigningLog.open(tempDir());
    log.append(event(0));
    const huge: SigningEvent = { ...event(1), sig: 'x'.repeat(70_000) } as SigningEvent;
    expect(() => log.appendBatch([event(1), huge])).toThrow(/65535/);
    expect(log.treeSize).toBe(1);
    expect(audit(log).checkpoint.size).toBe(1);
  });

  it('serves only log paths', () => {
    const log = SigningLog.open(tempDir());
    log.append(event(0));
    for (const path of ['../keys/log-ed25519.pem', 'tile/0/../../checkpoint', 'keys', 'tile/0/000.p/1/../x']) expect(log.read(path)).toBeUndefined();
    expect(log.read('tile/0/000.p/1')).toBeDefined();
  });
});
