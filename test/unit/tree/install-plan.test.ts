// The install plan: what reify will extract or link, from arborist's own Diff over real lockfiles and
// single edits of them. No network: every tree here is complete, so arborist fetches nothing.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNpmConfig } from '../../../lib/config/index.js';
import { installPlan, loadLockedTree, planOptions, planTargets, projectArborist } from '../../../lib/tree/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/lockfiles/${name}/`, import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'vouch-plan-'));
afterAll(() => rm(work, { recursive: true, force: true }));
let copies = 0;

type Lock = { packages: Record<string, Record<string, unknown>> };

/** A copy of a fixture project whose lockfile went through `edit`. */
async function editedProject(name: string, edit: (lock: Lock) => void): Promise<string> {
  const dir = join(work, `${name}-${++copies}`);
  await cp(fixture(name), dir, { recursive: true });
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as Lock;
  edit(lock);
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

/** The targets of what `npm ci` would install in `dir` under `args` (npm flags). */
async function planFor(dir: string, args: string[] = []) {
  const config = await loadNpmConfig(dir, ['--registry=http://127.0.0.1:9/', '--@isaacs:registry=http://127.0.0.1:8/scoped/', ...args], {});
  await loadLockedTree(projectArborist(dir, config), dir);
  // As npm ci: a fresh arborist builds the ideal tree (the lockfile's dependency flags are re-derived).
  const arb = projectArborist(dir, config);
  const tree = await arb.buildIdealTree();
  const omit = Array.isArray(config.flat.omit) ? (config.flat.omit as string[]) : [];
  const plan = installPlan(tree, planOptions(arb, omit), { inflated: new Set() });
  return { plan, targets: planTargets(tree, plan, config) };
}

const packages = (t: Awaited<ReturnType<typeof planFor>>['targets']) => t.packages.map((p) => `${p.name}@${p.version} ${p.locations.join(',')}`);

describe('installPlan on a real lockfile with aliases, workspaces, links and non-registry sources', async () => {
  const { targets } = await planFor(fixture('mixed-sources'));

  it('lists one target per unique name@version, sorted, with the registry npm would use', () => {
    expect(targets.packages.map((p) => `${p.name}@${p.version} ${p.registry}`)).toEqual([
      '@isaacs/string-locale-compare@1.1.0 http://127.0.0.1:8/scoped/',
      'is-number@6.0.0 http://127.0.0.1:9/',
      'is-number@7.0.0 http://127.0.0.1:9/',
      'kind-of@6.0.3 http://127.0.0.1:9/',
    ]);
  });

  it("signs an alias as its real package name and keeps every location, workspaces' own node_modules included", () => {
    const six = targets.packages.find((p) => p.version === '6.0.0')!;
    expect(six.aliases).toEqual(['num-six']);
    expect(six.locations).toEqual(['node_modules/num-six', 'packages/ws-a/node_modules/is-number']);
  });

  it('reports git, remote and file tarballs and the file: directory link, never the workspace link', () => {
    expect(targets.nonRegistry.map((r) => `${r.name} ${r.kind}${r.unsupported ? ' unsupported' : ''}`)).toEqual([
      'file-tgz file',
      'gitdep git',
      'local-dep directory',
      'remote-tgz remote',
    ]);
  });

  it('re-derives a dependency flag the lockfile misstates, as npm ci does: a devDependency marked optional is kept by --omit=optional', async () => {
    const dir = await editedProject('mixed-sources', (lock) => {
      lock.packages['node_modules/kind-of']!['optional'] = true;
    });
    const omitted = await planFor(dir, ['--omit=optional']);
    expect(omitted.targets.packages.map((p) => p.name)).toContain('kind-of');
  });

  it('leaves out what --omit=dev omits, as reify does', async () => {
    const omitted = await planFor(fixture('mixed-sources'), ['--omit=dev']);
    expect(omitted.targets.packages.map((p) => p.name)).not.toContain('kind-of');
    expect(targets.packages.find((p) => p.name === 'kind-of')!.dev).toBe(true);
  });
});

describe('installPlan with dependency bundles', async () => {
  it("skips a copy bundled inside a dependency (its bytes are the parent's) and keeps the registry copy", async () => {
    const { targets } = await planFor(fixture('bundled'));
    expect(packages(targets)).toEqual(['has-bundle@1.0.0 node_modules/has-bundle', 'inner@2.0.0 node_modules/inner', 'plain@1.0.0 node_modules/plain']);
  });
});

describe('installPlan on hostile lockfile edits', () => {
  it('verifies the target of a link that points at a registry entry, and denies the link itself (LINK_UNSUPPORTED)', async () => {
    const dir = await editedProject('bundled', (lock) => {
      lock.packages['node_modules/plain'] = { resolved: 'node_modules/evil', link: true };
      // Named and versioned so the root's edge to `plain` stays valid: npm ci installs this without a word.
      lock.packages['node_modules/evil'] = {
        name: 'plain',
        version: '1.0.0',
        resolved: 'http://127.0.0.1:9/evil/-/evil-6.6.6.tgz',
        integrity: 'sha512-ZXZpbA==',
      };
    });
    const { targets } = await planFor(dir);
    // Verified as what it claims to be (plain@1.0.0): the attacker's integrity then cannot match the signed one.
    expect(packages(targets)).toContain('plain@1.0.0 node_modules/evil');
    expect(targets.nonRegistry).toEqual([
      expect.objectContaining({ name: 'plain', kind: 'directory', locations: ['node_modules/plain'], unsupported: expect.any(String) }),
    ]);
  });

  it('leaves out an optional package for another platform, as reify does, and keeps one for this platform', async () => {
    const other = process.platform === 'win32' ? 'linux' : 'win32';
    const dir = await editedProject('bundled', (lock) => {
      lock.packages['']!['optionalDependencies'] = { 'other-os': '1.0.0', 'this-os': '1.0.0' };
      lock.packages['node_modules/other-os'] = {
        version: '1.0.0',
        resolved: 'http://127.0.0.1:9/other-os/-/other-os-1.0.0.tgz',
        integrity: 'sha512-b3RoZXI=',
        optional: true,
        os: [other],
      };
      lock.packages['node_modules/this-os'] = {
        version: '1.0.0',
        resolved: 'http://127.0.0.1:9/this-os/-/this-os-1.0.0.tgz',
        integrity: 'sha512-dGhpcw==',
        optional: true,
        os: [process.platform],
      };
    });
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, optionalDependencies: { 'other-os': '1.0.0', 'this-os': '1.0.0' } }));
    const { targets } = await planFor(dir);
    expect(targets.packages.map((p) => p.name)).toContain('this-os');
    expect(targets.packages.map((p) => p.name)).not.toContain('other-os');
  });

  it('lists a package that ships a shrinkwrap as such, and none of the children the lockfile claims for it', async () => {
    const dir = await editedProject('bundled', (lock) => {
      lock.packages['node_modules/plain']!['hasShrinkwrap'] = true;
      lock.packages['node_modules/plain/node_modules/claimed'] = {
        version: '1.0.0',
        resolved: 'http://127.0.0.1:9/claimed/-/claimed-1.0.0.tgz',
        integrity: 'sha512-Y2xhaW1lZA==',
      };
    });
    const { plan, targets } = await planFor(dir);
    expect(plan.shrinkwrapped.map((n) => n.location)).toEqual(['node_modules/plain']);
    expect(targets.packages.map((p) => p.name)).not.toContain('claimed');
  });

  it("marks a package bundled by a dependency that does not bundle it as not fetched on its own (the bundler's bytes decide)", async () => {
    const dir = await editedProject('bundled', (lock) => {
      lock.packages['node_modules/plain']!['bundleDependencies'] = ['sneaky'];
      lock.packages['node_modules/plain/node_modules/sneaky'] = {
        version: '1.0.0',
        resolved: 'http://127.0.0.1:9/sneaky/-/sneaky-1.0.0.tgz',
        integrity: 'sha512-c25lYWt5',
        inBundle: true,
      };
    });
    const { targets } = await planFor(dir);
    expect(targets.packages.map((p) => p.name)).not.toContain('sneaky');
  });
});
