// The registry's witness submitter (packages/vouch-registry/lib/witnessing.ts) in this process, against real
// witness servers on loopback: what the CLI test does not reach. A witness whose state is ahead of the
// registry's records (409) is proven to from its size and cosigns; a witness that hangs holds up one publish
// wait, not the next; a log behind what the witness holds is refused and logged; damaged records are dropped.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cosignedBy, ed25519Cosigner, parseVerifierKey } from '../../../lib/tlog/index.js';
import { WitnessStateFile, startWitnessServer, submitCheckpoint } from '../../../lib/witness/index.js';
import { SigningLog, type SigningEvent } from '../../../packages/vouch-registry/lib/signing-log.js';
import { Witnessing } from '../../../packages/vouch-registry/lib/witnessing.js';

const event = (i: number): SigningEvent => ({
  type: 'version-signed',
  name: `pkg-${i}`,
  version: '1.0.0',
  integrity: `sha512-${i}`,
  keyid: 'SHA256:k',
  sig: `c2ln${i}`,
  source: 'publish',
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function logger() {
  const lines: string[] = [];
  const record = (fields: Record<string, unknown>, message: string) => void lines.push(message.replace(/@\{(\w+)\}/g, (_, k: string) => String(fields[k])));
  return { lines, error: record, warn: record, info: record };
}

async function witnessFor(log: SigningLog, name: string) {
  const store = WitnessStateFile.open(join(mkdtempSync(join(tmpdir(), 'vouch-witnessing-')), 'state.json'));
  const cosigner = ed25519Cosigner(name, generateKeyPairSync('ed25519').privateKey);
  const server = await startWitnessServer({
    host: '127.0.0.1',
    port: 0,
    logs: new Map([[log.origin, [parseVerifierKey(log.verifierKey)]]]),
    cosigners: [cosigner],
    store,
  });
  cleanup.push(async () => {
    await server.close();
    store.close();
  });
  return { url: server.url, key: cosigner.verifierKey };
}

/** A witness that accepts connections and never answers. */
async function hungWitness(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  cleanup.push(
    () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  );
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return `http://127.0.0.1:${address.port}/`;
}

function open(log: SigningLog, urls: string[], file: string, log_ = logger()) {
  const witnessing = new Witnessing(log, urls, file, log_, { timeoutMs: 60_000 });
  cleanup.push(() => witnessing.close());
  return witnessing;
}

describe('Witnessing', () => {
  it('proves from the size a witness answers with (409) when its records are lost, and keeps the cosignature', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-witnessing-'));
    const log = SigningLog.open(join(dir, 'data'));
    const w = await witnessFor(log, 'witness.test/a');
    log.appendBatch([event(0), event(1), event(2)]);
    // The witness already cosigned 3 entries (a registry whose records were lost, or submitted by hand).
    expect((await submitCheckpoint(w.url, 0, [], log.checkpoint)).kind).toBe('cosigned');
    log.appendBatch([event(3), event(4)]);
    const file = join(dir, 'data', 'witness-cosignatures.json');
    const witnessing = open(log, [w.url], file);
    await witnessing.settled(log.checkpoint, 5000);
    const served = witnessing.served();
    expect(served.startsWith(log.checkpoint)).toBe(true);
    expect(cosignedBy(served, [w.key], 1).satisfied).toBe(true);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { witnesses: Record<string, { size: number; checkpoint: string }> };
    expect(kept.witnesses[w.url]).toMatchObject({ size: 5, checkpoint: log.checkpoint });
  });

  it('waits for a hung witness once, then not again until it answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-witnessing-'));
    const log = SigningLog.open(join(dir, 'data'));
    const good = await witnessFor(log, 'witness.test/good');
    const witnessing = open(log, [good.url, await hungWitness()], join(dir, 'data', 'witness-cosignatures.json'));
    log.append(event(0));
    let started = Date.now();
    await witnessing.settled(log.checkpoint, 400);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(cosignedBy(witnessing.served(), [good.key], 1).satisfied).toBe(true);
    log.append(event(1));
    started = Date.now();
    await witnessing.settled(log.checkpoint, 5000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cosignedBy(witnessing.served(), [good.key], 1).satisfied).toBe(true);
  });

  it('refuses to submit a log shorter than the witness holds (logged), and drops damaged records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-witnessing-'));
    const log = SigningLog.open(join(dir, 'data'));
    const w = await witnessFor(log, 'witness.test/b');
    log.appendBatch([event(0), event(1)]);
    const file = join(dir, 'data', 'witness-cosignatures.json');
    writeFileSync(file, '{"witnessCosignaturesVersion": 1, "witnesses": {"x": {"size": -1}}}');
    const said = logger();
    const witnessing = open(log, [], file, said);
    expect(said.lines.join('\n')).toMatch(/ignoring the damaged witness cosignatures/);
    expect(witnessing.served()).toBe(log.checkpoint);
    // The records say the witness holds 9 entries: more than this log has (restored from an older backup).
    writeFileSync(file, `${JSON.stringify({ witnessCosignaturesVersion: 1, witnesses: { [w.url]: { size: 9, checkpoint: 'old\n', lines: [] } } })}\n`);
    const again = open(log, [w.url], file, said);
    await again.settled(log.checkpoint, 5000);
    expect(again.served()).toBe(log.checkpoint);
    expect(said.lines.join('\n')).toMatch(/it holds 9 entries of this log, which has 2/);
  });
});
