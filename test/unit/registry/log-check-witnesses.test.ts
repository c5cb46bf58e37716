// checkSigningLog against a real signing log served over HTTP (the registry's SigningLog files, with
// witnesses' cosignature lines appended to the checkpoint as a witnessed log serves it): k of n witnesses
// named by the policy must have cosigned; a cosignature by another key, a forged one, or too few is a
// problem the policy denies (LOG_UNWITNESSED); the log check itself is unchanged by the extra lines.
// Also: the checkpoint vouch.lock pinned must be extended (LOG_INCONSISTENT otherwise).
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningLog, type SigningEvent } from '../../../packages/vouch-registry/lib/signing-log.js';
import { checkSigningLog } from '../../../lib/registry/log-check.js';
import { cosignatureLine, ed25519Cosigner, splitNote, type Cosigner } from '../../../lib/tlog/index.js';
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
const witness = (name: string): Cosigner => ed25519Cosigner(name, generateKeyPairSync('ed25519').privateKey);

let server: Server;
let url = '';
let log: SigningLog;
let cosigners: Cosigner[] = [];
let forged = false;

beforeAll(async () => {
  log = SigningLog.open(tempDir());
  log.appendBatch(Array.from({ length: 20 }, (_, i) => event(i)));
  server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/-\/vouch\/log\//, '');
    if (path === 'key') return void res.writeHead(200).end(`${log.verifierKey}\n`);
    const body = log.read(path);
    if (!body) return void res.writeHead(404).end();
    if (path !== 'checkpoint') return void res.writeHead(200).end(body);
    const note = body.toString('utf8');
    const text = splitNote(note).text;
    const now = Math.floor(Date.now() / 1000) - 60;
    const lines = cosigners.map((c) => {
      const line = cosignatureLine(c, forged ? text.replace(/\n\d+\n/, '\n999\n') : text, now);
      return line;
    });
    res.writeHead(200).end(`${note}${lines.join('')}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const http = () => ({ flat: { registry: url }, offline: false, timeoutMs: 5_000, retries: 0 });

describe('checkSigningLog: witnesses', () => {
  const [a, b, c] = [witness('witness-a.example'), witness('witness-b.example'), witness('witness-c.example')];
  const policy = (require: number) => ({ keys: [a.verifierKey, b.verifierKey, c.verifierKey], require });

  it('2 of 3 named witnesses cosigned: no problem, and who cosigned is reported', async () => {
    cosigners = [a, c, witness('stranger.example')];
    forged = false;
    const view = await checkSigningLog(url, http(), tempDir(), undefined, policy(2));
    expect(view?.seen.state).toBe('consistent');
    expect(view?.seen.witnesses?.problem).toBeUndefined();
    expect(view?.seen.witnesses?.cosigned.map((w) => w.name)).toEqual(['witness-a.example', 'witness-c.example']);
  });

  it("fewer than k, a stranger's cosignature, or cosignatures over another checkpoint: a problem naming the count", async () => {
    for (const [signers, isForged, count] of [
      [[a], false, 1],
      [[witness('stranger.example')], false, 0],
      [[a, b], true, 0],
    ] as const) {
      cosigners = [...signers];
      forged = isForged;
      const view = await checkSigningLog(url, http(), tempDir(), undefined, policy(2));
      expect(view?.seen.state).toBe('consistent');
      expect(view?.seen.witnesses?.problem).toContain(`cosigned by ${count} of the 2 witnesses the policy requires`);
    }
  });

  it('a registry that serves no log, under a witness policy: a problem', async () => {
    const none = `http://127.0.0.1:${(server.address() as AddressInfo).port}/elsewhere/`;
    const view = await checkSigningLog(none, { ...http(), flat: { registry: none } }, tempDir(), undefined, policy(1));
    expect(view?.seen.witnesses?.problem).toContain('serves no signing log');
  });
});

describe('checkSigningLog: the checkpoint vouch.lock pinned', () => {
  it('is extended by the log: consistent; one from another history, or a larger one: LOG_INCONSISTENT', async () => {
    cosigners = [];
    const key = log.verifierKey;
    const older = SigningLog.open(tempDir());
    older.appendBatch(Array.from({ length: 7 }, (_, i) => event(i)));
    const fork = SigningLog.open(tempDir());
    fork.appendBatch(Array.from({ length: 7 }, (_, i) => event(i + 100)));
    const pin = (size: number, root: Uint8Array) => ({ key, size, root: Buffer.from(root).toString('base64') });
    expect((await checkSigningLog(url, http(), tempDir(), pin(7, older.root())))?.seen.state).toBe('consistent');
    const forked = await checkSigningLog(url, http(), tempDir(), pin(7, fork.root()));
    expect(forked?.seen).toMatchObject({ state: 'inconsistent', problems: [expect.stringContaining('does not extend')] });
    const larger = await checkSigningLog(url, http(), tempDir(), pin(25, older.root()));
    expect(larger?.seen.problems[0]).toContain('the log shrank');
  });

  it('a pinned log key the checkpoint does not verify with: LOG_INCONSISTENT', async () => {
    const other = SigningLog.open(tempDir());
    const seen = (await checkSigningLog(url, http(), tempDir(), { key: other.verifierKey, size: 0, root: Buffer.alloc(32).toString('base64') }))?.seen;
    expect(seen?.state).toBe('inconsistent');
  });
});
