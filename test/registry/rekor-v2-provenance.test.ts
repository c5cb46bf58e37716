// Provenance logged in Rekor v2 (issue 17 item 6) through the real registry and vouch's CLI: a private
// deployment whose log has a host:port origin and witnesses, and whose bundles are timed by its TSA
// (fixtures/scripts/private-rekor-v2.ts), installs with `--trusted-root` like any other; the release time
// vouch reports and judges release age by is the timestamp's. A deployment no root lists is denied.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { writePackage, type PackageSpec } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { pastPublishTime } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import type { ReportJson } from '../support/report.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

let registry: TestRegistry;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let root: string;
let signedAt: Date;

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await createPrivateSigstore({
    seed: 'rekor-v2',
    rekorV2: { origin: 'rekor.v2.vouch.test:8443', witnesses: ['witness.vouch.test/w1', 'witness2.vouch.test'] },
  });
  const stranger = await createPrivateSigstore({ seed: 'rekor-v2-stranger', rekorV2: { origin: 'rekor.stranger.test/log' } });
  trustedRoot = join(await registry.tempDir('trust'), 'private.trusted_root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  root = await registry.tempDir('packages');
  signedAt = pastPublishTime();
  await publishWithProvenance(registry, await write({ name: 'v2-prov', version: '1.0.0' }), sigstore, githubIdentity('acme/v2-prov'));
  await publishWithProvenance(registry, await write({ name: 'v2-stranger', version: '1.0.0' }), stranger, githubIdentity('acme/v2-stranger'));
}, 300_000);

afterAll(() => registry?.stop());

describe('provenance logged in Rekor v2 and timed by a TSA', () => {
  it('installs, recording the provenance, its trust root and the timestamp as its signed time', async () => {
    const { result } = await install({ 'v2-prov': '1.0.0' });
    expect(result.code, result.stderr).toBe(0);
    const pkg = (result.json as ReportJson).packages.find((p) => p.name === 'v2-prov');
    expect(pkg?.evidence.attestations).toMatchObject({
      kind: 'verified',
      provenance: { trustRoot: trustedRoot, identity: { repository: 'https://github.com/acme/v2-prov' } },
    });
    const logged = pkg?.evidence.attestations?.kind === 'verified' ? pkg.evidence.attestations.provenance?.integratedTime : undefined;
    expect(Math.abs(Date.parse(logged ?? '') - signedAt.getTime())).toBeLessThan(60_000);
  });

  it('denies provenance from a Rekor v2 deployment no trusted root lists, writing nothing', async () => {
    const { result, unchanged } = await install({ 'v2-stranger': '1.0.0' });
    expect(result.code, result.stderr).toBe(1);
    const pkg = (result.json as ReportJson).packages.find((p) => p.name === 'v2-stranger');
    expect(pkg?.evidence.attestations).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
    expect(unchanged).toBe(true);
  });
});

async function write(spec: PackageSpec): Promise<string> {
  return writePackage(root, spec);
}

/** `vouch install --format json` in a fresh project with these dependencies. */
async function install(dependencies: Record<string, string>): Promise<{ result: VouchResult; unchanged: boolean }> {
  const project = await registry.tempDir('project');
  await writeProject(project, { dependencies });
  const before = await snapshotProject(project);
  const env = await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' });
  const result = await runVouch(['install', '--format', 'json', '--trusted-root', trustedRoot], { cwd: project, env });
  const after = await snapshotProject(project);
  return { result, unchanged: JSON.stringify(before) === JSON.stringify(after) };
}
