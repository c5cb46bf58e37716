// `vouch log witness` as a process on loopback, witnessing a real registry signing log (vouch-registry's
// SigningLog) as it grows: cosigned checkpoints verify with cosignedBy; a stale old size gets 409 with the
// witness's size, a bad proof 422, an unknown log 404, a forked log nothing; the state survives a restart;
// the key file is created 0600 and kept; one witness per state file.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SigningLog, type SigningEvent } from '../../packages/vouch-registry/lib/signing-log.js';
import { consistencyProof, cosignedBy, openNote, parseCheckpoint, parseVerifierKey, type Hash } from '../../lib/tlog/index.js';
import { submitCheckpoint } from '../../lib/witness/client.js';
import { startWitness, witnessFailure, type RunningWitnessProcess } from '../support/witness.js';

const event = (i: number, version = '1.0.0'): SigningEvent => ({
  type: 'version-signed',
  name: `pkg-${i}`,
  version,
  integrity: `sha512-${i}`,
  keyid: 'SHA256:k',
  sig: `c2ln${i}`,
  source: 'publish',
});
const checkpointOf = (log: SigningLog) => log.read('checkpoint')!.toString('utf8');
const proofOf = (log: SigningLog, older: number): Hash[] => consistencyProof(older, log.treeSize, (level, index) => log.subtreeHash(level, index));
const seconds = () => Math.floor(Date.now() / 1000);

const running: RunningWitnessProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

describe('vouch log witness', () => {
  it('cosigns a growing signing log across restarts, and refuses stale, unproven, unknown and forked checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-witness-cli-'));
    const log = SigningLog.open(join(dir, 'registry'));
    log.appendBatch([0, 1, 2].map((i) => event(i)));
    const opts = {
      logKeys: [log.verifierKey],
      keyFile: join(dir, 'witness', 'witness.pem'),
      stateFile: join(dir, 'witness', 'state.json'),
      name: 'witness.test/w1',
    };
    const witness = await startWitness(opts);
    running.push(witness);
    expect(witness).toMatchObject({ name: 'witness.test/w1', logs: [log.origin], url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) });
    expect(statSync(opts.keyFile).mode & 0o777).toBe(0o600);

    // First contact: old size 0, no proof.
    const before = seconds();
    const first = await submitCheckpoint(witness.url, 0, [], checkpointOf(log));
    expect(first.kind).toBe('cosigned');
    if (first.kind !== 'cosigned') return;
    openNote(first.note, [parseVerifierKey(log.verifierKey)]); // still the log's checkpoint
    const one = cosignedBy(first.note, [witness.verifierKey], 1);
    expect(one.satisfied).toBe(true);
    expect(one.cosigned[0]!.time).toBeGreaterThanOrEqual(before);
    expect(one.cosigned[0]!.time).toBeLessThanOrEqual(seconds());

    // The log grows past a tile boundary; the witness follows with a real consistency proof.
    log.appendBatch(Array.from({ length: 300 }, (_, i) => event(3 + i)));
    const grown = checkpointOf(log);
    const second = await submitCheckpoint(witness.url, 3, proofOf(log, 3), grown);
    expect(second.kind).toBe('cosigned');
    if (second.kind !== 'cosigned') return;
    expect(cosignedBy(second.note, [witness.verifierKey], 1)).toMatchObject({ satisfied: true, cosigned: [{ name: 'witness.test/w1' }] });
    expect(parseCheckpoint(openNote(second.note, [parseVerifierKey(log.verifierKey)]).text).size).toBe(303);

    // Stale old size: 409 with the witness's size. A proof that does not verify: 422.
    expect(await submitCheckpoint(witness.url, 3, proofOf(log, 3), grown)).toEqual({ kind: 'conflict', size: 303 });
    log.append(event(303));
    const bad = proofOf(log, 303).map((h, i) => (i === 0 ? Buffer.alloc(32, 1) : h));
    expect(await submitCheckpoint(witness.url, 303, bad, checkpointOf(log))).toMatchObject({ kind: 'refused', status: 422 });

    // A log it does not witness: 404.
    const stranger = SigningLog.open(join(dir, 'other-registry'));
    stranger.append(event(0));
    expect(await submitCheckpoint(witness.url, 0, [], checkpointOf(stranger))).toMatchObject({ kind: 'refused', status: 404 });

    // One witness per state file.
    const other = await witnessFailure(opts);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/in use by process/);

    // Restart: same key, same state: it still holds 303 entries.
    expect(await witness.stop()).toBe(0);
    running.splice(0);
    const again = await startWitness(opts);
    running.push(again);
    expect(again.verifierKey).toBe(witness.verifierKey);
    expect(await submitCheckpoint(again.url, 0, [], checkpointOf(log))).toEqual({ kind: 'conflict', size: 303 });

    // A fork: the same log key signs a different history of 3 entries. Never cosigned, however submitted.
    const key = createPrivateKey(readFileSync(join(dir, 'registry', 'keys', 'log-ed25519.pem'), 'utf8'));
    const fork = new SigningLog(join(dir, 'fork'), key, log.origin);
    fork.appendBatch([event(0), event(1), event(2, '6.6.6')]);
    expect(await submitCheckpoint(again.url, 303, [], checkpointOf(fork))).toMatchObject({ kind: 'refused', status: 400 });
    expect(await submitCheckpoint(again.url, 3, [], checkpointOf(fork))).toEqual({ kind: 'conflict', size: 303 });

    // And the honest log carries on from where the witness is.
    const third = await submitCheckpoint(again.url, 303, proofOf(log, 303), checkpointOf(log));
    expect(third.kind).toBe('cosigned');
    const state = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as { logs: Record<string, { size: number }> };
    expect(state.logs[log.origin]?.size).toBe(304);
  });

  it('refuses a log key that is not a verifier key, and a key file that is not Ed25519 (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-witness-cli-'));
    const badLog = await witnessFailure({ logKeys: ['not-a-key'], keyFile: join(dir, 'w.pem'), stateFile: join(dir, 's.json') });
    expect(badLog.code).toBe(2);
    expect(badLog.stderr).toMatch(/--log/);
    const p256 = join(dir, 'p256.pem');
    writeFileSync(p256, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const badKey = await witnessFailure({ logKeys: [SigningLog.open(join(dir, 'registry')).verifierKey], keyFile: p256, stateFile: join(dir, 's.json') });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/a witness key is Ed25519/);
  });
});
