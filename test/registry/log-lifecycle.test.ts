// Key lifecycle in the signing log of a real registry: the log records key-added the first time it sees a
// key, key-retired when `vouch registry rotate` moves everything off a key (once, whatever restarts follow),
// key-revoked when the operator revokes one; `vouch log verify` accepts that history, and refuses a version
// signed by the retired key after its retirement, appended to the log in storage (with the log's own key, as
// an operator holding both keys could), on an incremental audit that saw the retirement earlier and on a fresh one.
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SigningLog } from '../../packages/vouch-registry/lib/signing-log.js';
import { TILE_WIDTH, entriesPath, openNote, parseCheckpoint, parseVerifierKey, readBundle } from '../../lib/tlog/index.js';
import { writePackage } from '../support/packages.js';
import { writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

const running: TestRegistry[] = [];
const roots: string[] = [];
afterAll(async () => {
  for (const r of running) await r.stop();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function start(storage: string, keys: string[], port?: number): Promise<TestRegistry> {
  const registry = await startRegistry({ storage, keys, ...(port ? { port } : {}) });
  running.push(registry);
  return registry;
}

async function writeKey(file: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

type Event = { type: string; keyid?: string; name?: string; version?: string; source?: string };

/** The log's entries as served (the checkpoint opened with the log key). */
async function served(registry: TestRegistry): Promise<Event[]> {
  const key = parseVerifierKey((await registry.get('-/vouch/log/key')).text.trim());
  const { size } = parseCheckpoint(openNote((await registry.get('-/vouch/log/checkpoint')).text, [key]).text);
  const entries: Buffer[] = [];
  for (let tile = 0; tile * TILE_WIDTH < size; tile++) {
    entries.push(...readBundle((await registry.get(`-/vouch/log/${entriesPath(tile, Math.min(TILE_WIDTH, size - tile * TILE_WIDTH))}`)).bytes));
  }
  return entries.map((e) => JSON.parse(e.toString()) as Event);
}

async function audit(registry: TestRegistry, state: string, cwd: string) {
  const result = await runVouch(['log', 'verify', registry.url, '--state', state, '--format', 'json'], { cwd });
  return {
    code: result.code,
    report: result.json as { findings: { code: string; message: string; index?: number }[] } | undefined,
    output: result.stdout + result.stderr,
  };
}

const lifecycle = (events: Event[]) => events.filter((e) => e.type.startsWith('key-')).map((e) => [e.type, e.keyid]);

describe('key lifecycle in the signing log', () => {
  it("logs key-added and key-retired around a rotation, and the audit refuses a retired key's later signature", async () => {
    const home = await mkdtemp(join(tmpdir(), 'vouch-log-lifecycle-'));
    roots.push(home);
    const storage = join(home, 'storage');
    const keyA = await writeKey(join(home, 'a.pem'));
    const keyB = await writeKey(join(home, 'b.pem'));
    const packages = join(home, 'packages');
    let registry = await start(storage, [keyA]);
    const keyidA = registry.keyid;
    const port = Number(new URL(registry.url).port);
    await registry.publish(await writePackage(packages, { name: 'cycled', version: '1.0.0' }));
    await registry.stop();

    const rotate = await runVouch(['registry', 'rotate', '--storage', storage, '--from', keyA, '--to', keyB], { cwd: home });
    expect(rotate.code, rotate.stderr).toBe(0);
    registry = await start(storage, [keyB, `${keyA}=${new Date().toISOString()}`], port);
    const keyidB = registry.keyid;
    const events = await served(registry);
    expect(lifecycle(events)).toEqual([
      ['key-added', keyidA],
      ['key-added', keyidB],
      ['key-retired', keyidA],
    ]);
    expect(events.map((e) => [e.type, e.keyid, e.source])).toEqual([
      ['key-added', keyidA, undefined],
      ['version-signed', keyidA, 'publish'],
      ['key-added', keyidB, undefined],
      ['version-signed', keyidB, 're-signed'],
      ['key-retired', keyidA, undefined],
    ]);
    const state = join(home, 'audit.json');
    const first = await audit(registry, state, home);
    expect(first.code, first.output).toBe(0);
    await registry.publish(await writePackage(packages, { name: 'cycled', version: '1.1.0' }));
    expect((await audit(registry, state, home)).code).toBe(0);
    // A consumer verifies with vouch before the forgery: its run reads the log too.
    const project = join(home, 'project');
    await writeProject(project, { dependencies: { cycled: '1.1.0' } });
    expect((await registry.npm(['install', '--package-lock-only'], { cwd: project })).code).toBe(0);
    const verify = async (stateDir: string) =>
      runVouch(['verify', '--format', 'json'], { cwd: project, env: await registry.npmEnv(stateDir, { retries: 'npm-default' }) });
    const clean = await verify(join(home, 'consumer-state'));
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    // A version signed by A after A's retirement, appended in storage with the log key and a fresh checkpoint.
    await registry.stop();
    const log = SigningLog.open(join(storage, '.vouch'));
    const integrity = `sha512-${Buffer.alloc(64, 9).toString('base64')}`;
    const sig = sign('sha256', Buffer.from(`cycled@1.2.0:${integrity}`), createPrivateKey(await readFile(keyA, 'utf8'))).toString('base64');
    const forged = log.append({ type: 'version-signed', name: 'cycled', version: '1.2.0', integrity, keyid: keyidA, sig, source: 'publish' });
    registry = await start(storage, [keyB, `${keyA}=${new Date().toISOString()}`], port);
    expect(lifecycle(await served(registry))).toHaveLength(3); // a restart logs nothing twice

    const incremental = await audit(registry, state, home); // A's retirement was seen by an earlier run
    expect(incremental.code, incremental.output).toBe(1);
    expect(incremental.report?.findings).toEqual([
      { code: 'LOG_ENTRY_INVALID', index: forged, message: `cycled@1.2.0: signed by ${keyidA} after its key-retired entry 4` },
    ]);
    const fresh = await audit(registry, join(home, 'fresh.json'), home);
    expect(fresh.code).toBe(1);
    expect(fresh.report?.findings.map((f) => [f.code, f.index])).toEqual([['LOG_ENTRY_INVALID', forged]]);
    // …and so does every vouch run, which reads the new entries against the lifecycle rule: the consumer's next
    // run, and a fresh one that reads the whole log.
    for (const stateDir of [join(home, 'consumer-state'), join(home, 'fresh-consumer-state')]) {
      const denied = await verify(stateDir);
      expect(denied.code, denied.stdout + denied.stderr).toBe(1);
      const report = denied.json as { registries: { findings: { code: string; message: string }[] }[] };
      expect(report.registries.flatMap((r) => r.findings.map((f) => f.code))).toEqual(['LOG_ENTRY_INVALID']);
      expect(report.registries[0]!.findings[0]!.message).toContain(`signed by ${keyidA} after its key-retired entry 4`);
    }

    // The registry itself refuses to sign with a key its log retired.
    await registry.stop();
    await expect(startRegistry({ storage, keys: [keyA] })).rejects.toThrow(/is retired in the registry's signing log; it cannot sign again/);
  });

  it('logs key-revoked when the operator revokes a key, once', async () => {
    const home = await mkdtemp(join(tmpdir(), 'vouch-log-revoke-'));
    roots.push(home);
    const storage = join(home, 'storage');
    const keyA = await writeKey(join(home, 'a.pem'));
    const keyB = await writeKey(join(home, 'b.pem'));
    let registry = await start(storage, [keyB, `${keyA}=2030-01-01T00:00:00.000Z`]);
    const keyidB = registry.keyid;
    const port = Number(new URL(registry.url).port);
    const keyidA = ((await registry.get('-/npm/v1/keys')).json as { keys: { keyid: string }[] }).keys[1]!.keyid;
    await registry.stop();
    const revoke = await runVouch(['registry', 'revoke', '--storage', storage, '--key', keyA], { cwd: home });
    expect(revoke.code, revoke.stderr).toBe(0);
    registry = await start(storage, [keyB], port);
    expect(lifecycle(await served(registry))).toEqual([
      ['key-added', keyidB],
      ['key-added', keyidA],
      ['key-retired', keyidA],
      ['key-revoked', keyidA],
    ]);
    const result = await audit(registry, join(home, 'audit.json'), home);
    expect(result.code, result.output).toBe(0);
  });
});
