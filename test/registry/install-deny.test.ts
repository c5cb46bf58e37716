// Verify before reify (security invariant 1), end to end: real Verdaccio + the signing plugin, real
// npm lockfiles, the built CLI. Each case starts from the same installed project (node_modules,
// package.json, package-lock.json and vouch.lock written by a successful `vouch install`), asks vouch to
// install something bad, and checks exit 1, the finding codes (JSON report), a text message naming
// package, rule and fix, every project byte unchanged, and no postinstall marker written — not the bad
// package's, not an allowed package's.
import { readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { packTarball } from '../support/npm.js';
import { keygen, maintainerEnv as newMaintainerEnv, vouchPublish } from '../support/maintainer.js';
import { markerScript, writePackage, type PackageSpec } from '../support/packages.js';
import { copyProject, readJson, snapshotProject, writeProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { recordsFile, storedTarball } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, explain, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let markers: string;
let fakeGitLog: string;
let fakeGitBin: string;
let root: string;
/** The installed project every case copies. */
let base: string;
let maintainerEnv: NodeJS.ProcessEnv;

const BASE_DEPENDENCIES = { 'base-ok': '1.0.0', 'prov-down': '1.0.0', 'repo-move': '1.0.0', 'key-change': '1.0.0' };

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await createPrivateSigstore({ seed: 'install-deny' });
  trustedRoot = join(await registry.tempDir('trust'), 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  markers = await registry.tempDir('markers');
  root = await registry.tempDir('packages');
  maintainerEnv = await newMaintainerEnv(registry);
  // A `git` that only logs: proof that vouch denied a git dependency before arborist tried to reach it.
  fakeGitBin = await registry.tempDir('fake-git');
  fakeGitLog = join(fakeGitBin, 'git.log');
  await writeFile(join(fakeGitBin, 'git'), `#!/bin/sh\necho "$@" >> '${fakeGitLog}'\nexit 128\n`);
  await chmod(join(fakeGitBin, 'git'), 0o755);

  await publish({ name: 'base-ok', version: '1.0.0' });
  // provenance 1.0.0, none 1.1.0
  await publishWithProvenance(registry, await write({ name: 'prov-down', version: '1.0.0' }), sigstore, githubIdentity('acme/prov-down'));
  await publish({ name: 'prov-down', version: '1.1.0' });
  // provenance from acme/repo-move, then from evil/repo-move
  await publishWithProvenance(registry, await write({ name: 'repo-move', version: '1.0.0' }), sigstore, githubIdentity('acme/repo-move'));
  await publishWithProvenance(registry, await write({ name: 'repo-move', version: '1.1.0' }), sigstore, githubIdentity('evil/repo-move'));
  // publisher attestations by key A, then by key B (vouch keygen + vouch publish)
  const keyA = await keygen(registry, maintainerEnv, 'key-a');
  const keyB = await keygen(registry, maintainerEnv, 'key-b');
  await vouchPublish(registry, maintainerEnv, await write({ name: 'key-change', version: '1.0.0' }), keyA.privateKeyFile);
  await vouchPublish(registry, maintainerEnv, await write({ name: 'key-change', version: '1.1.0' }), keyB.privateKeyFile);
  // bytes in storage replaced after publish: the registry still serves (and signs) the integrity it recorded
  await publish({ name: 'tamper-me', version: '1.0.0' });
  await tamperTarball('tamper-me', '1.0.0');
  // served unsigned: the plugin cannot read its signing records for the package
  await publish({ name: 'unsigned-me', version: '1.0.0' });
  await writeFile(recordsFile(registry.storage, 'unsigned-me'), '{ damaged');
  // a real registry signature, replayed from another version
  await publish({ name: 'forged-me', version: '1.0.0' });
  await publish({ name: 'forged-me', version: '1.0.1' });
  const records = JSON.parse(await readFile(recordsFile(registry.storage, 'forged-me'), 'utf8')) as { versions: Record<string, { sig: string }> };
  records.versions['1.0.0']!.sig = records.versions['1.0.1']!.sig;
  await writeFile(recordsFile(registry.storage, 'forged-me'), JSON.stringify(records));
  // Release age: vouch's default minReleaseAge is 1 day. young-pkg was published an hour ago, aged-pkg
  // and fresh-pkg two days ago (old enough for the default, not for a rule asking 3 days); young-prov's
  // packument says two days but its provenance was logged an hour ago, and the signed log time decides.
  await publish({ name: 'young-pkg', version: '1.0.0' });
  await registry.setPublishTimes('young-pkg', { '1.0.0': hoursAgo(1) });
  await publish({ name: 'aged-pkg', version: '1.0.0' });
  await registry.setPublishTimes('aged-pkg', { '1.0.0': hoursAgo(48) });
  await publish({ name: 'fresh-pkg', version: '1.0.0' });
  await registry.setPublishTimes('fresh-pkg', { '1.0.0': hoursAgo(48) });
  await publishWithProvenance(registry, await write({ name: 'young-prov', version: '1.0.0' }), sigstore, githubIdentity('acme/young-prov'), { fresh: true });
  await registry.setPublishTimes('young-prov', { '1.0.0': hoursAgo(48) });
  // an allowed parent with a postinstall whose dependency was tampered with
  await publish({ name: 'tamper-child', version: '1.0.0' });
  await tamperTarball('tamper-child', '1.0.0');
  await publish({ name: 'parent-ok', version: '1.0.0', dependencies: { 'tamper-child': '^1.0.0' } });

  base = await registry.tempDir('base');
  await writeProject(base, { dependencies: BASE_DEPENDENCIES });
  const installed = await vouch(['install', '--format', 'json'], base);
  expect(denied(installed.json as ReportJson), installed.stderr).toEqual([]);
  expect(installed.code, installed.stderr).toBe(0);
  // The markers of the base install (base-ok, prov-down, …) ran; clear them so any marker below is new.
  expect((await readdir(markers)).sort()).toEqual(['base-ok', 'key-change', 'prov-down', 'repo-move']);
  await clearMarkers();
}, 300_000);

afterAll(() => registry?.stop());

describe('the installed base project', () => {
  it('pinned what later versions are held to: provenance identity, publisher key, provenance baseline', async () => {
    const lock = (await readJson(join(base, 'vouch.lock'))) as {
      packages: Record<string, { identity?: Record<string, string>; versions: Record<string, { attested?: string }> }>;
    };
    expect(lock.packages['repo-move']?.identity).toMatchObject({ repository: 'https://github.com/acme/repo-move' });
    expect(lock.packages['key-change']?.identity?.['publisherKey']).toMatch(/^SHA256:/);
    expect(lock.packages['prov-down']?.versions['1.0.0']?.attested).toBe('provenance');
  });
});

interface DenyCase {
  name: string;
  /** vouch install arguments after `install`. */
  args: string[];
  /** Changes to the copied project before the snapshot (a policy, a package.json edit). */
  prepare?: (project: string) => Promise<void>;
  /** Expected `denied(report)`: every denied package with its deny codes. */
  denied: [string, string[]][];
  /** `code rule` of every finding of the denied packages, sorted ('-': verification failures name no policy rule). */
  rules: string[];
  /** The package the text message must name. */
  pkg: string;
}

const CASES: DenyCase[] = [
  {
    name: 'a tarball replaced in registry storage',
    args: ['tamper-me'],
    denied: [['tamper-me@1.0.0', ['TARBALL_MISMATCH']]],
    rules: ['TARBALL_MISMATCH invariant:integrity'],
    pkg: 'tamper-me@1.0.0',
  },
  {
    name: 'a version served without a registry signature',
    args: ['unsigned-me'],
    denied: [['unsigned-me@1.0.0', ['SIGNATURE_MISSING']]],
    rules: ['SIGNATURE_MISSING default.signatures'],
    pkg: 'unsigned-me@1.0.0',
  },
  {
    name: 'a registry signature that does not verify',
    args: ['forged-me@1.0.0'],
    denied: [['forged-me@1.0.0', ['SIGNATURE_INVALID']]],
    rules: ['SIGNATURE_INVALID invariant:signature'],
    pkg: 'forged-me@1.0.0',
  },
  {
    name: 'a provenance downgrade (1.0.0 had provenance, 1.1.0 has none)',
    args: ['prov-down@1.1.0'],
    denied: [['prov-down@1.1.0', ['PROVENANCE_DOWNGRADE']]],
    rules: ['PROVENANCE_DOWNGRADE default.provenance', 'QUICK_RELEASE default.changeAlerts.quickRelease'],
    pkg: 'prov-down@1.1.0',
  },
  {
    name: 'provenance from another repository than vouch.lock pins',
    args: ['repo-move@1.1.0'],
    denied: [['repo-move@1.1.0', ['IDENTITY_CHANGED']]],
    rules: ['IDENTITY_CHANGED vouch.lock:packages["repo-move"].identity', 'QUICK_RELEASE default.changeAlerts.quickRelease'],
    pkg: 'repo-move@1.1.0',
  },
  {
    name: 'a publisher attestation by another key than vouch.lock pins',
    args: ['key-change@1.1.0'],
    denied: [['key-change@1.1.0', ['IDENTITY_CHANGED']]],
    rules: ['IDENTITY_CHANGED vouch.lock:packages["key-change"].identity', 'QUICK_RELEASE default.changeAlerts.quickRelease'],
    pkg: 'key-change@1.1.0',
  },
  {
    name: 'an exception that expired',
    args: ['prov-down@1.1.0'],
    prepare: (project) => writePolicy(project, exceptionPolicy('2020-01-01')),
    denied: [['prov-down@1.1.0', ['EXCEPTION_EXPIRED', 'PROVENANCE_DOWNGRADE']]],
    rules: ['EXCEPTION_EXPIRED exceptions["prov-down"][0]', 'PROVENANCE_DOWNGRADE defaults.provenance'],
    pkg: 'prov-down@1.1.0',
  },
  {
    name: "a release younger than a rule's minReleaseAge (2 days old, the rule asks 3)",
    args: ['fresh-pkg'],
    prepare: (project) => writePolicy(project, { rules: [{ packages: 'fresh-*', minReleaseAge: 3 }] }),
    denied: [['fresh-pkg@1.0.0', ['RELEASE_TOO_NEW']]],
    rules: ['RELEASE_TOO_NEW rules[0].minReleaseAge'],
    pkg: 'fresh-pkg@1.0.0',
  },
  {
    name: 'a release an hour old under the built-in policy (minReleaseAge 1 day by default)',
    args: ['young-pkg'],
    denied: [['young-pkg@1.0.0', ['RELEASE_TOO_NEW']]],
    rules: ['RELEASE_TOO_NEW default.minReleaseAge'],
    pkg: 'young-pkg@1.0.0',
  },
  {
    name: 'a release an hour old under a policy file that leaves minReleaseAge out',
    args: ['young-pkg'],
    prepare: (project) => writePolicy(project, { defaults: { signatures: 'require', provenance: 'no-downgrade' } }),
    denied: [['young-pkg@1.0.0', ['RELEASE_TOO_NEW']]],
    rules: ['RELEASE_TOO_NEW defaults.minReleaseAge'],
    pkg: 'young-pkg@1.0.0',
  },
  {
    name: 'provenance logged an hour ago behind a packument that claims two days (the signed log time decides)',
    args: ['young-prov'],
    denied: [['young-prov@1.0.0', ['RELEASE_TOO_NEW']]],
    rules: ['RELEASE_TOO_NEW default.minReleaseAge'],
    pkg: 'young-prov@1.0.0',
  },
  {
    name: 'a git dependency given as an argument',
    args: ['github:acme/gitdep'],
    denied: [['github:acme/gitdep@github:acme/gitdep', ['SOURCE_NOT_ALLOWED']]],
    rules: ['SOURCE_NOT_ALLOWED default.sources.git'],
    pkg: 'github:acme/gitdep',
  },
  {
    name: 'a git dependency in package.json and the lockfile',
    args: [],
    prepare: addLockedGitDependency,
    denied: [['gitdep@github:acme/gitdep', ['SOURCE_NOT_ALLOWED']]],
    rules: ['SOURCE_NOT_ALLOWED default.sources.git'],
    pkg: 'gitdep',
  },
  {
    name: 'a tampered transitive dependency of an allowed package with a postinstall',
    args: ['parent-ok'],
    denied: [['tamper-child@1.0.0', ['TARBALL_MISMATCH']]],
    rules: ['TARBALL_MISMATCH invariant:integrity'],
    pkg: 'tamper-child@1.0.0',
  },
];

describe('vouch install denies, and writes nothing and runs nothing', () => {
  for (const c of CASES) {
    it(`on ${c.name}: exit 1 with the finding, project byte-for-byte unchanged, no script run`, async () => {
      const project = await copyProject(base, join(await registry.tempDir('case'), 'project'));
      await c.prepare?.(project);
      await writeFile(fakeGitLog, '');
      const before = await snapshotProject(project);
      const listing = (await readdir(project)).sort();

      const json = await vouch(['install', ...c.args, '--format', 'json'], project);
      expect(json.code, json.stderr).toBe(1);
      const report = json.json as ReportJson;
      expect(denied(report)).toEqual(c.denied);
      const findings = [...report.packages, ...report.sources].filter((v) => v.decision === 'deny').flatMap((v) => v.findings);
      expect(findings.map((f) => `${f.code} ${f.rule ?? '-'}`).sort()).toEqual(c.rules);
      expect(await snapshotProject(project)).toEqual(before);

      // The text names the package, each finding, the rule that fired (a policy path, or the invariant
      // for verification failures such as TARBALL_MISMATCH, which always deny) and the fix.
      const text = await vouch(['install', ...c.args], project);
      expect(text.code, text.stderr).toBe(1);
      expect(text.stdout).toContain(c.pkg);
      for (const f of findings) {
        expect(text.stdout).toContain(`${f.code}: `);
        expect(f.rule).toBeDefined();
        expect(text.stdout).toContain(`rule: ${f.rule}`);
      }
      expect(text.stdout).toMatch(/fix: \S+/);

      expect(await snapshotProject(project)).toEqual(before);
      expect((await readdir(project)).sort()).toEqual(listing); // no stray file beside them either
      expect(await readdir(markers)).toEqual([]);
      expect(await readFile(fakeGitLog, 'utf8')).toBe('');
    });
  }

  it('names the transitive package, and lets its allowed parent through the policy (it is not the reason)', async () => {
    const project = await copyProject(base, join(await registry.tempDir('transitive'), 'project'));
    const result = await vouch(['install', 'parent-ok', '--format', 'json'], project);
    const report = result.json as ReportJson;
    const parent = report.packages.find((p) => p.name === 'parent-ok')!;
    expect(parent).toMatchObject({ decision: 'allow', hasInstallScript: true, status: 'verified' });
    expect(report.packages.find((p) => p.name === 'tamper-child')).toMatchObject({ decision: 'deny', status: 'invalid' });
  });

  it('installs the same request once the exception is in date (the expired-exception deny is the exception, nothing else)', async () => {
    const project = await copyProject(base, join(await registry.tempDir('exception-ok'), 'project'));
    await writePolicy(project, exceptionPolicy('2099-01-01'));
    const result = await vouch(['install', 'prov-down@1.1.0', '--format', 'json'], project);
    expect(result.code, result.stderr).toBe(0);
    const verdict = (result.json as ReportJson).packages.find((p) => p.name === 'prov-down')!;
    expect(verdict).toMatchObject({ decision: 'allow', findings: [] });
    expect(await readFile(join(markers, 'prov-down'), 'utf8')).toBe('prov-down@1.1.0');
    await clearMarkers();
  });

  it('installs a release two days old under the built-in policy and under a file that leaves minReleaseAge out', async () => {
    for (const policy of [undefined, { defaults: { signatures: 'require' } }]) {
      const project = await copyProject(base, join(await registry.tempDir('aged'), 'project'));
      if (policy) await writePolicy(project, policy);
      const result = await vouch(['install', 'aged-pkg', '--format', 'json'], project);
      expect(result.code, explain(result)).toBe(0);
      expect((result.json as ReportJson).packages.find((p) => p.name === 'aged-pkg')).toMatchObject({ decision: 'allow', findings: [] });
      expect(await readFile(join(markers, 'aged-pkg'), 'utf8')).toBe('aged-pkg@1.0.0');
      await clearMarkers();
    }
  });

  it('installs a release an hour old when the policy file sets "minReleaseAge": 0', async () => {
    const project = await copyProject(base, join(await registry.tempDir('age-off'), 'project'));
    await writePolicy(project, { defaults: { minReleaseAge: 0 } });
    const result = await vouch(['install', 'young-pkg', 'young-prov', '--format', 'json'], project);
    expect(result.code, explain(result)).toBe(0);
    expect(denied(result.json as ReportJson)).toEqual([]);
    expect(await readFile(join(markers, 'young-pkg'), 'utf8')).toBe('young-pkg@1.0.0');
    await clearMarkers();
  });

  it('fails closed (exit 3, nothing written) when a git dependency the policy allows cannot be fetched', async () => {
    const project = await copyProject(base, join(await registry.tempDir('git-allowed'), 'project'));
    await addLockedGitDependency(project);
    await writePolicy(project, { sources: { git: ['gitdep'] } });
    const before = await snapshotProject(project);
    const result = await vouch(['install'], project);
    expect(result.code, result.stderr).toBe(3); // allowed by name, then unreachable here: no network, a git that fails
    expect(result.stderr).toContain('REGISTRY_UNREACHABLE');
    expect(await snapshotProject(project)).toEqual(before);
    expect(await readdir(markers)).toEqual([]);
  });
});

// ---- fixtures --------------------------------------------------------------------------------------

async function write(spec: PackageSpec): Promise<string> {
  return writePackage(root, { ...spec, scripts: { postinstall: markerScript(join(markers, spec.name)), ...spec.scripts } });
}

function hoursAgo(hours: number): Date {
  return new Date(Date.now() - hours * 3_600_000);
}

async function publish(spec: PackageSpec): Promise<void> {
  await registry.publish(await write(spec));
}

/** Replaces the stored tarball with other bytes of the same name and version (an extra file). */
async function tamperTarball(name: string, version: string): Promise<void> {
  const evil = await writePackage(await registry.tempDir('evil'), {
    name,
    version,
    scripts: { postinstall: markerScript(join(markers, name)) },
    files: { 'evil.js': 'steal()\n' },
  });
  await writeFile(storedTarball(registry.storage, name, version), await packTarball(evil));
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  const env = await registry.npmEnv(await registry.tempDir('vouch-state')); // a fresh npm cache every run
  env['PATH'] = `${fakeGitBin}:${env['PATH'] ?? ''}`;
  return runVouch([...args, '--trusted-root', trustedRoot], { cwd, env });
}

async function writePolicy(project: string, policy: Record<string, unknown>): Promise<void> {
  await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify(policy, null, 2)}\n`);
}

function exceptionPolicy(expires: string): Record<string, unknown> {
  return {
    // Test packages are published seconds apart: every update would also warn QUICK_RELEASE.
    defaults: { changeAlerts: { quickRelease: 'off' } },
    exceptions: {
      'prov-down': [{ versions: '1.1.0', allow: ['PROVENANCE_DOWNGRADE'], reason: 'the 1.1.0 build ran outside CI', approvedBy: 'jane@example.test', expires }],
    },
  };
}

/** package.json and package-lock.json gain a GitHub dependency, as `npm install github:acme/gitdep` would lock it. */
async function addLockedGitDependency(project: string): Promise<void> {
  const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  manifest.dependencies['gitdep'] = 'github:acme/gitdep';
  await writeFile(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  (lock.packages['']!['dependencies'] as Record<string, string>)['gitdep'] = 'github:acme/gitdep';
  lock.packages['node_modules/gitdep'] = {
    version: '1.0.0',
    resolved: 'git+ssh://git@github.com/acme/gitdep.git#0123456789abcdef0123456789abcdef01234567',
    license: 'MIT',
  };
  await writeFile(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

async function clearMarkers(): Promise<void> {
  for (const name of await readdir(markers)) await rm(join(markers, name));
}
