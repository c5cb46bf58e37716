// `vouch verify` refusing bad usage: an unknown flag, and a vouch.policy.json it cannot read, exit 2
// before any network access, name the file and the JSON path on stderr, and write nothing at all.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv } from '../support/npm.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

// Nothing listens on the discard port: a run that got as far as the network would exit 3.
const DEAD_REGISTRY = 'http://127.0.0.1:9/';
let work: string;
let project: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-verify-usage-'));
  project = join(work, 'app');
  await writeProject(project, { dependencies: { 'left-pad': '1.3.0' } });
  const integrity = `sha512-${createHash('sha512').update('left-pad@1.3.0').digest('base64')}`;
  await writeFile(
    join(project, 'package-lock.json'),
    `${JSON.stringify(
      {
        name: 'consumer',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'consumer', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
          'node_modules/left-pad': { version: '1.3.0', resolved: `${DEAD_REGISTRY}left-pad/-/left-pad-1.3.0.tgz`, integrity, license: 'WTFPL' },
        },
      },
      null,
      2,
    )}\n`,
  );
});

afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

/** Runs vouch in the project with a fresh npm state folder; returns the result and that folder. */
async function run(args: string[]): Promise<VouchResult & { stateDir: string }> {
  const stateDir = await mkdtemp(join(work, 'state-'));
  const result = await runVouch(args, { cwd: project, env: await npmEnv(stateDir, { url: DEAD_REGISTRY }) });
  return { ...result, stateDir };
}

/** Runs `args` with `policy` as vouch.policy.json and checks that the run wrote nothing anywhere. */
async function withPolicy(policy: string, args: string[]): Promise<VouchResult> {
  const file = join(project, 'vouch.policy.json');
  await writeFile(file, policy);
  try {
    const before = await snapshotProject(project);
    const result = await run(args);
    expect(await snapshotProject(project)).toEqual(before);
    if (result.code === 2) {
      expect(existsSync(join(result.stateDir, 'cache'))).toBe(false); // no cache, no evidence file
      expect(result.stdout).toBe('');
    }
    return result;
  } finally {
    await rm(file, { force: true });
  }
}

describe('vouch verify usage errors', () => {
  it('exits 2 with a USAGE error on an unknown flag, printing no report', async () => {
    const result = await run(['verify', '--format', 'json', '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: USAGE: /m);
    expect(result.stdout).toBe('');
  });

  it('exits 3 (not 2) with the same project and a valid policy: the errors below come from the policy', async () => {
    const result = await withPolicy('{ "defaults": { "signatures": "require" } }\n', ['verify', '--format', 'json']);
    expect(result.code, result.stderr).toBe(3);
    expect(denied(result.json as ReportJson)).toEqual([['left-pad@1.3.0', ['REGISTRY_UNREACHABLE']]]);
  });

  it('exits 2 with POLICY_SCHEMA, the file and the JSON path of a wrong value, and writes nothing', async () => {
    const result = await withPolicy('{\n  "defaults": {\n    "signatures": "sometimes"\n  }\n}\n', ['verify', '--format', 'json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: POLICY_SCHEMA: /m);
    expect(result.stderr).toContain(join(project, 'vouch.policy.json'));
    expect(result.stderr).toMatch(/defaults\.signatures \(line 3, column 5\)/);
  });

  it('exits 2 with POLICY_SCHEMA naming every unknown key, and writes nothing', async () => {
    const result = await withPolicy('{ "defaults": { "provenence": "require" }, "rules": [ { "packages": ["a"], "signatuers": "off" } ] }', [
      'verify',
      '--format',
      'sarif',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: POLICY_SCHEMA: /m);
    expect(result.stderr).toContain(join(project, 'vouch.policy.json'));
    expect(result.stderr).toMatch(/defaults\.provenence/);
    expect(result.stderr).toMatch(/rules\[0\]\.signatuers/);
  });

  it('exits 2 with POLICY_PARSE on a file that is not JSON, and writes nothing', async () => {
    const result = await withPolicy('{ "defaults": { "signatures": "require", } ', ['verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vouch: POLICY_PARSE: /m);
    expect(result.stderr).toContain(join(project, 'vouch.policy.json'));
  });
});
