// `vouch verify` over a 50-package tree published to the signing registry (plugin-signed, ten with
// private-root provenance, scoped names, nested majors): a clean tree passes, and each kind of
// tampering with what the registry stores fails exactly the package it touched, with its code.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { writePackage } from '../support/packages.js';
import { copyProject, snapshotProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { reportValidator, sarifValidator } from '../support/schemas.js';
import { buildTree, treeId, type BuiltTree, type TreePackage } from '../support/tree.js';
import { runVouch, type VouchResult } from '../support/vouch.js';
import { recordsFile, storedAttestations, storedTarball } from '../support/registry-storage.js';
import { denied, explain, type ReportJson } from '../support/report.js';

let registry: TestRegistry;
let tree: BuiltTree;
let trustedRoot: string;
let trustDir: string | undefined;
/** The run over the untouched tree (its report also tells which locations each package has). */
let cleanRun: VouchResult;
let clean: ReportJson;

beforeAll(async () => {
  registry = await startRegistry();
  const sigstore = await createPrivateSigstore({ seed: 'verify-tree' });
  // Outside the registry's folders, which registry.stop() removes (the last tests run without it).
  trustDir = await mkdtemp(join(tmpdir(), 'vouch-verify-trust-'));
  trustedRoot = join(trustDir, 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  tree = await buildTree(registry, { packages: 50, provenance: 10, prefix: 'vt' }, { sigstore });
  cleanRun = await verify();
  clean = cleanRun.json as ReportJson;
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  if (trustDir) await rm(trustDir, { recursive: true, force: true });
});

/** `vouch verify` in `project` with npm's config from a fresh (or given) npm state folder. */
async function verify(project = tree.project, args: string[] = [], stateDir?: string, format = 'json'): Promise<VouchResult> {
  const env = await registry.npmEnv(stateDir ?? (await registry.tempDir('vouch-state')));
  return runVouch(['verify', '--format', format, '--trusted-root', trustedRoot, ...args], { cwd: project, env });
}

const plain = (): TreePackage[] => tree.plan.packages.filter((p) => !p.provenance);
const withProvenance = (): TreePackage[] => tree.plan.packages.filter((p) => p.provenance);
/** A package whose name has only this one version (its records file holds nothing else). */
const singleVersion = (p: TreePackage): boolean => tree.plan.packages.filter((q) => q.name === p.name).length === 1;

/** Runs `body` with `file` changed by `change`, restoring its bytes afterwards. */
async function withFileChanged<T>(file: string, change: (bytes: Buffer) => Buffer | string, body: () => Promise<T>): Promise<T> {
  const original = await readFile(file);
  await writeFile(file, change(original));
  try {
    return await body();
  } finally {
    await writeFile(file, original);
  }
}

describe('vouch verify on a clean 50-package tree', () => {
  it('exits 0 and reports all 50 packages verified, with provenance identities for the ten provenance packages', async () => {
    const result = cleanRun;
    const report = clean;
    expect(denied(report), explain(result)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.decision).toBe('allow');
    expect(report.packages.map((p) => treeId(p.name, p.version))).toEqual(tree.plan.packages.map((p) => treeId(p.name, p.version)));
    expect(report.packages.every((p) => p.status === 'verified' && p.decision === 'allow')).toBe(true);
    expect(report.summary.byStatus.verified).toBe(50);
    expect(report.summary.evidence.registrySignatures).toBe(50);
    expect(report.registries).toEqual([{ url: registry.url, keys: 'served', keyids: [registry.keyid], decision: 'allow', findings: [] }]);
    for (const p of report.packages) expect(p.evidence.signature).toEqual({ kind: 'verified', keyids: [registry.keyid] });

    const identities = report.packages.flatMap((p) => {
      const a = p.evidence.attestations;
      return a?.kind === 'verified' && a.provenance ? [[treeId(p.name, p.version), a.provenance.identity.repository, a.provenance.trustRoot]] : [];
    });
    expect(identities.map(([id, repo]) => [id, repo])).toEqual(
      withProvenance().map((p) => [treeId(p.name, p.version), `https://github.com/${p.provenance!.repository}`]),
    );
    expect(identities.every(([, , root]) => root !== 'public-good')).toBe(true);
    expect(report.summary.evidence.provenance).toBe(10);
    expect(report.invalid).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(reportValidator()(report)).toBe(true);
  });

  it('covers scoped names and majors nested below their dependents, some at several locations', async () => {
    const lock = JSON.parse(await readFile(join(tree.project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const locations = Object.keys(lock.packages).filter((l) => l !== '');
    expect(locations.some((l) => l.includes('/node_modules/'))).toBe(true);
    expect(locations.some((l) => l.startsWith('node_modules/@vt-scope'))).toBe(true);
    expect(clean.packages.flatMap((p) => p.locations).sort()).toEqual(locations.sort());
    expect(clean.packages.some((p) => p.locations.length > 1)).toBe(true);
    expect(tree.plan.packages.filter((p) => p.name.startsWith('@')).length).toBeGreaterThan(0);
  });
});

type Records = { versions: Record<string, { integrity: string; keyid: string; sig: string; source: string }> };
const editRecords =
  (edit: (r: Records) => void) =>
  (bytes: Buffer): string => {
    const records = JSON.parse(bytes.toString('utf8')) as Records;
    edit(records);
    return JSON.stringify(records);
  };
const sha512 = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const id = (p: TreePackage): string => treeId(p.name, p.version);
const locationsOf = (p: TreePackage): string[] => clean.packages.find((q) => q.name === p.name && q.version === p.version)!.locations;

/** A copy of the consumer project whose lockfile records `integrity` for every location of `p`. */
async function projectLocking(p: TreePackage, integrity: string): Promise<string> {
  const copy = await copyProject(tree.project, join(await registry.tempDir('project'), 'app'));
  const file = join(copy, 'package-lock.json');
  const lock = JSON.parse(await readFile(file, 'utf8')) as { packages: Record<string, { integrity?: string }> };
  for (const location of locationsOf(p)) lock.packages[location]!.integrity = integrity;
  await writeFile(file, `${JSON.stringify(lock, null, 2)}\n`);
  return copy;
}

describe('vouch verify when the registry storage is tampered with', () => {
  it('fails exactly the package whose served signature was altered: SIGNATURE_INVALID, npm code EINTEGRITYSIGNATURE', async () => {
    const [victim, donor] = plain();
    const result = await withFileChanged(
      recordsFile(registry.storage, victim!.name),
      editRecords((r) => {
        // A real signature by the registry key, over another package's message.
        r.versions[victim!.version]!.sig = JSON.parse(readFileSyncUtf8(recordsFile(registry.storage, donor!.name))).versions[donor!.version].sig;
      }),
      () => verify(),
    );
    expect(result.code, result.stderr).toBe(1);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([[id(victim!), ['SIGNATURE_INVALID']]]);
    expect(report.invalid.map((e) => [e.name, e.version, e.code, e.vouchCode])).toEqual(
      locationsOf(victim!).map(() => [victim!.name, victim!.version, 'EINTEGRITYSIGNATURE', 'SIGNATURE_INVALID']),
    );
    expect(report.missing).toEqual([]);
  });

  it("fails exactly the package served without a signature: SIGNATURE_MISSING, listed in npm's missing", async () => {
    const victim = plain().filter(singleVersion)[2]!;
    // A record without its signature is damaged; the plugin then serves the package unsigned.
    const result = await withFileChanged(
      recordsFile(registry.storage, victim.name),
      editRecords((r) => void delete (r.versions[victim.version] as Partial<Records['versions'][string]>).sig),
      () => verify(),
    );
    expect(result.code, result.stderr).toBe(1);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([[id(victim), ['SIGNATURE_MISSING']]]);
    expect(report.packages.find((p) => p.name === victim.name)!.status).toBe('missing');
    expect(report.missing.map((e) => [e.name, e.version])).toEqual([[victim.name, victim.version]]);
    expect(report.invalid).toEqual([]);
  });

  it('fails exactly the package whose advertised attestations are gone (404): ATTESTATION_MISSING', async () => {
    const victim = withProvenance()[3]!;
    const file = storedAttestations(registry.storage, victim.name, victim.version);
    const stored = await readFile(file);
    await rm(file);
    try {
      expect((await registry.get(`-/npm/v1/attestations/${encodeURIComponent(victim.name)}@${victim.version}`)).status).toBe(404);
      const result = await verify();
      expect(result.code, result.stderr).toBe(1);
      const report = result.json as ReportJson;
      expect(denied(report), explain(result)).toEqual([[id(victim), ['ATTESTATION_MISSING']]]);
      expect(report.invalid.map((e) => [e.name, e.code, e.vouchCode])).toEqual([[victim.name, 'EATTESTATIONVERIFY', 'ATTESTATION_MISSING']]);
    } finally {
      await writeFile(file, stored);
    }
  });

  describe('a tarball swapped in storage (the registry still serves and signs the publish-time integrity)', () => {
    const swap = async <T>(body: (victim: TreePackage, swapped: Buffer) => Promise<T>): Promise<T> => {
      const [victim, donor] = plain().filter(singleVersion).slice(4);
      const bytes = await readFile(storedTarball(registry.storage, donor!.name, donor!.version));
      return withFileChanged(
        storedTarball(registry.storage, victim!.name, victim!.version),
        () => bytes,
        () => body(victim!, bytes),
      );
    };

    it('passes verify, which compares integrities and signatures but downloads no tarball; verify --tarballs and vouch ci catch it (TARBALL_MISMATCH)', async () => {
      await swap(async (victim) => {
        const result = await verify();
        expect(result.code, result.stderr).toBe(0);
        expect(denied(result.json as ReportJson), explain(result)).toEqual([]);

        const before = await snapshotProject(tree.project);
        const bytes = await verify(tree.project, ['--tarballs']);
        expect(bytes.code, bytes.stderr).toBe(1);
        expect(denied(bytes.json as ReportJson), explain(bytes)).toEqual([[id(victim), ['TARBALL_MISMATCH']]]);
        expect(await snapshotProject(tree.project)).toEqual(before);

        const copy = await copyProject(tree.project, join(await registry.tempDir('project'), 'app'));
        const ci = await runVouch(['ci', '--update-lock', '--format', 'json', '--trusted-root', trustedRoot], {
          cwd: copy,
          env: await registry.npmEnv(await registry.tempDir('vouch-state')),
        });
        expect(ci.code, ci.stderr).toBe(1);
        expect(denied(ci.json as ReportJson), explain(ci)).toEqual([[id(victim), ['TARBALL_MISMATCH']]]);
        expect(existsSync(join(copy, 'node_modules'))).toBe(false);
      });
    });

    it("fails INTEGRITY_MISMATCH when the lockfile was edited to the swapped tarball's integrity", async () => {
      await swap(async (victim, swapped) => {
        const result = await verify(await projectLocking(victim, sha512(swapped)));
        expect(result.code, result.stderr).toBe(1);
        const report = result.json as ReportJson;
        expect(denied(report), explain(result)).toEqual([[id(victim), ['INTEGRITY_MISMATCH']]]);
        expect(report.invalid.map((e) => [e.name, e.code])).toEqual(locationsOf(victim).map(() => [victim.name, 'EINTEGRITY']));
      });
    });

    it('fails SIGNATURE_INVALID when the registry also serves the swapped integrity, which it never signed', async () => {
      await swap(async (victim, swapped) => {
        const served = editRecords((r) => void (r.versions[victim.version]!.integrity = sha512(swapped)));
        await withFileChanged(recordsFile(registry.storage, victim.name), served, async () => {
          // A lockfile resolved after the swap records what the registry now serves: only the signature catches it.
          const fresh = await verify(await projectLocking(victim, sha512(swapped)));
          expect(fresh.code, fresh.stderr).toBe(1);
          expect(denied(fresh.json as ReportJson), explain(fresh)).toEqual([[id(victim), ['SIGNATURE_INVALID']]]);
          // The committed lockfile also disagrees with the served integrity.
          const old = await verify();
          expect(old.code, old.stderr).toBe(1);
          expect(denied(old.json as ReportJson), explain(old)).toEqual([[id(victim), ['INTEGRITY_MISMATCH', 'SIGNATURE_INVALID']]]);
        });
      });
    });
  });
});

describe('machine-readable output of a failing run', () => {
  it('--format sarif validates against SARIF 2.1.0 and points at each package-lock.json location of the failing package', async () => {
    // A package nested at more than one location, so the result carries several locations.
    const victim = plain().find((p) => locationsOf(p).length > 1)!;
    expect(victim).toBeDefined();
    const result = await withFileChanged(
      recordsFile(registry.storage, victim.name),
      editRecords((r) => void (r.versions[victim.version]!.sig = Buffer.alloc(70, 1).toString('base64'))),
      () => verify(tree.project, [], undefined, 'sarif'),
    );
    expect(result.code, result.stderr).toBe(1);
    const log = result.json as SarifLog;
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);

    const results = log.runs[0]!.results;
    expect(results.map((r) => [r.ruleId, r.level, r.properties.package, r.properties.version])).toEqual([
      ['SIGNATURE_INVALID', 'error', victim.name, victim.version],
    ]);
    const lockLines = (await readFile(join(tree.project, 'package-lock.json'), 'utf8')).split('\n');
    const lineOf = (location: string): number => lockLines.findIndex((l) => l.trimStart().startsWith(`${JSON.stringify(location)}: {`)) + 1;
    const expected = locationsOf(victim).map((l) => ({ uri: 'package-lock.json', startLine: lineOf(l) }));
    expect(expected.every((e) => e.startLine > 1)).toBe(true);
    expect(
      results[0]!.locations.map((l) => ({
        uri: l.physicalLocation.artifactLocation.uri,
        startLine: l.physicalLocation.region.startLine,
      })),
    ).toEqual(expected);
  });

  it('--format json of a failing run validates against docs/report.schema.json', async () => {
    const victim = withProvenance()[1]!;
    const file = storedAttestations(registry.storage, victim.name, victim.version);
    const result = await withFileChanged(
      file,
      (b) => b.toString('utf8').replace(/"sig":"[^"]{8}/, '"sig":"AAAAAAAA'),
      () => verify(),
    );
    expect(result.code, result.stderr).toBe(1);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([[id(victim), ['ATTESTATION_INVALID']]]);
    const validate = reportValidator();
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });
});

// Last in this file: it stops the shared registry.
describe('vouch verify when the registry is down', () => {
  let work: string;
  let warmState: string;
  let projectA: string;
  let projectB: string;
  let projectC: string; // one package locked with other bytes' integrity: a failure the cache remembers
  let failState: string;
  let victim: TreePackage;
  const extra = { name: 'vt-extra', version: '1.0.0' };

  beforeAll(async () => {
    // registry.stop() removes its temp folders: what must outlive it lives here.
    work = await mkdtemp(join(tmpdir(), 'vouch-verify-down-'));
    projectA = await copyProject(tree.project, join(work, 'a'));
    projectB = await copyProject(tree.project, join(work, 'b'));
    await registry.publish(await writePackage(join(work, 'packages'), extra));
    const add = await registry.npm(['install', '--package-lock-only', '--ignore-scripts', `${extra.name}@${extra.version}`], {
      cwd: projectB,
      stateDir: join(work, 'npm-b'),
    });
    expect(add.code, add.stderr).toBe(0);
    warmState = join(work, 'vouch-warm');
    const warm = await verify(projectA, [], warmState);
    expect(warm.code, warm.stderr).toBe(0);
    expect(existsSync(join(warmState, 'cache', '_vouch', 'evidence-v2.json'))).toBe(true);
    victim = plain().filter(singleVersion)[0]!;
    projectC = await copyProject(tree.project, join(work, 'c'));
    const lockFile = join(projectC, 'package-lock.json');
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as { packages: Record<string, { integrity?: string }> };
    for (const location of locationsOf(victim)) lock.packages[location]!.integrity = sha512(Buffer.from('other bytes'));
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    failState = join(work, 'vouch-fail');
    const failing = await verify(projectC, [], failState);
    expect(denied(failing.json as ReportJson), explain(failing)).toEqual([[id(victim), ['INTEGRITY_MISMATCH']]]);
    await registry.stop();
  }, 300_000);

  afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

  it('exits 3 with every package unverifiable (REGISTRY_UNREACHABLE) on a cold cache: fail closed, never 0', async () => {
    const result = await verify(projectA, [], join(work, 'vouch-cold'));
    expect(result.code, result.stderr).toBe(3);
    const report = result.json as ReportJson;
    expect(report.decision).toBe('deny');
    expect(report.packages).toHaveLength(50);
    expect(report.packages.every((p) => p.status === 'unverifiable')).toBe(true);
    expect(new Set(denied(report).flatMap(([, codes]) => codes))).toEqual(new Set(['REGISTRY_UNREACHABLE']));
    expect(report.registries).toEqual([expect.objectContaining({ url: registry.url, keys: 'unreachable', keyids: [] })]);
  });

  it('exits 3 without --offline even when the npm cache is warm: stale registry keys are never used online', async () => {
    const result = await verify(projectA, [], warmState);
    expect(result.code, result.stderr).toBe(3);
    const report = result.json as ReportJson;
    expect(new Set(denied(report).flatMap(([, codes]) => codes))).toEqual(new Set(['REGISTRY_UNREACHABLE']));
    expect(denied(report)).toHaveLength(50);
  });

  it('re-verifies from a warm cache with --offline: exit 0, all 50 verified, provenance included', async () => {
    const result = await verify(projectA, ['--offline'], warmState);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.summary.byStatus.verified).toBe(50);
    expect(report.summary.evidence.provenance).toBe(10);
  });

  it('keeps a cached failure offline: INTEGRITY_MISMATCH (exit 1), not OFFLINE_MISS, and says how old the data is', async () => {
    const result = await verify(projectC, ['--offline'], failState);
    expect(result.code, result.stderr).toBe(1);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([[id(victim), ['INTEGRITY_MISMATCH']]]);
    expect(report.notices.join('\n')).toMatch(
      /--offline: judged on registry data from vouch's cache, the oldest fetched \d{4}-\d{2}-\d{2}T.*\(less than a day ago\)/,
    );
  });

  it('reports OFFLINE_MISS, exit 3, for exactly the package the cache never saw', async () => {
    const result = await verify(projectB, ['--offline'], warmState);
    expect(result.code, result.stderr).toBe(3);
    const report = result.json as ReportJson;
    expect(denied(report), explain(result)).toEqual([[treeId(extra.name, extra.version), ['OFFLINE_MISS']]]);
    expect(report.summary.byStatus.verified).toBe(50);
  });
});

interface SarifLog {
  runs: {
    results: {
      ruleId: string;
      level: string;
      properties: { package: string; version: string };
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
  }[];
}

const readFileSyncUtf8 = (file: string): string => readFileSync(file, 'utf8');
