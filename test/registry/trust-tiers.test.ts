// Trust tiers end to end (docs/policy.md, "Trust tiers"): each tier transition through the real test
// registry, with the packument's `_npmUser.trustedPublisher` / `_npmUser.approver` written into Verdaccio's
// storage as npm's registry serves them, and pnpm's known false positives, which must pass. Fresh projects:
// no vouch.lock, so the earlier versions' tiers come from the packument (unsigned: it only tightens).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { keygen, maintainerEnv as newMaintainerEnv, vouchPublish } from '../support/maintainer.js';
import { writePackage, type PackageSpec } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, explain, type ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let root: string;

const TRUSTED = { trustedPublisher: { id: 'github', oidcConfigId: 'oidc:7d0c0f52-0000-4000-8000-000000000001' } };
const STAGED = { ...TRUSTED, approver: { name: 'jane', email: 'jane@example.test' } };

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await createPrivateSigstore({ seed: 'trust-tiers' });
  trustedRoot = join(await registry.tempDir('trust'), 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  root = await registry.tempDir('packages');
  const withProvenance = async (name: string, version: string) =>
    publishWithProvenance(registry, await write({ name, version }), sigstore, githubIdentity(`acme/${name}`));
  // A tag of its own: npm refuses to make a version below `latest` (or a prerelease) the new `latest`.
  const plain = async (name: string, version: string, tag?: string) =>
    registry.publish(await write({ name, version, ...(tag ? { manifest: { publishConfig: { tag } } } : {}) }));

  // A stolen token (nx, axios): provenance from CI, then a version published from elsewhere.
  await withProvenance('tok', '1.0.0');
  await plain('tok', '1.0.1');
  // A hijacked CI (TanStack, keyv): staged and approved, then straight from the workflow, valid provenance.
  await withProvenance('ci-hijack', '2.0.0');
  await withProvenance('ci-hijack', '2.0.1');
  // pnpm #10622: trusted publishing, then provenance from the same workflow with a token.
  await withProvenance('tp', '1.0.0');
  await withProvenance('tp', '1.0.1');
  // pnpm #10202: 1.x never had provenance; 2.0.0 has trusted publishing; 1.0.1 comes after it.
  await plain('lines', '1.0.0');
  await withProvenance('lines', '2.0.0');
  await plain('lines', '1.0.1', 'v1');
  // Prereleases: provenance on rc.1, none on rc.2.
  await withProvenance('pre', '3.0.0-rc.1');
  await plain('pre', '3.0.0-rc.2', 'next');
  // A maintainer's publisher signature, then a registry signature only.
  const env = await newMaintainerEnv(registry);
  const key = await keygen(registry, env, 'key');
  await vouchPublish(registry, env, await write({ name: 'signed-pub', version: '1.0.0' }), key.privateKeyFile);
  await plain('signed-pub', '1.1.0');

  await setNpmUser('ci-hijack', '2.0.0', STAGED);
  await setNpmUser('ci-hijack', '2.0.1', TRUSTED);
  await setNpmUser('tp', '1.0.0', TRUSTED);
  await setNpmUser('lines', '2.0.0', TRUSTED);
}, 300_000);

afterAll(() => registry?.stop());

describe('trust tiers through the registry', () => {
  it('denies provenance → nothing but a registry signature in the same line (stolen token), touching nothing', async () => {
    const { result, unchanged } = await install({ tok: '1.0.1' });
    expect(result.code, explain(result)).toBe(1);
    expect(denied(report(result))).toEqual([['tok@1.0.1', ['TIER_DOWNGRADE']]]);
    expect(finding(result, 'tok', 'TIER_DOWNGRADE')?.message).toContain('tok@1.0.0 had provenance (registry metadata (unsigned))');
    expect(unchanged).toBe(true);
  });

  it('denies staged approval → trusted publishing with valid provenance (hijacked CI)', async () => {
    const { result } = await install({ 'ci-hijack': '2.0.1' });
    expect(result.code, explain(result)).toBe(1);
    expect(denied(report(result))).toEqual([['ci-hijack@2.0.1', ['TIER_DOWNGRADE']]]);
    expect(finding(result, 'ci-hijack', 'TIER_DOWNGRADE')?.message).toContain('an approved staged publish');
  });

  it('denies a publisher signature → registry signature only (PROVENANCE_DOWNGRADE, reported once)', async () => {
    const { result } = await install({ 'signed-pub': '1.1.0', old: 'npm:signed-pub@1.0.0' });
    expect(result.code, explain(result)).toBe(1);
    expect(denied(report(result))).toEqual([['signed-pub@1.1.0', ['PROVENANCE_DOWNGRADE']]]);
  });

  it('allows trusted publishing → provenance from the same workflow (pnpm #10622), and shows both tiers', async () => {
    const { result } = await install({ tp: '1.0.1', 'tp-old': 'npm:tp@1.0.0' });
    expect(result.code, explain(result)).toBe(0);
    const tiers = Object.fromEntries(report(result).packages.map((p) => [`${p.name}@${p.version}`, p.evidence.tier]));
    expect(tiers).toEqual({ 'tp@1.0.0': { verified: 'provenance', claimed: 'trusted-publisher' }, 'tp@1.0.1': { verified: 'provenance', claimed: null } });
  });

  it('allows a patch of an older major line without provenance after a newer major had trusted publishing (pnpm #10202)', async () => {
    const { result } = await install({ lines: '1.0.1' });
    expect(result.code, explain(result)).toBe(0);
  });

  it('ignores prereleases unless includePrereleases', async () => {
    expect((await install({ pre: '3.0.0-rc.2' })).result.code).toBe(0);
    const { result } = await install({ pre: '3.0.0-rc.2' }, { defaults: { tier: { includePrereleases: true } } });
    expect(denied(report(result))).toEqual([['pre@3.0.0-rc.2', ['TIER_DOWNGRADE']]]);
  });

  it('judges only versions released since enforceSince', async () => {
    const later = await install({ tok: '1.0.1' }, { defaults: { tier: { enforceSince: '2999-01-01' } } });
    expect(later.result.code, explain(later.result)).toBe(0);
    expect(report(later.result).notices).toContainEqual(expect.stringContaining('defaults.tier.enforceSince is 2999-01-01T00:00:00.000Z, in the future'));
    const earlier = await install({ tok: '1.0.1' }, { defaults: { tier: { enforceSince: '2020-01-01' } } });
    expect(denied(report(earlier.result))).toEqual([['tok@1.0.1', ['TIER_DOWNGRADE']]]);
  });

  it('lets an exception waive exactly the range it names: 1.0.1 passes under one for 1.0.1, not under one for 1.0.2', async () => {
    const exception = (versions: string) => ({
      exceptions: {
        tok: [
          {
            versions,
            allow: ['TIER_DOWNGRADE'],
            reason: 'published by hand after a CI outage, checked',
            approvedBy: 'ops@example.test',
            expires: '2099-01-01',
          },
        ],
      },
    });
    const waived = await install({ tok: '1.0.1' }, exception('1.0.1'));
    expect(waived.result.code, explain(waived.result)).toBe(0);
    expect(report(waived.result).packages.find((p) => p.name === 'tok')?.waived).toEqual([
      expect.objectContaining({ code: 'TIER_DOWNGRADE', waivedBy: 'exceptions.tok[0]' }),
    ]);
    const other = await install({ tok: '1.0.1' }, exception('1.0.2'));
    expect(denied(report(other.result))).toEqual([['tok@1.0.1', ['TIER_DOWNGRADE']]]);
  });

  it('explains the tier of a package', async () => {
    const { project } = await install({ tp: '1.0.0' });
    const explained = await vouch(['explain', 'tp'], project);
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toContain("trust tier: provenance (provenance, verified); the registry's metadata (unsigned) says trusted publishing");
  });
});

async function write(spec: PackageSpec): Promise<string> {
  return writePackage(root, spec);
}

/** Writes `_npmUser` fields into Verdaccio's stored packument, as npm's registry serves them for OIDC / staged publishes. */
async function setNpmUser(name: string, version: string, fields: Record<string, unknown>): Promise<void> {
  const file = join(registry.storage, name, 'package.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as { versions: Record<string, Record<string, unknown>> };
  const manifest = doc.versions[version];
  if (!manifest) throw new Error(`${name}@${version} is not stored`);
  manifest._npmUser = { name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com', ...fields };
  await writeFile(file, JSON.stringify(doc, null, 2));
  const served = await registry.get(name);
  const user = (served.json as { versions: Record<string, { _npmUser?: Record<string, unknown> }> }).versions[version]?._npmUser;
  expect(user, `the registry serves the edited ${name}@${version}`).toMatchObject(fields);
}

/** `vouch install --format json` in a fresh project with these dependencies and policy. */
async function install(dependencies: Record<string, string>, policy?: object): Promise<{ project: string; result: VouchResult; unchanged: boolean }> {
  const project = await registry.tempDir('project');
  await writeProject(project, { dependencies });
  if (policy) await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify(policy, null, 2)}\n`);
  const before = await snapshotProject(project);
  const result = await vouch(['install', '--format', 'json'], project);
  const after = await snapshotProject(project);
  return { project, result, unchanged: JSON.stringify(before) === JSON.stringify(after) };
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  const env = await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' });
  return runVouch([...args, '--trusted-root', trustedRoot], { cwd, env });
}

const report = (result: VouchResult): ReportJson => result.json as ReportJson;
const finding = (result: VouchResult, name: string, code: string) =>
  report(result)
    .packages.find((p) => p.name === name)
    ?.findings.find((f) => f.code === code);
