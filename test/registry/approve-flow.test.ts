// `vouch approve` end to end: install denied → approve → the same install succeeds, and the vouch.lock
// (or vouch.policy.json) change is exactly the accepted one: parsed before and after, only the approved
// package's identity / approvals / versions differ, every other package is untouched.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { keygen, maintainerEnv as newMaintainerEnv, vouchPublish } from '../support/maintainer.js';
import { writePackage, type PackageSpec } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, writeProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface LockJson {
  lockVersion: 1;
  packages: Record<
    string,
    {
      identity?: Record<string, string>;
      approvals?: { approvedBy: string; approvedAt: string; reason: string; versions?: string; from?: Record<string, string>; to?: Record<string, string> }[];
      versions: Record<string, { integrity: string; attested?: string }>;
    }
  >;
}

let registry: TestRegistry;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let root: string;
let base: string;
let maintainerEnv: NodeJS.ProcessEnv;
let keyB: string;

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await createPrivateSigstore({ seed: 'approve-flow' });
  trustedRoot = join(await registry.tempDir('trust'), 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  root = await registry.tempDir('packages');
  maintainerEnv = await newMaintainerEnv(registry);

  await registry.publish(await write({ name: 'bystander', version: '1.0.0' }));
  await publishWithProvenance(registry, await write({ name: 'repo-move', version: '1.0.0' }), sigstore, githubIdentity('jane/repo-move'));
  await publishWithProvenance(registry, await write({ name: 'repo-move', version: '1.1.0' }), sigstore, githubIdentity('acme/repo-move'));
  await publishWithProvenance(registry, await write({ name: 'prov-down', version: '1.0.0' }), sigstore, githubIdentity('acme/prov-down'));
  await registry.publish(await write({ name: 'prov-down', version: '1.1.0' }));
  const keyA = await keygen(registry, maintainerEnv, 'key-a');
  const second = await keygen(registry, maintainerEnv, 'key-b');
  keyB = second.keyid;
  await vouchPublish(registry, maintainerEnv, await write({ name: 'key-change', version: '1.0.0' }), keyA.privateKeyFile);
  await vouchPublish(registry, maintainerEnv, await write({ name: 'key-change', version: '1.1.0' }), second.privateKeyFile);

  base = await registry.tempDir('base');
  await writeProject(base, { dependencies: { bystander: '1.0.0', 'repo-move': '1.0.0', 'prov-down': '1.0.0', 'key-change': '1.0.0' } });
  const installed = await vouch(['install'], base);
  expect(installed.code, installed.stdout + installed.stderr).toBe(0);
}, 300_000);

afterAll(() => registry?.stop());

describe('vouch approve, then install again', () => {
  it("re-pins a repository move in vouch.lock: only that package's identity, approvals and new version change", async () => {
    const project = await copy('repo-move');
    const before = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    const deny = await vouch(['install', 'repo-move@1.1.0', '--format', 'json'], project);
    expect(deny.code).toBe(1);
    expect(denied(deny.json as ReportJson)).toEqual([['repo-move@1.1.0', ['IDENTITY_CHANGED']]]);

    // Without the version, approve judges the lockfile, which still holds 1.0.0: nothing to accept there.
    const snapshot = await snapshotProject(project);
    const unversioned = await vouch(['approve', 'repo-move', '--reason', 'moved'], project);
    expect(unversioned.code, unversioned.stderr).toBe(0);
    expect(unversioned.stdout).toContain('nothing to approve');
    expect(unversioned.stdout).toContain('vouch approve repo-move@<version>');
    expect(await snapshotProject(project)).toEqual(snapshot);

    // With it, approve judges the tree `vouch install repo-move@1.1.0` would install, and writes only vouch.lock.
    const approval = await vouch(['approve', 'repo-move@1.1.0', '--reason', 'moved from jane to the acme org', '--by', 'jane@example.test'], project);
    expect(approval.code, approval.stderr).toBe(0);
    expect(approval.stdout).toContain('vouch.lock'); // the printed lock diff
    expect((await snapshotProject(project)).filter((e) => e.path !== 'vouch.lock')).toEqual(snapshot.filter((e) => e.path !== 'vouch.lock'));
    const approved = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    const from = before.packages['repo-move']!.identity!;
    const to = {
      ...from,
      repository: 'https://github.com/acme/repo-move',
      repositoryId: githubIdentity('acme/repo-move').repositoryId,
      ownerId: githubIdentity('acme/repo-move').ownerId,
    };
    expect(approved).toEqual({
      ...before,
      packages: {
        ...before.packages,
        'repo-move': {
          identity: to,
          approvals: [
            { approvedBy: 'jane@example.test', approvedAt: expect.any(String), reason: 'moved from jane to the acme org', versions: '1.1.0', from, to },
          ],
          versions: before.packages['repo-move']!.versions,
        },
      },
    });
    expect(from.repository).toBe('https://github.com/jane/repo-move');

    const again = await vouch(['install', 'repo-move@1.1.0', '--format', 'json'], project);
    expect(again.code, again.stderr).toBe(0);
    const after = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    expect(after.packages['repo-move']!.versions['1.1.0']).toMatchObject({ attested: 'provenance' });
    expect(after).toEqual({
      ...approved,
      packages: {
        ...approved.packages,
        'repo-move': {
          ...approved.packages['repo-move']!,
          versions: { ...approved.packages['repo-move']!.versions, '1.1.0': after.packages['repo-move']!.versions['1.1.0'] },
        },
      },
    });
  });

  it('re-pins a publisher key change the same way', async () => {
    const project = await copy('key-change');
    const before = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    expect((await vouch(['install', 'key-change@1.1.0'], project)).code).toBe(1);
    const approval = await vouch(['approve', 'key-change@1.1.0', '--reason', 'key rotated after a laptop loss', '--by', 'sam@example.test'], project);
    expect(approval.code, approval.stderr).toBe(0);
    const again = await vouch(['install', 'key-change@1.1.0'], project);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    const changed = Object.keys(after.packages).filter((n) => JSON.stringify(after.packages[n]) !== JSON.stringify(before.packages[n]));
    expect(changed).toEqual(['key-change']);
    const pkg = after.packages['key-change']!;
    expect(pkg.identity).toEqual({ publisherKey: keyB });
    expect(pkg.approvals).toMatchObject([{ from: before.packages['key-change']!.identity, to: { publisherKey: keyB }, versions: '1.1.0' }]);
    expect(Object.keys(pkg.versions)).toEqual(['1.1.0', '1.0.0']);
    expect(pkg.versions['1.0.0']).toEqual(before.packages['key-change']!.versions['1.0.0']);
  });

  it('turns a provenance downgrade into a dated exception in vouch.policy.json; the lock only gains the version', async () => {
    const project = await copy('prov-down');
    const before = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    expect((await vouch(['install', 'prov-down@1.1.0'], project)).code).toBe(1);
    const approval = await vouch(
      ['approve', 'prov-down@1.1.0', '--reason', 'the 1.1.0 build ran outside CI', '--by', 'ops@example.test', '--expires', '2099-01-01'],
      project,
    );
    expect(approval.code, approval.stderr).toBe(0);
    expect(await readJson(join(project, 'vouch.lock'))).toEqual(before); // nothing for the lock to accept
    const policy = (await readJson(join(project, 'vouch.policy.json'))) as { exceptions: Record<string, unknown[]> };
    expect(policy.exceptions).toEqual({
      'prov-down': [
        { versions: '1.1.0', allow: ['PROVENANCE_DOWNGRADE'], reason: 'the 1.1.0 build ran outside CI', approvedBy: 'ops@example.test', expires: '2099-01-01' },
      ],
    });
    const again = await vouch(['install', 'prov-down@1.1.0'], project);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = (await readJson(join(project, 'vouch.lock'))) as LockJson;
    expect(Object.keys(after.packages['prov-down']!.versions)).toEqual(['1.1.0', '1.0.0']);
    expect(after.packages['prov-down']!.versions['1.1.0']!.attested).toBeUndefined();
    expect({ ...after, packages: { ...after.packages, 'prov-down': before.packages['prov-down'] } }).toEqual(before);
  });

  it('approves an identity change that arrived through the lockfile (a dependency update PR), then vouch install and vouch ci pass', async () => {
    const project = await copy('lockfile-update');
    // The update comes from plain npm, as a bot's pull request would: package.json and package-lock.json move to 1.1.0.
    const bump = await registry.npm(['install', 'repo-move@1.1.0', '--package-lock-only'], { cwd: project, stateDir: await registry.tempDir('npm-state') });
    expect(bump.code, bump.stderr).toBe(0);
    const ci = await vouch(['ci', '--update-lock', '--format', 'json'], project);
    expect(ci.code).toBe(1);
    expect(denied(ci.json as ReportJson)).toEqual([['repo-move@1.1.0', ['IDENTITY_CHANGED']]]);
    const snapshot = await snapshotProject(project);
    const approval = await vouch(['approve', 'repo-move', '--reason', 'moved to the acme org', '--by', 'jane@example.test'], project);
    expect(approval.code, approval.stderr).toBe(0);
    expect((await snapshotProject(project)).filter((e) => e.path !== 'vouch.lock')).toEqual(snapshot.filter((e) => e.path !== 'vouch.lock'));
    const install = await vouch(['install'], project);
    expect(install.code, install.stdout + install.stderr).toBe(0);
    const locked = await vouch(['ci', '--format', 'json'], project);
    expect(locked.code, locked.stdout + locked.stderr).toBe(0);
  });

  it('requires a reason, and changes nothing without one (exit 2)', async () => {
    const project = await copy('no-reason');
    const before = await snapshotProject(project);
    const result = await vouch(['approve', 'repo-move'], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('USAGE');
    expect(await snapshotProject(project)).toEqual(before);
  });
});

// ---- fixtures --------------------------------------------------------------------------------------

async function write(spec: PackageSpec): Promise<string> {
  return writePackage(root, spec);
}

async function copy(label: string): Promise<string> {
  return copyProject(base, join(await registry.tempDir(label), 'project'));
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  const env = await registry.npmEnv(await registry.tempDir('vouch-state'));
  return runVouch([...args, '--trusted-root', trustedRoot], { cwd, env });
}
