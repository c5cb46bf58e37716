// Bounded evidence, end to end: a hostile registry that serves one version with 350,000 registry
// signatures (~58 MB of packument, under the 64 MiB size bound) cannot make `vouch verify` do 350,000
// ECDSA verifications or hold the document: the version is refused with SIGNATURES_TOO_MANY, quickly,
// without verifying any of them (before the cap: allowed, after 20 s and 634 MiB peak RSS). And a
// registry serving as many signatures as the cap allows, on every package, runs into the run's
// verification budget instead of buying unbounded work.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VERIFICATIONS_PER_PACKAGE, VERIFICATIONS_SHARED } from '../../lib/registry/verification-budget.js';
import { SIGNATURES_MAX_PER_VERSION } from '../../lib/verify/index.js';
import { writePackage } from '../support/packages.js';
import { copyProject, snapshotProject } from '../support/project.js';
import { findingCodes, jsonReport, peakRss, reportPackage, startWorld, type World } from './world.js';
import { join } from 'node:path';

let world: World;
let base: string;
let cases = 0;

const SIGNATURES = 350_000;

type Packument = { versions: Record<string, { dist: { signatures: { keyid: string; sig: string }[]; attestations?: unknown } }> };
const FLOODED = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

beforeAll(async () => {
  world = await startWorld('bounded');
  const src = await world.registry.tempDir('packages');
  await world.registry.publish(await writePackage(src, { name: 'left', version: '1.0.0' }));
  await world.registry.publish(await writePackage(src, { name: 'right', version: '1.0.0' }));
  for (const name of FLOODED) await world.registry.publish(await writePackage(src, { name, version: '1.0.0' }));
  base = await world.project('base');
  const installed = await world.vouch(['install', 'left', 'right', ...FLOODED, '--format', 'json'], base);
  expect(installed.code, installed.stderr).toBe(0);
});

afterAll(() => world?.stop());

beforeEach(() => world.hostile.reset());

/** `vouch verify` of a copy of the installed project, with its wall time and peak RSS. */
async function verifyCopy() {
  const dir = await copyProject(base, join(world.work, `case-${++cases}`));
  const before = await snapshotProject(dir);
  let peak: Promise<number> = Promise.resolve(0);
  const result = await world.vouch(['verify', '--format', 'json'], dir, { onSpawn: (pid) => void (peak = peakRss(pid).done) });
  return { result, peak: await peak, dir, before };
}

describe('a version with 350,000 registry signatures', () => {
  it('is refused with SIGNATURES_TOO_MANY (exit 1) in bounded time and memory, verifying none of them', async () => {
    const baseline = await verifyCopy();
    expect(baseline.result.code, baseline.result.stderr).toBe(0);

    // Every copy is the real, valid signature: verifying them all is what a hostile registry wants. The
    // document is built once, so the wall time below is vouch's, not the proxy's serialisation.
    const doc = (await (await fetch(`${world.hostile.url}left`)).json()) as Packument; // dist.tarball as the proxy's clients see it
    const dist = doc.versions['1.0.0']!.dist;
    dist.signatures = Array.from({ length: SIGNATURES }, () => ({ ...dist.signatures[0]! }));
    world.hostile.on('/left', { kind: 'body', body: Buffer.from(JSON.stringify(doc)), type: 'application/json' });
    const run = await verifyCopy();
    const sent = world.hostile.requests.filter((r) => r.path === '/left').reduce((n, r) => n + r.bytesSent, 0);
    console.info(
      `350k signatures: ${run.result.ms} ms, peak RSS ${Math.round(run.peak / 2 ** 20)} MiB (baseline run ${baseline.result.ms} ms, ${Math.round(baseline.peak / 2 ** 20)} MiB), packument ${Math.round(sent / 2 ** 20)} MiB`,
    );
    expect(sent).toBeGreaterThan(50 * 2 ** 20); // the whole hostile document was served

    expect(run.result.code, run.result.stderr).toBe(1);
    const report = jsonReport(run.result);
    expect(findingCodes(report, 'left')).toEqual(['SIGNATURES_TOO_MANY']); // and no TIER_DOWNGRADE on top of the failure
    expect(reportPackage(report, 'left').evidence.signature).toMatchObject({ kind: 'failed', code: 'SIGNATURES_TOO_MANY' });
    expect(reportPackage(report, 'right').decision).toBe('allow');
    expect(SIGNATURES_MAX_PER_VERSION).toBeLessThan(SIGNATURES);
    // Loose bounds for a loaded CI machine; measured ~1 s and ~ +150 MiB over the ordinary run.
    expect(run.result.ms).toBeLessThan(10_000);
    expect(run.peak - baseline.peak).toBeLessThan(400 * 2 ** 20);
    expect(await snapshotProject(run.dir)).toEqual(run.before);
  });
});

describe("the run's verification budget", () => {
  it(`lets ${VERIFICATIONS_SHARED} verifications past the packages' own ${VERIFICATIONS_PER_PACKAGE} go to the first comers, then VERIFICATION_BUDGET_EXCEEDED`, async () => {
    // Six packages with 16 valid signatures each (the cap) and no attestations: 12 each beyond their
    // allowance, so five fit in the shared 64 and the sixth does not.
    world.hostile.on((path) => FLOODED.includes(path.slice(1)), {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as Packument;
        const dist = doc.versions['1.0.0']!.dist;
        dist.signatures = Array.from({ length: SIGNATURES_MAX_PER_VERSION }, () => ({ ...dist.signatures[0]! }));
        delete dist.attestations;
        return doc;
      },
    });
    const run = await verifyCopy();
    expect(run.result.code, run.result.stderr).toBe(1);
    const report = jsonReport(run.result);
    const outcomes = FLOODED.map((name) => findingCodes(report, name).join(',') || reportPackage(report, name).decision).sort();
    expect(outcomes).toEqual(['VERIFICATION_BUDGET_EXCEEDED', 'allow', 'allow', 'allow', 'allow', 'allow']);
    const spent = FLOODED.find((name) => findingCodes(report, name).length > 0)!;
    expect(reportPackage(report, spent)).toMatchObject({ status: 'unverifiable', evidence: { unverifiable: { code: 'VERIFICATION_BUDGET_EXCEEDED' } } });
    // the packages a registry serves normally are never starved by the flood
    expect(reportPackage(report, 'left').decision).toBe('allow');
    expect(reportPackage(report, 'right').decision).toBe('allow');
    expect(await snapshotProject(run.dir)).toEqual(run.before);
  });
});
