// The witness's HTTP server (lib/witness/server.ts) and client (client.ts) in this process, on loopback:
// the answers the CLI test does not reach (403, 400, 405, 413, not UTF-8), and the spec's race — concurrent
// submissions from the same old size get exactly one cosignature, and the state is the one cosigned.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_REQUEST_BYTES,
  consistencyProof,
  cosignedBy,
  ed25519Cosigner,
  ed25519Signer,
  formatCheckpoint,
  leafHash,
  parseVerifierKey,
  rawEd25519,
  signNote,
  treeHash,
  verifierKey,
  type Hash,
} from '../../lib/tlog/index.js';
import { WitnessStateFile, startWitnessServer, submitCheckpoint, type RunningWitness } from '../../lib/witness/index.js';
import { naiveTreeHash } from '../support/merkle-oracle.js';

const logKey = generateKeyPairSync('ed25519').privateKey;
const logSigner = ed25519Signer('log.test/one', logKey);
const logVerifier = parseVerifierKey(verifierKey(logSigner.name, rawEd25519(createPublicKey(logKey))));
const cosigner = ed25519Cosigner('witness.test/http', generateKeyPairSync('ed25519').privateKey);
const leaves = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const subtree = (level: number, index: number): Hash => naiveTreeHash(leaves, index * 2 ** level, (index + 1) * 2 ** level);
const checkpointAt = (size: number, signer = logSigner) =>
  signNote(formatCheckpoint({ origin: 'log.test/one', size, root: treeHash(size, subtree), extensions: [] }), [signer]);

const open: { witness: RunningWitness; store: WitnessStateFile }[] = [];
afterEach(async () => {
  for (const { witness, store } of open.splice(0)) {
    await witness.close();
    store.close();
  }
});

async function serve() {
  const stateFile = join(mkdtempSync(join(tmpdir(), 'vouch-witness-http-')), 'state.json');
  const store = WitnessStateFile.open(stateFile);
  const witness = await startWitnessServer({ host: '127.0.0.1', port: 0, logs: new Map([['log.test/one', [logVerifier]]]), cosigners: [cosigner], store });
  open.push({ witness, store });
  return { witness, store, stateFile };
}

describe('the witness over HTTP', () => {
  it('gives exactly one cosignature to concurrent submissions from the same old size, and records that one', async () => {
    const { witness, stateFile } = await serve();
    const sizes = [5, 9, 13, 21, 34, 40, 55, 64];
    const results = await Promise.all(sizes.map((size) => submitCheckpoint(witness.url, 0, [], checkpointAt(size))));
    const winners = results.flatMap((r, i) => (r.kind === 'cosigned' ? [sizes[i]!] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.kind !== 'cosigned') expect(r).toEqual({ kind: 'conflict', size: winners[0] });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { logs: Record<string, { size: number }> };
    expect(state.logs['log.test/one']?.size).toBe(winners[0]);
    // Then each proof from the recorded size is taken, in turn.
    let size = winners[0]!;
    for (const next of sizes.filter((s) => s > size)) {
      const r = await submitCheckpoint(witness.url, size, consistencyProof(size, next, subtree), checkpointAt(next));
      expect(r.kind, `${size} → ${next}`).toBe('cosigned');
      if (r.kind === 'cosigned') expect(cosignedBy(r.note, [cosigner.verifierKey], 1).satisfied).toBe(true);
      size = next;
    }
  });

  it('answers 403 for a checkpoint of a known origin signed by another key', async () => {
    const { witness } = await serve();
    const impostor = ed25519Signer('log.test/one', generateKeyPairSync('ed25519').privateKey);
    expect(await submitCheckpoint(witness.url, 0, [], checkpointAt(5, impostor))).toMatchObject({ kind: 'refused', status: 403 });
  });

  it('answers 400 to a malformed body or one not UTF-8, 413 past the size bound, 405 to GET, 404 elsewhere', async () => {
    const { witness } = await serve();
    const post = (body: string | Uint8Array, path = 'add-checkpoint') => fetch(new URL(path, witness.url), { method: 'POST', body });
    expect((await post('old 0\n')).status).toBe(400);
    expect((await post(Buffer.concat([Buffer.from('old 0\n\n'), Buffer.from([0xff, 0xfe]), Buffer.from(checkpointAt(5))]))).status).toBe(400);
    expect((await post(`old 0\n\n${checkpointAt(5)}${'x'.repeat(MAX_REQUEST_BYTES)}`)).status).toBe(413);
    expect((await fetch(new URL('add-checkpoint', witness.url))).status).toBe(405);
    expect((await post(`old 0\n\n${checkpointAt(5)}`, 'elsewhere')).status).toBe(404);
    // None of these changed what the witness holds.
    expect(await submitCheckpoint(witness.url, 0, [], checkpointAt(5))).toMatchObject({ kind: 'cosigned' });
  });

  it('tells an unreachable witness apart from a refusal', async () => {
    const { witness } = await serve();
    const url = witness.url;
    await witness.close();
    expect(await submitCheckpoint(url, 0, [], checkpointAt(5), { timeoutMs: 5_000 })).toMatchObject({ kind: 'unreachable' });
  });
});
