// Issue 14, nodes npm adds to or leaves out of what the lockfile lists (measured on main before the fix): the
// children a dependency's own npm-shrinkwrap.json pins, which npm installs from the shrinkwrap inside the
// parent's tarball, and optional dependencies for another os or cpu, which npm never fetches. Real Verdaccio +
// the signing plugin behind the hostile proxy (test/support/install-plan.ts), lockfiles by the real npm, the
// real npm as the oracle, the built CLI; cold and warm npm cache (warm: the cache a real npm run of the same
// tree filled), and tarballs served cacheable or with Cache-Control: no-store.
//
// Verdaccio, unlike registry.npmjs.org, does not set `_hasShrinkwrap` in a version it stores, and without it
// npm ignores a dependency's npm-shrinkwrap.json altogether; the sw-parent versions are published raw with
// `_hasShrinkwrap: true`, as the public registry serves them.
import { rm } from 'node:fs/promises';
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
  type Cache,
  type PlanWorld,
} from '../support/install-plan.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject } from '../support/project.js';
import { storedTarball } from '../support/registry-storage.js';

let plan: PlanWorld;
const NESTED = 'node_modules/sw-parent/node_modules/sw-child';
const TARBALLS = ['cacheable', 'no-store'] as const;
type Tarballs = (typeof TARBALLS)[number];
/** sw-parent@1.0.0 (its shrinkwrap pins sw-child@1.0.0; ^1.0.0 would give 1.1.0), locked by the real npm. */
let honestProject: string;
/** sw-parent@1.0.1's shrinkwrap pins sw-child@1.0.0 to sw-evil's tarball: signed by the registry, but for sw-evil. */
const ATTACK_LOCKFILES = [
  "the real npm's lockfile (the child's entry copied from the shrinkwrap)",
  "a lockfile without the child's entry",
  "a lockfile whose entry for the child is the registry's sw-child@1.0.0",
] as const;
const attackProjects = new Map<string, string>();

/** opt-host optionally depends on opt-os (another os) and opt-cpu (another cpu); opt-gone-host the same, tarballs deleted. */
let optionalProject: string;
let goneProject: string;
const OTHER_OS = process.platform === 'win32' ? 'linux' : 'win32';
const OTHER_CPU = process.arch === 'arm64' ? 'x64' : 'arm64';

beforeAll(async () => {
  plan = await startPlanWorld();

  await plan.publish({ name: 'sw-child', version: '1.0.0' });
  const parent = await writePackage(
    await plan.registry.tempDir('sw-parent'),
    plan.fixture({ name: 'sw-parent', version: '1.0.0', dependencies: { 'sw-child': '^1.0.0' } }),
  );
  await plan.lock(parent);
  const shrinkwrap = await plan.npm(['shrinkwrap'], parent, await plan.state('shrinkwrap'));
  expect(shrinkwrap.code, shrinkwrap.stderr).toBe(0);
  await plan.publishRaw(parent, { _hasShrinkwrap: true });
  await plan.publish({ name: 'sw-child', version: '1.1.0' });
  honestProject = await plan.project('sw-honest', { dependencies: { 'sw-parent': '1.0.0' } });
  await plan.lock(honestProject);

  const evil = await writePackage(
    await plan.registry.tempDir('sw-evil'),
    plan.fixture({ name: 'sw-child', version: '1.0.0', files: { 'evil.js': 'steal()\n' } }, 'sw-child-evil'),
  );
  const evilIntegrity = await plan.publishRaw(evil, { name: 'sw-evil' });
  const evilShrinkwrap = {
    name: 'sw-parent',
    version: '1.0.1',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'sw-parent', version: '1.0.1', license: 'MIT', dependencies: { 'sw-child': '^1.0.0' } },
      'node_modules/sw-child': {
        version: '1.0.0',
        resolved: `${plan.hostile.url}sw-evil/-/sw-evil-1.0.0.tgz`,
        integrity: evilIntegrity,
        hasInstallScript: true,
        license: 'MIT',
      },
    },
  };
  await plan.publishRaw(
    await writePackage(
      await plan.registry.tempDir('sw-parent-evil'),
      plan.fixture({
        name: 'sw-parent',
        version: '1.0.1',
        dependencies: { 'sw-child': '^1.0.0' },
        files: { 'npm-shrinkwrap.json': `${JSON.stringify(evilShrinkwrap, null, 2)}\n` },
      }),
    ),
    { _hasShrinkwrap: true },
  );
  const [npmLock, withoutChild, honestChild] = ATTACK_LOCKFILES;
  const attack = await plan.project('sw-attack', { dependencies: { 'sw-parent': '1.0.1' } });
  await plan.lock(attack);
  attackProjects.set(npmLock, attack);
  attackProjects.set(withoutChild, await plan.copy(attack, 'sw-attack-without-child'));
  await editLock(attackProjects.get(withoutChild)!, (packages) => void delete packages[NESTED]);
  attackProjects.set(honestChild, await plan.copy(attack, 'sw-attack-honest-child'));
  const honestEntry = (await lockPackages(honestProject))[NESTED]!;
  await editLock(attackProjects.get(honestChild)!, (packages) => void (packages[NESTED] = honestEntry));

  for (const prefix of ['opt', 'opt-gone']) {
    await plan.publish({ name: `${prefix}-os`, version: '1.0.0', manifest: { os: [OTHER_OS] } });
    await plan.publish({ name: `${prefix}-cpu`, version: '1.0.0', manifest: { cpu: [OTHER_CPU] } });
    await plan.publish({
      name: `${prefix}-host`,
      version: '1.0.0',
      manifest: { optionalDependencies: { [`${prefix}-os`]: '1.0.0', [`${prefix}-cpu`]: '1.0.0' } },
    });
  }
  optionalProject = await plan.project('optional', { dependencies: { 'opt-host': '^1.0.0' } });
  await plan.lock(optionalProject);
  goneProject = await plan.project('optional-gone', { dependencies: { 'opt-gone-host': '^1.0.0' } });
  await plan.lock(goneProject);
  await rm(storedTarball(plan.registry.storage, 'opt-gone-os', '1.0.0'));
  await rm(storedTarball(plan.registry.storage, 'opt-gone-cpu', '1.0.0'));
}, 300_000);

afterAll(() => plan?.stop());

beforeEach(() => plan.reset());

describe("a dependency's own npm-shrinkwrap.json (sw-parent@1.0.0 pins sw-child@1.0.0)", () => {
  it('is recorded by the real npm (hasShrinkwrap, the child under sw-parent) and installed there by npm ci (the oracle)', async () => {
    const packages = await lockPackages(honestProject);
    expect(packages['node_modules/sw-parent']).toMatchObject({ version: '1.0.0', hasShrinkwrap: true });
    expect(packages[NESTED]).toMatchObject({ version: '1.0.0' });
    const npm = await plan.npmInstall(honestProject, ['ci'], 'sw-honest');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect(await installedPackages(npm.dir)).toEqual(['sw-child@1.0.0', 'sw-parent@1.0.0']);
    expect(await lockPackages(npm.dir)).toEqual(packages);
  });

  it(`is listed by vouch verify: sw-child@1.0.0 at ${NESTED}`, async () => {
    const run = await plan.vouch(['verify'], honestProject, await plan.state('verify'));
    expectAllowed(run);
    expect(locationsOf(run.report, 'sw-child')).toEqual([`1.0.0 ${NESTED}`]);
  });

  for (const tarballs of TARBALLS) {
    for (const cache of CACHES) {
      it(`is installed by vouch ci as npm ci installs it, sw-child reported at ${NESTED} (${cache} npm cache, ${tarballs} tarballs)`, async () => {
        if (tarballs === 'no-store') noStoreTarballs(plan.hostile);
        const npm = await plan.npmInstall(honestProject, ['ci'], 'sw-honest');
        expect(npm.result.code, npm.result.stderr).toBe(0);
        const project = await plan.copy(honestProject, 'sw-honest');
        const run = await plan.vouch(['ci', '--update-lock'], project, await plan.cacheFor(cache, npm.state));
        expectAllowed(run);
        expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
        expect(locationsOf(run.report, 'sw-child')).toEqual([`1.0.0 ${NESTED}`]);
      });

      it(`is installed by vouch install sw-parent@1.0.0 as npm install installs it, sw-child reported at ${NESTED} (${cache} npm cache, ${tarballs} tarballs)`, async () => {
        if (tarballs === 'no-store') noStoreTarballs(plan.hostile);
        const empty = await plan.project('sw-install');
        const npm = await plan.npmInstall(empty, ['install', 'sw-parent@1.0.0'], 'sw-install');
        expect(npm.result.code, npm.result.stderr).toBe(0);
        expect(await installedPackages(npm.dir)).toEqual(['sw-child@1.0.0', 'sw-parent@1.0.0']);
        const project = await plan.copy(empty, 'sw-install');
        const run = await plan.vouch(['install', 'sw-parent@1.0.0'], project, await plan.cacheFor(cache, npm.state));
        expectAllowed(run);
        expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
        expect(locationsOf(run.report, 'sw-child')).toEqual([`1.0.0 ${NESTED}`]);
      });
    }
  }
});

describe("a dependency's npm-shrinkwrap.json pinning sw-child@1.0.0 to bytes the registry did not sign for it (sw-parent@1.0.1)", () => {
  it('makes real npm ci install the bytes the shrinkwrap pins and run their postinstall, whatever the lockfile says of the child (the oracle)', async () => {
    expect((await lockPackages(attackProjects.get(ATTACK_LOCKFILES[0])!))[NESTED]).toMatchObject({
      resolved: `${plan.hostile.url}sw-evil/-/sw-evil-1.0.0.tgz`,
    });
    for (const variant of ATTACK_LOCKFILES) {
      const npm = await plan.npmInstall(attackProjects.get(variant)!, ['ci'], 'sw-attack');
      expect(npm.result.code, `${variant}: ${npm.result.stderr}`).toBe(0);
      expect(npm.ran, variant).toContain('sw-child-evil');
    }
  });

  for (const variant of ATTACK_LOCKFILES) {
    it(`is denied by vouch verify from ${variant}`, async () => {
      const project = attackProjects.get(variant)!;
      const before = await snapshotProject(project);
      const run = await plan.vouch(['verify'], project, await plan.state('verify'));
      await expectDenied(plan, run, null, project, before);
    });
  }

  for (const tarballs of TARBALLS) {
    for (const cache of CACHES) {
      for (const variant of ATTACK_LOCKFILES) {
        it(`is denied by vouch ci from ${variant}, nothing written and no script run (${cache} npm cache, ${tarballs} tarballs)`, async () => {
          await expectCiDenied(attackProjects.get(variant)!, cache, tarballs);
        });
      }

      it(`is denied by vouch install sw-parent@1.0.1, nothing written and no script run (${cache} npm cache, ${tarballs} tarballs)`, async () => {
        if (tarballs === 'no-store') noStoreTarballs(plan.hostile);
        const empty = await plan.project('sw-attack-install');
        const npm = await plan.npmInstall(empty, ['install', 'sw-parent@1.0.1'], 'sw-attack-install');
        expect(npm.ran).toContain('sw-child-evil');
        const project = await plan.copy(empty, 'sw-attack-install');
        const before = await snapshotProject(project);
        const run = await plan.vouch(['install', 'sw-parent@1.0.1'], project, await plan.cacheFor(cache, npm.state));
        await expectDenied(plan, run, null, project, before);
      });
    }
  }
});

describe(`optional dependencies for another os (${OTHER_OS}) and cpu (${OTHER_CPU})`, () => {
  it('are neither installed nor fetched by real npm ci (the oracle)', async () => {
    const npm = await plan.npmInstall(optionalProject, ['ci'], 'optional');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect(await installedPackages(npm.dir)).toEqual(['opt-host@1.0.0']);
    expect(optionalTarballRequests('opt')).toBe(0);
  });

  for (const command of [['ci', '--update-lock'], ['install']]) {
    for (const cache of CACHES) {
      it(`are neither installed nor fetched nor denied by vouch ${command.join(' ')} (${cache} npm cache)`, async () => {
        const npm = await plan.npmInstall(optionalProject, ['ci'], 'optional');
        expect(npm.result.code, npm.result.stderr).toBe(0);
        plan.hostile.reset(); // the log of this vouch run only
        const project = await plan.copy(optionalProject, 'optional');
        const run = await plan.vouch(command, project, await plan.cacheFor(cache, npm.state));
        expectAllowed(run);
        expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
        expect(optionalTarballRequests('opt')).toBe(0);
        expect(run.report?.packages.filter((p) => p.decision === 'deny')).toEqual([]);
      });
    }

    it(`are no reason for vouch ${command.join(' ')} to fail when the registry has no tarball for them`, async () => {
      const npm = await plan.npmInstall(goneProject, ['ci'], 'optional-gone');
      expect(npm.result.code, npm.result.stderr).toBe(0);
      const project = await plan.copy(goneProject, 'optional-gone');
      const run = await plan.vouch(command, project, await plan.state('cold'));
      expectAllowed(run);
      expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
    });
  }
});

// ---- helpers ---------------------------------------------------------------------------------------

/** `vouch ci --update-lock` on a copy of `source`, the cache cold or filled by a real npm ci of it, denies and writes nothing. */
async function expectCiDenied(source: string, cache: Cache, tarballs: Tarballs): Promise<void> {
  if (tarballs === 'no-store') noStoreTarballs(plan.hostile);
  const npm = await plan.npmInstall(source, ['ci'], 'warm');
  const project = await plan.copy(source, 'project');
  const before = await snapshotProject(project);
  const run = await plan.vouch(['ci', '--update-lock'], project, await plan.cacheFor(cache, npm.state));
  await expectDenied(plan, run, null, project, before);
}

/** "version location" of every location the report gives a package. */
function locationsOf(report: { packages: { name: string; version: string; locations: string[] }[] } | undefined, name: string): string[] {
  return (report?.packages ?? [])
    .filter((p) => p.name === name)
    .flatMap((p) => p.locations.map((l) => `${p.version} ${l}`))
    .sort();
}

function optionalTarballRequests(prefix: string): number {
  return plan.hostile.count(tarballPath(`${prefix}-os`, '1.0.0')) + plan.hostile.count(tarballPath(`${prefix}-cpu`, '1.0.0'));
}
