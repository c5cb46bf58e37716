// Two vouch runs in one project, and a run interrupted mid-install. The project is either as it was or
// as a completed run left it, never in between: node_modules, package.json, package-lock.json and
// vouch.lock stay consistent (`vouch verify` agrees afterwards), vouch.lock is replaced by rename, and an
// interrupted run blocks nobody.
import { spawn, type ChildProcess } from 'node:child_process';
import { link, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writePackage } from '../support/packages.js';
import { copyProject, readJson, snapshotProject } from '../support/project.js';
import { VOUCH_BIN } from '../support/vouch.js';
import { findingCodes, jsonReport, startWorld, type World } from './world.js';

let world: World;
let base: string; // left@1.0.0 installed by vouch
let n = 0;

beforeAll(async () => {
  world = await startWorld('safety');
  const src = await world.registry.tempDir('packages');
  await world.registry.publish(await writePackage(src, { name: 'left', version: '1.0.0' }));
  await world.registry.publish(await writePackage(src, { name: 'right', version: '1.0.0' }));
  // Enough files that unpacking takes a while: the window in which the interrupt must land.
  const files = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`lib/part-${i}.js`, `module.exports = ${i};\n`]));
  await world.registry.publish(await writePackage(src, { name: 'bulky', version: '1.0.0', files }));
  base = await world.project('base');
  const installed = await world.vouch(['install', 'left'], base);
  expect(installed.code, installed.stderr).toBe(0);
});

afterAll(() => world?.stop());

beforeEach(() => world.hostile.reset());

const copy = () => copyProject(base, join(world.work, `copy-${++n}`));

interface Spawned {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>;
}

async function start(args: string[], cwd: string): Promise<Spawned> {
  const child = spawn(process.execPath, [VOUCH_BIN, ...args], { cwd, env: await world.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()));
  const done = new Promise<Awaited<Spawned['done']>>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, endedAt: Date.now() }));
  });
  return { child, done };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('two vouch install runs in the same project at once', () => {
  it('the second waits for the first, and the project ends with both installs, consistent', async () => {
    const dir = await copy();
    // Hold the first run inside the project lock: its packument request answers after 2 s.
    world.hostile.on('/right', { kind: 'delay', ms: 2_000 }, { times: 1 });
    const first = await start(['install', 'right'], dir);
    await until(() => world.hostile.count('/right') > 0, 30_000, 'the first run to ask for right');
    const second = await start(['install', 'bulky', '--format', 'json'], dir);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`waiting for another vouch run (pid ${first.child.pid})`);
    expect(b.endedAt).toBeGreaterThan(a.endedAt);

    const manifest = (await readJson(join(dir, 'package.json'))) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['bulky', 'left', 'right']);
    const lock = (await readJson(join(dir, 'package-lock.json'))) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/bulky', 'node_modules/left', 'node_modules/right']);
    const vouchLock = (await readJson(join(dir, 'vouch.lock'))) as { packages: Record<string, unknown> };
    expect(Object.keys(vouchLock.packages).sort()).toEqual(['bulky', 'left', 'right']);
    expect((await readdir(join(dir, 'node_modules'))).filter((e) => !e.startsWith('.')).sort()).toEqual(['bulky', 'left', 'right']);
    // and the three files agree with each other and with the registry
    const verify = await world.vouch(['verify', '--locked', '--installed', '--format', 'json'], dir);
    expect(verify.code, verify.stderr).toBe(0);
    expect(jsonReport(verify).packages.map((p) => p.status)).toEqual(['verified', 'verified', 'verified']);
  });
});

describe('interruption', () => {
  it('SIGINT during reify: arborist rolls node_modules back, nothing else is written, vouch says INTERRUPTED', async () => {
    const dir = await copy();
    const before = await snapshotProject(dir);
    const run = await start(['install', 'bulky'], dir);
    // Reify has begun once arborist creates the new package's folder in node_modules.
    await until(async () => (await readdir(join(dir, 'node_modules')).catch((): string[] => [])).includes('bulky'), 60_000, 'reify to start');
    run.child.kill('SIGINT');
    const ended = await run.done;
    expect(ended.signal ?? ended.code).toBe('SIGINT'); // arborist re-raises the signal once it rolled back
    expect(ended.stderr).toMatch(/^vouch: INTERRUPTED: /m);
    expect(ended.stderr).not.toMatch(/bug in vouch/);
    expect(await snapshotProject(dir)).toEqual(before);

    // Nothing is left that blocks or confuses the next run.
    const again = await world.vouch(['install', 'bulky', '--format', 'json'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(findingCodes(jsonReport(again), 'bulky')).toEqual([]);
  });

  it('SIGINT while verifying (before reify) leaves the project as it was, and a stale project lock is taken over', async () => {
    const dir = await copy();
    const before = await snapshotProject(dir);
    world.hostile.on('/right', { kind: 'delay', ms: 5_000 }, { times: 1 });
    const run = await start(['install', 'right'], dir);
    await until(() => world.hostile.count('/right') > 0, 30_000, 'the run to ask for right');
    run.child.kill('SIGINT');
    const ended = await run.done;
    expect(ended.signal).toBe('SIGINT');
    expect(await snapshotProject(dir)).toEqual(before);
    const again = await world.vouch(['install', 'right'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/waiting for another vouch run/);
  });

  it('vouch.lock is replaced by rename, never rewritten in place: a hard link to the old file keeps the old content', async () => {
    const dir = await copy();
    const file = join(dir, 'vouch.lock');
    const old = await readFile(file, 'utf8');
    await link(file, join(dir, 'old-vouch.lock'));
    const inode = (await stat(file)).ino;
    const result = await world.vouch(['install', 'right'], dir);
    expect(result.code, result.stderr).toBe(0);
    const now = await readFile(file, 'utf8');
    expect(now).not.toBe(old);
    expect(Object.keys((JSON.parse(now) as { packages: object }).packages).sort()).toEqual(['left', 'right']);
    expect(await readFile(join(dir, 'old-vouch.lock'), 'utf8')).toBe(old);
    expect((await stat(file)).ino).not.toBe(inode);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
