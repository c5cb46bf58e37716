// Issue 14, lockfile entries npm reads that vouch did not (measured on main before the fix): a `link` whose
// target is a registry entry, an `integrity` holding two sha512 hashes, `--omit=dev`, a registry answering
// tarballs with Cache-Control: no-store for a lockfile without `resolved`, and a tarball whose bytes do not
// match under npm's default retries. Real Verdaccio + the signing plugin behind the hostile
// proxy (test/support/install-plan.ts), lockfiles written by the real npm (then edited where that is the
// attack), the real npm as the oracle, the built CLI; cold and warm npm cache, where warm is the cache a real
// npm run of the same tree filled (with the attacker's bytes where that is the attack).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CACHES,
  editLock,
  expectAllowed,
  expectDenied,
  installedPackages,
  lockPackages,
  nodeModules,
  noStoreTarballs,
  startPlanWorld,
  tarballPath,
  type PlanWorld,
} from '../support/install-plan.js';
import { packTarball } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject } from '../support/project.js';
import { planTree, publishTree } from '../support/tree.js';

let plan: PlanWorld;
/** lk-good is `{link: true, resolved: "node_modules/lk-evil"}`, lk-evil the attacker's registry entry. */
let linkProject: string;
/** dh-pkg's integrity is "sha512-<signed> sha512-<attacker's bytes>"; the proxy serves the attacker's bytes. */
let twoHashProject: string;
let attackerBytes: Buffer;
/** om-prod (→ om-prod-dep, om-shared) in dependencies, om-dev (→ om-dev-dep, om-shared) in devDependencies. */
let omitProject: string;
/** A made tree of 10 packages (one name in two majors), locked by npm with omit-lockfile-registry-resolved=true. */
let unresolvedProject: string;
/** tm-pkg, whose tarball the proxy replaces with other bytes. */
let mismatchProject: string;
let mismatchBytes: Buffer;

/** `vouch ci` without a vouch.lock: --update-lock, so a deny can only come from what is being tested. */
const CI = ['ci', '--update-lock'];
const TARBALLS = ['cacheable', 'no-store'] as const;

beforeAll(async () => {
  plan = await startPlanWorld();

  await plan.publish({ name: 'lk-good', version: '1.0.0' });
  await plan.publish({ name: 'lk-evil', version: '1.0.0' });
  linkProject = await plan.project('link', { dependencies: { 'lk-good': '1.0.0' } });
  await plan.lock(linkProject);
  const evilProject = await plan.project('link-evil', { dependencies: { 'lk-evil': '1.0.0' } });
  await plan.lock(evilProject);
  const evilEntry = (await lockPackages(evilProject))['node_modules/lk-evil'];
  await editLock(linkProject, (packages) => {
    packages['node_modules/lk-good'] = { link: true, resolved: 'node_modules/lk-evil' };
    packages['node_modules/lk-evil'] = evilEntry!;
  });

  await plan.publish({ name: 'dh-pkg', version: '1.0.0' });
  attackerBytes = await packTarball(
    await writePackage(
      await plan.registry.tempDir('attacker'),
      plan.fixture({ name: 'dh-pkg', version: '1.0.0', files: { 'evil.js': 'steal()\n' } }, 'dh-pkg-evil'),
    ),
  );
  twoHashProject = await plan.project('two-hashes', { dependencies: { 'dh-pkg': '1.0.0' } });
  await plan.lock(twoHashProject);
  await editLock(twoHashProject, (packages) => {
    const entry = packages['node_modules/dh-pkg']!;
    entry['integrity'] = `${String(entry['integrity'])} ${sri(attackerBytes)}`;
  });

  await plan.publish({ name: 'om-shared', version: '1.0.0' });
  await plan.publish({ name: 'om-prod-dep', version: '1.0.0' });
  await plan.publish({ name: 'om-dev-dep', version: '1.0.0' });
  await plan.publish({ name: 'om-prod', version: '1.0.0', dependencies: { 'om-prod-dep': '^1.0.0', 'om-shared': '^1.0.0' } });
  await plan.publish({ name: 'om-dev', version: '1.0.0', dependencies: { 'om-dev-dep': '^1.0.0', 'om-shared': '^1.0.0' } });
  omitProject = await plan.project('omit', { dependencies: { 'om-prod': '^1.0.0' }, devDependencies: { 'om-dev': '^1.0.0' } });
  await plan.lock(omitProject);

  // The real tree (express 4 and friends) behind no-store: test/registry/real-tree.test.ts.
  const tree = planTree({ packages: 10, nestedNames: 1, prefix: 'nsr', seed: 14 });
  await publishTree(plan.registry, tree);
  unresolvedProject = await plan.project('unresolved', { dependencies: tree.rootDependencies });
  await plan.lock(unresolvedProject, ['--omit-lockfile-registry-resolved=true']);

  await plan.publish({ name: 'tm-dep', version: '1.0.0' });
  await plan.publish({ name: 'tm-pkg', version: '1.0.0', dependencies: { 'tm-dep': '^1.0.0' } });
  mismatchBytes = await packTarball(
    await writePackage(
      await plan.registry.tempDir('mismatch'),
      plan.fixture({ name: 'tm-pkg', version: '1.0.0', files: { 'evil.js': 'steal()\n' } }, 'tm-pkg-evil'),
    ),
  );
  mismatchProject = await plan.project('mismatch', { dependencies: { 'tm-pkg': '1.0.0' } });
  await plan.lock(mismatchProject);
}, 300_000);

afterAll(() => plan?.stop());

beforeEach(() => plan.reset());

describe('a lockfile link whose target is a registry entry (lk-good → node_modules/lk-evil)', () => {
  it("is installed by real npm ci, which runs the target's postinstall (the oracle)", async () => {
    const npm = await plan.npmInstall(linkProject, ['ci'], 'link');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect(await installedPackages(npm.dir)).toEqual(['lk-evil@1.0.0']);
    expect(npm.ran).toEqual(['lk-evil']);
  });

  it('is denied by vouch verify with LINK_UNSUPPORTED', async () => {
    const before = await snapshotProject(linkProject);
    const run = await plan.vouch(['verify'], linkProject, await plan.state('verify'));
    await expectDenied(plan, run, 'LINK_UNSUPPORTED', linkProject, before);
  });

  for (const tarballs of TARBALLS) {
    for (const cache of CACHES) {
      for (const command of [CI, ['install']]) {
        it(`is denied by vouch ${command.join(' ')} with LINK_UNSUPPORTED, nothing written and no script run (${cache} npm cache, ${tarballs} tarballs)`, async () => {
          if (tarballs === 'no-store') noStoreTarballs(plan.hostile);
          const npm = await plan.npmInstall(linkProject, ['ci'], 'link-warm');
          const project = await plan.copy(linkProject, 'link');
          const before = await snapshotProject(project);
          const run = await plan.vouch(command, project, await plan.cacheFor(cache, npm.state));
          await expectDenied(plan, run, 'LINK_UNSUPPORTED', project, before);
        });
      }
    }
  }
});

describe("an integrity holding two sha512 hashes, the registry-signed one and the attacker's", () => {
  beforeEach(() => plan.hostile.on(tarballPath('dh-pkg', '1.0.0'), { kind: 'body', body: attackerBytes, type: 'application/octet-stream' }));

  it("lets real npm ci install the attacker's bytes and run their postinstall (the oracle: ssri accepts either hash)", async () => {
    const npm = await plan.npmInstall(twoHashProject, ['ci'], 'two-hashes');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect(await readFile(join(npm.dir, 'node_modules', 'dh-pkg', 'evil.js'), 'utf8')).toBe('steal()\n');
    expect(npm.ran).toEqual(['dh-pkg-evil']);
    plan.hostile.reset(); // the registry's own bytes match the first hash: accepted too
    const honest = await plan.npmInstall(twoHashProject, ['ci'], 'two-hashes-honest');
    expect(honest.result.code, honest.result.stderr).toBe(0);
    expect(honest.ran).toEqual(['dh-pkg']);
  });

  it('is denied by vouch verify with INTEGRITY_AMBIGUOUS', async () => {
    const before = await snapshotProject(twoHashProject);
    const run = await plan.vouch(['verify'], twoHashProject, await plan.state('verify'));
    await expectDenied(plan, run, 'INTEGRITY_AMBIGUOUS', twoHashProject, before);
  });

  for (const cache of CACHES) {
    it(`is denied by vouch ci with INTEGRITY_AMBIGUOUS, nothing written and no script run (${cache} npm cache)`, async () => {
      const npm = await plan.npmInstall(twoHashProject, ['ci'], 'two-hashes-warm');
      const project = await plan.copy(twoHashProject, 'two-hashes');
      const before = await snapshotProject(project);
      // Today this run retries the mismatching download for ~140 s: let it finish and fail on the verdict.
      const run = await plan.vouch(CI, project, await plan.cacheFor(cache, npm.state), 200_000);
      await expectDenied(plan, run, 'INTEGRITY_AMBIGUOUS', project, before);
    }, 250_000);
  }
});

describe('--omit=dev', () => {
  for (const cache of CACHES) {
    it(`vouch ci --omit=dev installs exactly npm ci --omit=dev's node_modules, reports exactly those packages and runs no dev script (${cache} npm cache)`, async () => {
      const oracle = await plan.npmInstall(omitProject, ['ci', '--omit=dev'], 'omit');
      expect(oracle.result.code, oracle.result.stderr).toBe(0);
      const installed = await installedPackages(oracle.dir);
      expect(installed).toEqual(['om-prod-dep@1.0.0', 'om-prod@1.0.0', 'om-shared@1.0.0']);
      // Warm: the cache of a full npm ci of the same lockfile, dev packages included.
      const full = await plan.npmInstall(omitProject, ['ci'], 'omit-full');
      expect(full.result.code, full.result.stderr).toBe(0);

      const project = await plan.copy(omitProject, 'omit');
      const run = await plan.vouch([...CI, '--omit=dev'], project, await plan.cacheFor(cache, full.state));
      expectAllowed(run);
      expect(await nodeModules(project)).toEqual(await nodeModules(oracle.dir));
      expect(reported(run.report)).toEqual(installed);
      expect(await plan.ran()).toEqual(oracle.ran);
      expect(oracle.ran).not.toContain('om-dev');
    });
  }

  it('vouch verify --omit=dev reports exactly the packages npm ci --omit=dev installs', async () => {
    const oracle = await plan.npmInstall(omitProject, ['ci', '--omit=dev'], 'omit');
    const run = await plan.vouch(['verify', '--omit=dev'], omitProject, await plan.state('verify'));
    expectAllowed(run);
    expect(reported(run.report)).toEqual(await installedPackages(oracle.dir));
  });
});

describe('a registry answering tarballs with Cache-Control: no-store, and a lockfile without `resolved`', () => {
  it('is what real npm ci installs from (the oracle)', async () => {
    const packages = await lockPackages(unresolvedProject);
    const locations = Object.keys(packages).filter((l) => l !== '');
    expect(locations.length).toBeGreaterThanOrEqual(10);
    expect(Object.values(packages).filter((p) => 'resolved' in p)).toEqual([]);
    noStoreTarballs(plan.hostile);
    const npm = await plan.npmInstall(unresolvedProject, ['ci'], 'unresolved');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect((await installedPackages(npm.dir)).length).toBe(locations.length);
    expect(plan.hostile.requests.filter((r) => r.path.endsWith('.tgz')).length).toBeGreaterThan(0);
  });

  for (const cache of CACHES) {
    it(`vouch ci --update-lock installs npm ci's node_modules (${cache} npm cache)`, async () => {
      noStoreTarballs(plan.hostile);
      const npm = await plan.npmInstall(unresolvedProject, ['ci'], 'unresolved');
      expect(npm.result.code, npm.result.stderr).toBe(0);
      const project = await plan.copy(unresolvedProject, 'unresolved');
      const run = await plan.vouch(CI, project, await plan.cacheFor(cache, npm.state));
      expectAllowed(run);
      expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
    });
  }
});

describe("tarball bytes that do not match the signed integrity, with npm's default retries", () => {
  it('are denied by vouch ci with TARBALL_MISMATCH within 20 s, nothing written and no script run', async () => {
    plan.hostile.on(tarballPath('tm-pkg', '1.0.0'), { kind: 'body', body: mismatchBytes, type: 'application/octet-stream' });
    const project = await plan.copy(mismatchProject, 'mismatch');
    const before = await snapshotProject(project);
    // Today ~140 s (npm's retry backoff, twice): a long run limit, so the test fails on the time, not on a timeout.
    const run = await plan.vouch(CI, project, await plan.state('cold'), 200_000);
    await expectDenied(plan, run, 'TARBALL_MISMATCH', project, before);
    expect(run.ms).toBeLessThan(20_000);
  }, 240_000);
});

// ---- fixtures --------------------------------------------------------------------------------------

/** The report's packages as "name@version", one per location, sorted (to compare with what npm installed). */
function reported(report: { packages: { name: string; version: string; locations: string[] }[] } | undefined): string[] {
  return (report?.packages ?? []).flatMap((p) => p.locations.map(() => `${p.name}@${p.version}`)).sort();
}

const sri = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
