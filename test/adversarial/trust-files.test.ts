// Hostile vouch.policy.json and vouch.lock: malformed, mistyped, misspelled, enormous, nested to overflow
// a recursive parser, and a rule whose glob matches everything by accident. Each stops `vouch verify` and
// `vouch install` with exit 2 and its code, naming the file and the JSON path, in bounded time, before any
// network request, with the project untouched. No registry: the configured one counts requests that must
// not happen.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LOCK_BYTES } from '../../lib/lock/index.js';
import { MAX_POLICY_BYTES } from '../../lib/policy/parse.js';
import { startHostileRegistry, type HostileRegistry } from '../support/hostile-registry.js';
import { npmEnv } from '../support/npm.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { runVouch } from '../support/vouch.js';

let work: string;
let nowhere: HostileRegistry; // a "registry" that proxies to a closed port: any request is counted
let env: NodeJS.ProcessEnv;
let n = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-adv-trust-'));
  nowhere = await startHostileRegistry('http://127.0.0.1:9/');
  env = { ...(await npmEnv(join(work, 'npm-state'), { url: nowhere.url })), NO_COLOR: '1' };
});

afterAll(async () => {
  await nowhere?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

beforeEach(() => nowhere.reset());

async function project(files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(work, `p-${++n}`);
  await writeProject(dir, { dependencies: { left: '^1.0.0' } });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** Runs `args` in a project holding `files`; expects exit 2 with `code`, fast, offline, nothing written. */
async function refused(args: string[], files: Record<string, string | Buffer>, code: string) {
  const dir = await project(files);
  const before = await snapshotProject(dir);
  const started = Date.now();
  const result = await runVouch(args, { cwd: dir, env, timeoutMs: 60_000 });
  const ms = Date.now() - started;
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(new RegExp(`^vouch: ${code}: `, 'm'));
  expect(ms).toBeLessThan(10_000);
  expect(nowhere.requests).toEqual([]);
  expect(await snapshotProject(dir)).toEqual(before);
  return result.stderr;
}

const POLICY = 'vouch.policy.json';
const LOCK = 'vouch.lock';
const deeplyNested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('a hostile vouch.policy.json', () => {
  it.each([['verify'], ['install']])('malformed JSON: POLICY_PARSE with line and column (vouch %s)', async (command) => {
    const stderr = await refused([command], { [POLICY]: '{\n  "defaults": { "signatures": "require", }\n}\n' }, 'POLICY_PARSE');
    expect(stderr).toContain(join(work, `p-${n}`, POLICY));
    expect(stderr).toMatch(/line 2, column \d+/);
  });

  it('wrong types: POLICY_SCHEMA naming every bad path, not just the first', async () => {
    const stderr = await refused(['verify'], { [POLICY]: JSON.stringify({ defaults: { signatures: true, minReleaseAge: '3 days' } }) }, 'POLICY_SCHEMA');
    expect(stderr).toContain('defaults.signatures');
    expect(stderr).toContain('defaults.minReleaseAge');
  });

  it('unknown keys are errors, never ignored: a misspelt "provenence" is POLICY_SCHEMA', async () => {
    const stderr = await refused(
      ['verify'],
      { [POLICY]: JSON.stringify({ defualts: {}, rules: [{ packages: 'left', provenence: 'require' }] }) },
      'POLICY_SCHEMA',
    );
    expect(stderr).toContain('defualts');
    expect(stderr).toContain('rules[0].provenence');
  });

  it('a rule whose glob matches every package ("*", "**") without "broad": true is POLICY_RULE', async () => {
    for (const glob of ['*', '**']) {
      const stderr = await refused(['install'], { [POLICY]: JSON.stringify({ rules: [{ packages: glob, provenance: 'require' }] }) }, 'POLICY_RULE');
      expect(stderr).toContain('rules[0].packages');
    }
  });

  it(`an enormous file (over ${MAX_POLICY_BYTES} bytes) is refused by its size: POLICY_PARSE`, async () => {
    const big = `{"rules":[${Array.from({ length: 40_000 }, (_, i) => `{"packages":"pkg-${i}","provenance":"require"}`).join(',')}]}`;
    expect(big.length).toBeGreaterThan(MAX_POLICY_BYTES);
    await refused(['verify'], { [POLICY]: big }, 'POLICY_PARSE');
  });

  it('1 MB of "[[[[…" is POLICY_PARSE (too deep), not a stack overflow reported as a bug in vouch', async () => {
    const stderr = await refused(['verify'], { [POLICY]: deeplyNested(400_000) }, 'POLICY_PARSE');
    expect(stderr).toMatch(/nested deeper than \d+ levels/);
    expect(stderr).not.toMatch(/bug in vouch|RangeError/);
  });
});

describe('a hostile vouch.lock', () => {
  it('malformed JSON: LOCK_PARSE', async () => {
    await refused(['verify'], { [LOCK]: '{"lockVersion": 1, "packages": {' }, 'LOCK_PARSE');
  });

  it('wrong types and unknown keys: LOCK_SCHEMA with every path', async () => {
    const stderr = await refused(['install'], { [LOCK]: JSON.stringify({ lockVersion: '1', packages: [], pinnedBy: 'mallory' }) }, 'LOCK_SCHEMA');
    expect(stderr).toContain('lockVersion');
    expect(stderr).toContain('packages');
    expect(stderr).toContain('pinnedBy');
  });

  it('merge-conflict markers: LOCK_PARSE with the line, never a silent rewrite', async () => {
    const text = '{\n  "lockVersion": 1,\n<<<<<<< HEAD\n  "packages": {}\n=======\n  "packages": {"x": {}}\n>>>>>>> theirs\n}\n';
    const stderr = await refused(['install'], { [LOCK]: text }, 'LOCK_PARSE');
    expect(stderr).toMatch(/line 3/);
  });

  it(`an enormous file (over ${MAX_LOCK_BYTES} bytes, sparse) is refused by its size without being read`, async () => {
    const dir = await project({});
    const handle = await open(join(dir, LOCK), 'w');
    await handle.truncate(MAX_LOCK_BYTES + 1);
    await handle.close();
    const before = await snapshotProject(dir);
    const started = Date.now();
    const result = await runVouch(['verify'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/^vouch: LOCK_PARSE: /m);
    expect(result.stderr).toContain(`the limit is ${MAX_LOCK_BYTES} bytes`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(nowhere.requests).toEqual([]);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('deep nesting in the lock is LOCK_PARSE, not a crash', async () => {
    const stderr = await refused(['verify'], { [LOCK]: `{"lockVersion":1,"packages":${deeplyNested(1_000_000)}}` }, 'LOCK_PARSE');
    expect(stderr).not.toMatch(/bug in vouch|RangeError/);
  });
});
