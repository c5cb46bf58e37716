// `vouch registry --witness` through real processes: the registry (restarted on its storage and port once
// it has a log key), two `vouch log witness` processes witnessing its signing log and a third that witnesses
// another log (so it refuses). A publish waits for the cosignatures of its checkpoint, and the checkpoint
// served carries both; `vouch verify` with a policy requiring both passes, one requiring the third is denied
// (LOG_UNWITNESSED, project unchanged). A restart serves the cosignatures it kept, even with both witnesses
// down. A stopped witness slows no publish, and the checkpoint then carries only the other's cosignature.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../../lib/cli/render/json.js';
import { cosignedBy, openNote, parseCheckpoint, parseVerifierKey, verifierKey, rawEd25519 } from '../../lib/tlog/index.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';
import { startWitness, type RunningWitnessProcess } from '../support/witness.js';

let root = '';
let storage = '';
let port = 0;
let logKey = '';
let registry: TestRegistry | undefined;
const witnesses: RunningWitnessProcess[] = [];

async function startWitnessed(): Promise<TestRegistry> {
  return startRegistry({ storage, port, args: witnesses.flatMap((w) => ['--witness', w.url]) });
}

/** Whether the registry's stderr shows `pattern` within a few seconds (Verdaccio's logger writes asynchronously). */
async function logged(pattern: RegExp): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (pattern.test(registry!.stderr())) return true;
  }
  return pattern.test(registry!.stderr());
}

async function servedCheckpoint(): Promise<string> {
  const res = await registry!.get('-/vouch/log/checkpoint', 'text/plain');
  expect(res.status).toBe(200);
  return res.text;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vouch-registry-witnesses-'));
  storage = join(root, 'storage');
  // A first start creates the log key, which the witnesses need before the registry can name them.
  const first = await startRegistry({ storage });
  port = Number(new URL(first.url).port);
  logKey = first.logKey;
  await first.stop();
  const stranger = verifierKey('other.example/log', rawEd25519(generateKeyPairSync('ed25519').publicKey));
  for (const [name, logs] of [
    ['witness.test/w1', [logKey]],
    ['witness.test/w2', [logKey]],
    ['witness.test/w3', [stranger]],
  ] as const) {
    witnesses.push(await startWitness({ logKeys: logs, keyFile: join(root, name, 'key.pem'), stateFile: join(root, name, 'state.json'), name }));
  }
  registry = await startWitnessed();
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  for (const w of witnesses) await w.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('vouch registry --witness', () => {
  it('names its witnesses when ready, serves each checkpoint with their cosignatures, and logs a refusal', async () => {
    expect(registry!.witnesses).toEqual(witnesses.map((w) => w.url));
    await registry!.publish(await writePackage(join(root, 'pkgs'), { name: 'dep', version: '1.0.0' }));
    const note = await servedCheckpoint();
    // Still the log's checkpoint, with its size after the publish.
    const opened = openNote(note, [parseVerifierKey(logKey)]);
    expect(parseCheckpoint(opened.text).size).toBeGreaterThan(0);
    const [w1, w2, w3] = witnesses;
    const cosigned = cosignedBy(note, [w1!.verifierKey, w2!.verifierKey, w3!.verifierKey], 2, { now: new Date() });
    expect(cosigned).toMatchObject({ satisfied: true, invalid: [] });
    expect(cosigned.cosigned.map((c) => c.name)).toEqual(['witness.test/w1', 'witness.test/w2']);
    // w3 witnesses another log: it answered 404, and the registry logged that answer.
    expect(await logged(new RegExp(`witness ${w3!.url} did not cosign .*\\(404: unknown log`))).toBe(true);
    const kept = JSON.parse(await readFile(join(storage, '.vouch', 'witness-cosignatures.json'), 'utf8')) as {
      witnesses: Record<string, { checkpoint: string }>;
    };
    expect(Object.keys(kept.witnesses).sort()).toEqual([w1!.url, w2!.url].sort());
  }, 120_000);

  it('vouch verify passes with 2 of 2 witnesses required, and denies LOG_UNWITNESSED when a third never cosigned', async () => {
    const project = join(root, 'project');
    await writeProject(project, { dependencies: { dep: '1.0.0' } });
    const lock = await registry!.npm(['install', '--package-lock-only', '--ignore-scripts'], {
      cwd: project,
      stateDir: await registry!.tempDir('npm'),
      retries: 'npm-default',
    });
    expect(lock.code, lock.stderr).toBe(0);
    const policy = (keys: string[]) =>
      writeFile(
        join(project, 'vouch.policy.json'),
        `${JSON.stringify({ registries: { [registry!.url]: { witnesses: { keys, require: keys.length } } } }, null, 2)}\n`,
      );
    const env = await registry!.npmEnv(await registry!.tempDir('client'), { retries: 'npm-default' });

    await policy([witnesses[0]!.verifierKey, witnesses[1]!.verifierKey]);
    const pass = await runVouch(['verify', '--format', 'json'], { cwd: project, env });
    expect(pass.code, pass.stderr + pass.stdout).toBe(0);

    await policy(witnesses.map((w) => w.verifierKey));
    const before = await snapshotProject(project);
    const denied = await runVouch(['verify', '--format', 'json'], { cwd: project, env });
    expect(denied.code, denied.stderr + denied.stdout).toBe(1);
    const report = denied.json as ReportJson;
    expect(report.registries.flatMap((r) => r.findings.map((f) => f.code))).toEqual(['LOG_UNWITNESSED']);
    expect(await snapshotProject(project)).toEqual(before);
  }, 180_000);

  it('serves the cosignatures it kept after a restart, with both witnesses down', async () => {
    const before = await servedCheckpoint();
    const stopped = witnesses.slice(0, 2);
    for (const w of stopped) await w.stop();
    await registry!.stop();
    registry = await startWitnessed();
    expect(await servedCheckpoint()).toBe(before);
    expect(
      cosignedBy(
        before,
        stopped.map((w) => w.verifierKey),
        2,
      ).satisfied,
    ).toBe(true);
    // Back at the URLs the registry was given, with their keys and state.
    for (const [i, w] of stopped.entries()) {
      witnesses[i] = await startWitness({ logKeys: [logKey], keyFile: w.key, stateFile: w.state, name: w.name, port: Number(new URL(w.url).port) });
    }
  }, 120_000);

  it('publishes quickly while a witness is stopped; the checkpoint then carries only the other cosignature', async () => {
    const [w1, w2] = witnesses;
    await w2!.stop();
    for (const version of ['1.0.1', '1.0.2']) {
      const started = Date.now();
      await registry!.publish(await writePackage(join(root, 'pkgs'), { name: 'dep', version }));
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    const note = await servedCheckpoint();
    const cosigned = cosignedBy(note, [w1!.verifierKey, w2!.verifierKey], 1, { now: new Date() });
    expect(cosigned.cosigned.map((c) => c.name)).toEqual(['witness.test/w1']);
    expect(await logged(new RegExp(`witness ${w2!.url} did not cosign .*unreachable`))).toBe(true);
  }, 120_000);
});
