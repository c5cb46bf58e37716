// The witness's add-checkpoint decision (lib/tlog/witness.ts) on transparency-dev/witness's own log,
// checkpoints and consistency proof, then on generated logs: cosign, 409 on a stale old size, 422 on a bad
// proof, 404 for an unknown log, 403 for a key it does not trust, 400 for a malformed body, no rollback.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { formatCheckpoint } from '../../../lib/tlog/checkpoint.js';
import { cosignedBy, ed25519Cosigner } from '../../../lib/tlog/cosignature.js';
import { EMPTY_ROOT, consistencyProof, leafHash, treeHash, verifyConsistency, type Hash } from '../../../lib/tlog/merkle.js';
import { NoteError, ed25519Signer, parseVerifierKey, rawEd25519, signNote, verifierKey, type NoteVerifier } from '../../../lib/tlog/note.js';
import {
  MAX_PROOF_LINES,
  addCheckpoint,
  advanceState,
  formatAddCheckpoint,
  parseAddCheckpoint,
  parseWitnessState,
  witnessStateText,
  type LogHead,
  type WitnessResponse,
  type WitnessState,
} from '../../../lib/tlog/witness.js';
import { goPrivateKey } from '../../support/go-note-keys.js';
import { naiveTreeHash } from '../../support/merkle-oracle.js';
import { mulberry32 } from '../../support/prng.js';

interface Vectors {
  transparencyDevWitness: {
    logVerifierKey: string;
    otherLogVerifierKey: string;
    witnessSignerKey: string;
    witnessVerifierKey: string;
    origin: string;
    init: string;
    initByOtherLog: string;
    next: string;
    nextFirstLineChanged: string;
    initRootHex: string;
    consistencyProof5to8Hex: string[];
  };
}
const tdw = (JSON.parse(readFileSync(packagePath('fixtures/real/tlog-witness-vectors.json'), 'utf8')) as Vectors).transparencyDevWitness;
const proof5to8 = tdw.consistencyProof5to8Hex.map((h) => Buffer.from(h, 'hex'));
const now = new Date('2026-12-07T12:00:00Z');
const witnessKey = goPrivateKey(tdw.witnessSignerKey);
const witness = ed25519Cosigner(witnessKey.name, witnessKey.key);

/** A witness of transparency-dev's log: submits a request to the pure decision and keeps what it cosigned. */
function witnessOf(logs: ReadonlyMap<string, readonly NoteVerifier[]>, state: WitnessState = new Map()) {
  let current = state;
  return {
    get state() {
      return current;
    },
    submit(oldSize: number, proof: readonly Hash[], checkpoint: string): WitnessResponse {
      const response = addCheckpoint({
        body: formatAddCheckpoint({ oldSize, proof: [...proof], checkpoint }),
        logs,
        state: current,
        cosigners: [witness],
        now,
      });
      if (response.status === 200) current = advanceState(current, response.origin, response.head);
      return response;
    },
  };
}
const goLogs = new Map([[tdw.origin, [parseVerifierKey(tdw.logVerifierKey)]]]);

describe("add-checkpoint on transparency-dev/witness's vectors", () => {
  it("cosigns the first checkpoint (old 0), then the next with Go's consistency proof, each verifiable with its time", () => {
    const w = witnessOf(goLogs);
    const first = w.submit(0, [], tdw.init);
    expect(first).toMatchObject({ status: 200, origin: tdw.origin, head: { size: 5 } });
    expect(Buffer.from(w.state.get(tdw.origin)!.root).toString('hex')).toBe(tdw.initRootHex);
    const second = w.submit(5, proof5to8, tdw.next);
    expect(second.status).toBe(200);
    expect(w.state.get(tdw.origin)!.size).toBe(8);
    expect(verifyConsistency(5, 8, Buffer.from(tdw.initRootHex, 'hex'), w.state.get(tdw.origin)!.root, proof5to8)).toBe(true); // Go's proof, our check
    if (second.status !== 200) return;
    expect(second.lines).toHaveLength(1);
    const cosigned = cosignedBy(tdw.next + second.lines.join(''), [tdw.witnessVerifierKey], 1);
    expect(cosigned).toMatchObject({ satisfied: true, cosigned: [{ name: 'witness', time: now.getTime() / 1000 }] });
  });

  it('answers 409 with its own size when the old size is stale, and changes nothing', () => {
    const w = witnessOf(goLogs);
    w.submit(0, [], tdw.init);
    expect(w.submit(0, [], tdw.next)).toMatchObject({ status: 409, size: 5 });
    expect(w.submit(3, [], tdw.next)).toMatchObject({ status: 409, size: 5 });
    expect(w.state.get(tdw.origin)!.size).toBe(5);
  });

  it('answers 422 when the consistency proof does not verify (a changed hash, a short proof, a proof from 0)', () => {
    const w = witnessOf(goLogs);
    w.submit(0, [], tdw.init);
    const changed = proof5to8.map((h, i) => (i === 2 ? Buffer.from(h).fill(7, 0, 1) : h));
    expect(w.submit(5, changed, tdw.next).status).toBe(422);
    expect(w.submit(5, proof5to8.slice(1), tdw.next).status).toBe(422);
    expect(witnessOf(goLogs).submit(0, proof5to8, tdw.init).status).toBe(422);
    expect(w.state.get(tdw.origin)!.size).toBe(5);
  });

  it('answers 404 for a log it does not know (the origin line changed) and 403 for a key it does not trust', () => {
    const w = witnessOf(goLogs);
    w.submit(0, [], tdw.init);
    expect(w.submit(5, proof5to8, tdw.nextFirstLineChanged).status).toBe(404);
    expect(witnessOf(goLogs).submit(0, [], tdw.initByOtherLog).status).toBe(403);
    // Signed by the configured key's name with a signature that does not verify.
    expect(witnessOf(goLogs).submit(0, [], tdw.init.replace('\n5\n', '\n6\n')).status).toBe(403);
  });

  it('never rolls back: an older checkpoint is refused (400, then 409), and advanceState refuses to go back', () => {
    const w = witnessOf(goLogs);
    w.submit(0, [], tdw.init);
    w.submit(5, proof5to8, tdw.next);
    expect(w.submit(8, [], tdw.init)).toMatchObject({ status: 400 });
    expect(w.submit(5, [], tdw.init)).toMatchObject({ status: 409, size: 8 });
    expect(() => advanceState(w.state, tdw.origin, { size: 5, root: Buffer.from(tdw.initRootHex, 'hex') })).toThrow(NoteError);
    expect(() => advanceState(w.state, tdw.origin, { size: 8, root: EMPTY_ROOT })).toThrow(NoteError);
    expect(w.state.get(tdw.origin)!.size).toBe(8);
  });
});

describe('add-checkpoint on generated logs', () => {
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const signer = ed25519Signer('log.example/one', logKey);
  const logs = new Map([[signer.name, [parseVerifierKey(verifierKey(signer.name, rawEd25519(createPublicKey(logKey))))]]]);
  const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const memo = new Map<string, Hash>();
  const subtree = (level: number, index: number) => {
    const key = `${level}/${index}`;
    if (!memo.has(key)) memo.set(key, naiveTreeHash(leaves, index * 2 ** level, (index + 1) * 2 ** level));
    return memo.get(key)!;
  };
  const checkpointAt = (size: number, root = treeHash(size, subtree)) =>
    signNote(formatCheckpoint({ origin: signer.name, size, root, extensions: [] }), [signer]);

  it('follows a growing log through random sizes with real proofs, and refuses each stale or forged step', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rand = mulberry32(seed);
      const w = witnessOf(logs);
      let size = 0;
      while (size < 300) {
        const next = Math.min(300, size + 1 + Math.floor(rand() * 60));
        const proof = size === 0 ? [] : consistencyProof(size, next, subtree);
        if (size > 0) {
          const forged = checkpointAt(next, leafHash(Buffer.from('fork')));
          expect(w.submit(size, proof, forged).status, `seed ${seed} ${size}→${next}`).toBe(422);
        }
        expect(w.submit(size, proof, checkpointAt(next)).status, `seed ${seed} ${size}→${next}`).toBe(200);
        size = next;
      }
      expect(w.state.get(signer.name)).toMatchObject({ size: 300 });
    }
  });

  it('re-cosigns the checkpoint it holds (old = size, same root) and calls another root of that size a fork (409)', () => {
    const w = witnessOf(logs);
    expect(w.submit(0, [], checkpointAt(10)).status).toBe(200);
    expect(w.submit(10, [], checkpointAt(10)).status).toBe(200);
    expect(w.submit(10, [], checkpointAt(10, leafHash(Buffer.from('fork'))))).toMatchObject({ status: 409, size: 10 });
    expect(w.submit(0, [], checkpointAt(0, leafHash(Buffer.from('x')))).status).toBe(409);
  });

  it("cosigns an empty log only with the empty tree's root", () => {
    expect(witnessOf(logs).submit(0, [], checkpointAt(0, EMPTY_ROOT)).status).toBe(200);
    expect(witnessOf(logs).submit(0, [], checkpointAt(0, leafHash(Buffer.from('x')))).status).toBe(422);
  });

  it('answers 400 for a malformed body', () => {
    const good = checkpointAt(4);
    const bodies = [
      '',
      'old 0',
      `old 00\n\n${good}`,
      `old -1\n\n${good}`,
      `older 0\n\n${good}`,
      `old 0\n${good}`,
      `old 4\nnot base64!\n\n${good}`,
      `old 4\nAAAA\n\n${good}`,
      `old 4\n${`${Buffer.from(EMPTY_ROOT).toString('base64')}\n`.repeat(MAX_PROOF_LINES + 1)}\n${good}`,
      'old 0\n\nlog.example/one\n4\n',
      `old 0\n\n${good.replace(/\n\n.*/s, '\n\n')}`,
      `old 5\n\n${good}`, // old larger than the checkpoint
    ];
    for (const body of bodies) {
      expect(addCheckpoint({ body, logs, state: new Map(), cosigners: [witness], now }).status, JSON.stringify(body.slice(0, 60))).toBe(400);
    }
  });

  it('reads back the request it writes (generated proofs)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = mulberry32(seed);
      const proof = Array.from({ length: Math.floor(rand() * MAX_PROOF_LINES) }, (_, i) => leafHash(Buffer.from(`${seed}/${i}`)));
      const req = { oldSize: Math.floor(rand() * 2 ** 50), proof, checkpoint: checkpointAt(7) };
      expect(parseAddCheckpoint(formatAddCheckpoint(req))).toEqual(req);
    }
  });
});

describe('witness state file text', () => {
  it('round-trips, sorted by origin, and rejects what is not a state', () => {
    const state = new Map<string, LogHead>([
      ['z.example', { size: 3, root: leafHash(Buffer.from('z')) }],
      ['a.example', { size: 0, root: EMPTY_ROOT }],
    ]);
    const text = witnessStateText(state);
    expect(Object.keys((JSON.parse(text) as { logs: object }).logs)).toEqual(['a.example', 'z.example']);
    expect(witnessStateText(parseWitnessState(text))).toBe(text);
    for (const bad of [
      '{}',
      '{"witnessStateVersion":2,"logs":{}}',
      '{"witnessStateVersion":1,"logs":{"a":{"size":-1,"root":""}}}',
      '{"witnessStateVersion":1,"logs":{"a":{"size":1,"root":"AAAA"}}}',
    ]) {
      expect(() => parseWitnessState(bad), bad).toThrow(NoteError);
    }
  });
});
