// The signing log of a real registry, read as an auditor reads it over HTTP: every signature the registry
// serves is an entry of a signed checkpoint whose tree the auditor recomputes from the served tiles, and a
// restarted registry grows the same log consistently.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { naiveTreeHash } from '../support/merkle-oracle.js';
import { consistencyProof, leafHash, readBundle, openNote, parseCheckpoint, parseVerifierKey, verifyConsistency } from '../../lib/tlog/index.js';
import { writePackage } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let storageRoot: string;
const running: TestRegistry[] = [];

afterAll(async () => {
  for (const r of running) await r.stop();
  if (storageRoot) await rm(storageRoot, { recursive: true, force: true });
});

async function get(registry: TestRegistry, path: string): Promise<Response> {
  return fetch(new URL(path, registry.url));
}

async function auditLog(registry: TestRegistry) {
  const keyText = (await (await get(registry, '-/vouch/log/key')).text()).trim();
  const checkpointResponse = await get(registry, '-/vouch/log/checkpoint');
  expect(checkpointResponse.headers.get('cache-control')).toBe('no-cache');
  const checkpoint = parseCheckpoint(openNote(await checkpointResponse.text(), [parseVerifierKey(keyText)]).text);
  const suffix = checkpoint.size === 256 ? '' : `.p/${checkpoint.size}`; // these tests stay under one tile
  const entries = readBundle(Buffer.from(await (await get(registry, `-/vouch/log/tile/entries/000${suffix}`)).arrayBuffer()));
  const hashes = Buffer.from(await (await get(registry, `-/vouch/log/tile/0/000${suffix}`)).arrayBuffer());
  const leaves = entries.map(leafHash);
  expect(hashes).toEqual(Buffer.concat(leaves));
  return { keyText, checkpoint, entries: entries.map((e) => JSON.parse(e.toString()) as Record<string, string>), leaves };
}

describe("the registry's signing log", () => {
  it('logs every signature it serves; survives a restart and grows consistently', async () => {
    storageRoot = await mkdtemp(join(tmpdir(), 'vouch-log-test-'));
    const storage = join(storageRoot, 'storage');
    const first = await startRegistry({ storage });
    running.push(first);
    const packages = await first.tempDir('packages');
    for (const [name, version] of [
      ['log-a', '1.0.0'],
      ['log-a', '1.1.0'],
      ['@acme/log-b', '2.0.0'],
    ] as const) {
      await first.publish(await writePackage(packages, { name, version }));
    }
    const before = await auditLog(first);
    expect(before.checkpoint.size).toBe(4);
    expect(before.entries[0]).toEqual({ type: 'key-added', keyid: first.keyid, at: expect.any(String) }); // logged at the first start
    expect(Buffer.from(before.checkpoint.root)).toEqual(Buffer.from(naiveTreeHash(before.leaves)));
    for (const entry of before.entries.slice(1)) {
      const packument = (await first.get(entry['name']!.replace('/', '%2f'))).json as {
        versions: Record<string, { dist: { integrity: string; signatures: { keyid: string; sig: string }[] } }>;
      };
      const dist = packument.versions[entry['version']!]!.dist;
      expect(entry).toMatchObject({
        type: 'version-signed',
        integrity: dist.integrity,
        keyid: dist.signatures[0]!.keyid,
        sig: dist.signatures[0]!.sig,
        source: 'publish',
      });
    }
    // A full tile would be immutable; a partial one and the checkpoint change.
    expect((await get(first, '-/vouch/log/tile/0/000.p/4')).headers.get('cache-control')).toBe('no-cache');
    expect((await get(first, '-/vouch/log/keys')).status).toBe(404);
    await first.stop();

    const second = await startRegistry({ storage });
    running.push(second);
    await second.publish(await writePackage(await second.tempDir('packages'), { name: 'log-a', version: '1.2.0' }));
    const after = await auditLog(second);
    expect(after.keyText).toBe(before.keyText);
    expect(after.checkpoint.size).toBe(5); // the same key: no second key-added
    expect(after.leaves.slice(0, 4)).toEqual(before.leaves);
    const subtree = (level: number, index: number) => naiveTreeHash(after.leaves, index * 2 ** level, (index + 1) * 2 ** level);
    expect(verifyConsistency(4, 5, before.checkpoint.root, after.checkpoint.root, consistencyProof(4, 5, subtree))).toBe(true);
  });
});
