// A pull request that weakens vouch.lock (issue 22, item 1), through the real registry and real npm.
// The victim pins `widget` to maintainer key A. The attacker publishes widget@1.1.0 signed with key B,
// installs it in a scratch project (first use pins B there), and sends a pull request that bumps the
// lockfile to 1.1.0 and copies the scratch project's version line into the victim's vouch.lock, or
// edits the pinned publisherKey. `vouch verify --locked` and `vouch ci` deny each (exit 1) with the
// line that gave it away, and install nothing. The round trip a real identity change takes, through
// `vouch approve`, shows the approval entry in the lock diff a reviewer reads.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeLock, type Lock } from '../../lib/lock/index.js';
import { identityDigest } from '../../lib/policy/index.js';
import { keygen, maintainerEnv as newMaintainerEnv, vouchPublish } from '../support/maintainer.js';
import { writePackage } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface LockJson {
  lockVersion: 1;
  packages: Record<string, { identity?: Record<string, string>; approvals?: unknown[]; versions: Record<string, Record<string, string>> }>;
}

let registry: TestRegistry;
let victim: string;
let scratch: string;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const maintainer = await newMaintainerEnv(registry);
  const a = await keygen(registry, maintainer, 'key-a');
  const b = await keygen(registry, maintainer, 'key-b'); // the attacker's key, registered with a stolen token
  [keyA, keyB] = [a.keyid, b.keyid];
  await vouchPublish(registry, maintainer, await writePackage(root, { name: 'widget', version: '1.0.0' }), a.privateKeyFile);
  await vouchPublish(
    registry,
    maintainer,
    await writePackage(root, { name: 'widget', version: '1.1.0', scripts: { postinstall: "node -e \"require('fs').writeFileSync('PWNED', '')\"" } }),
    b.privateKeyFile,
  );

  victim = await registry.tempDir('victim');
  await writeProject(victim, { dependencies: { widget: '1.0.0' } });
  expect((await vouch(['install'], victim)).code).toBe(0);
  scratch = await registry.tempDir('scratch');
  await writeProject(scratch, { dependencies: { widget: '1.1.0' } });
  expect((await vouch(['install'], scratch)).code).toBe(0);
}, 300_000);

afterAll(() => registry?.stop());

describe('a pull request that edits vouch.lock', () => {
  it('pins key A in the victim and key B in the scratch project (the setup is what it claims)', async () => {
    expect((await lock(victim)).packages.widget?.identity).toEqual({ publisherKey: keyA });
    expect((await lock(scratch)).packages.widget?.identity).toEqual({ publisherKey: keyB });
  });

  it("copying the scratch project's version line: LOCK_INCONSISTENT naming the line, exit 1, nothing installed", async () => {
    const pr = await pullRequest('copied-line', (l, copied) => {
      l.packages.widget!.versions['1.1.0'] = copied;
    });
    await deniedEverywhere(pr, /LOCK_INCONSISTENT[\s\S]*packages\.widget\.versions\["1\.1\.0"\]/);
  });

  it('copying the line with its identity pointer recomputed to name the pin: IDENTITY_CHANGED, exit 1', async () => {
    const pr = await pullRequest('recomputed', (l, copied) => {
      l.packages.widget!.versions['1.1.0'] = { ...copied, identity: identityDigest({ publisherKey: keyA }) };
    });
    await deniedEverywhere(pr, /IDENTITY_CHANGED/);
  });

  it('editing the pinned publisherKey to B along with the copied line: LOCK_INCONSISTENT on the line recorded under A', async () => {
    const pr = await pullRequest('edited-pin', (l, copied) => {
      l.packages.widget!.identity = { publisherKey: keyB };
      l.packages.widget!.versions['1.1.0'] = copied;
    });
    await deniedEverywhere(pr, /LOCK_INCONSISTENT[\s\S]*packages\.widget\.versions\["1\.0\.0"\]/);
  });

  it('the honest way: vouch approve, whose lock diff shows the approval entry; then vouch ci passes', async () => {
    const project = await copyProject(victim, join(await registry.tempDir('approved'), 'project'));
    const approval = await vouch(
      ['approve', 'widget@1.1.0', '--reason', 'maintainer rotated keys, announced in the repo', '--by', 'jane@example.test'],
      project,
    );
    expect(approval.code, approval.stderr).toBe(0);
    expect(approval.stdout).toMatch(/^\+\s+"approvals": \[/m);
    expect(approval.stdout).toMatch(/^\+\s+"from": \{ "publisherKey": "SHA256:/m);
    const install = await vouch(['install', 'widget@1.1.0'], project);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    const after = await lock(project);
    expect(after.packages.widget?.versions['1.0.0']?.identity).toBe(identityDigest({ publisherKey: keyA }));
    expect(after.packages.widget?.versions['1.1.0']?.identity).toBe(identityDigest({ publisherKey: keyB }));
    await rm(join(project, 'node_modules'), { recursive: true, force: true });
    const ci = await vouch(['ci'], project);
    expect(ci.code, ci.stdout + ci.stderr).toBe(0);
  });
});

// ---- fixtures --------------------------------------------------------------------------------------

/** The victim project after the attacker's pull request: the lockfile bump from scratch, vouch.lock as `edit` leaves it. */
async function pullRequest(label: string, edit: (victimLock: LockJson, copiedLine: Record<string, string>) => void): Promise<string> {
  const project = await copyProject(victim, join(await registry.tempDir(label), 'project'));
  for (const file of ['package.json', 'package-lock.json']) await writeFile(join(project, file), await readFile(join(scratch, file)));
  const l = await lock(project);
  const copied = (await lock(scratch)).packages.widget?.versions['1.1.0'];
  if (!copied) throw new Error('fixture: the scratch project recorded no widget@1.1.0');
  edit(l, copied);
  await writeFile(join(project, 'vouch.lock'), serialize(l));
  return project;
}

/** vouch verify --locked and vouch ci both deny, with `message`, and leave the project as it was. */
async function deniedEverywhere(project: string, message: RegExp): Promise<void> {
  const before = await snapshotProject(project);
  for (const args of [['verify', '--locked'], ['ci']]) {
    const result = await vouch(args, project);
    expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout + result.stderr).toMatch(message);
    expect(await snapshotProject(project)).toEqual(before);
  }
  const installed = JSON.parse(await readFile(join(project, 'node_modules', 'widget', 'package.json'), 'utf8')) as { version: string };
  expect(installed.version).toBe('1.0.0'); // still the victim's install: ci removed nothing, wrote nothing
  await expect(readFile(join(project, 'PWNED'))).rejects.toThrow();
}

async function lock(dir: string): Promise<LockJson> {
  return (await readJson(join(dir, 'vouch.lock'))) as LockJson;
}

/** The attacker writes vouch.lock with vouch's own serializer, so that --locked's byte check is not what stops them. */
function serialize(l: LockJson): string {
  return serializeLock(l as unknown as Lock);
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
}
