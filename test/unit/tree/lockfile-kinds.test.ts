// The pnpm, Yarn (Berry and classic) and Bun lockfile readers on REAL lockfiles the managers wrote for one
// project (fixtures/real/lockfiles/ORIGIN.md), against the package-lock.json npm wrote for it; and on broken
// or edited lockfiles, which are usage errors naming the file and the path, never a pass.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { detectLockfile, foreignLockfileTargets, type LockfileKind } from '../../../lib/tree/index.js';
import { packagePath } from '../../../lib/config/package-root.js';
import type { Targets } from '../../../lib/tree/index.js';

const SHAPES = packagePath('fixtures', 'real', 'lockfiles', 'shapes');
const REGISTRY = 'https://registry.npmjs.org/';
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A copy of the project with only `lockfile` (saved as `as`) beside its manifests. */
async function project(lockfile: string | null, as: string, text?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-lockfile-'));
  dirs.push(dir);
  await cp(join(SHAPES, 'package.json'), join(dir, 'package.json'));
  await cp(join(SHAPES, 'packages'), join(dir, 'packages'), { recursive: true });
  if (text !== undefined) await writeFile(join(dir, as), text);
  else if (lockfile) await cp(join(SHAPES, lockfile), join(dir, as));
  return dir;
}

async function targetsOf(lockfile: string, as: string, omit: string[] = []): Promise<Targets> {
  const dir = await project(lockfile, as);
  return foreignLockfileTargets(dir, await detectLockfile(dir), () => REGISTRY, omit);
}

const ids = (t: Targets): string[] => t.packages.map((p) => `${p.name}@${p.version}`);

/** What npm's own lockfile lists for the project: every package entry outside the workspace folders. */
async function npmPackages(): Promise<{ ids: string[]; integrity: Map<string, string> }> {
  const { readFile } = await import('node:fs/promises');
  const lock = JSON.parse(await readFile(join(SHAPES, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; integrity?: string; name?: string; link?: boolean }>;
  };
  const integrity = new Map<string, string>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (!location.includes('node_modules/') || entry.link) continue;
    const name = entry.name ?? location.replace(/^.*node_modules\//, '');
    integrity.set(`${name}@${entry.version}`, entry.integrity!);
  }
  return { ids: [...integrity.keys()].sort(), integrity };
}

describe('lockfile readers on real lockfiles of one project', () => {
  it.each([
    ['pnpm-lock.yaml', 'pnpm-lock.yaml', 'pnpm'],
    ['bun.lock', 'bun.lock', 'bun'],
    ['yarn.lock', 'yarn.lock', 'yarn'],
    ['yarn-classic.lock', 'yarn.lock', 'yarn'],
  ] as const)('%s: detected as %s, the registry packages npm locks with the integrity npm records', async (file, as, kind) => {
    const dir = await project(file, as);
    expect((await detectLockfile(dir)).kind).toBe(kind as LockfileKind);
    const targets = await targetsOf(file, as);
    const npm = await npmPackages();
    // Yarn Berry and Bun also resolve fsevents' own dependency (node-gyp and its tree): a superset of npm's.
    for (const id of npm.ids) expect(ids(targets), `${file} lacks ${id}`).toContain(id);
    for (const ref of targets.packages) {
      const expected = npm.integrity.get(`${ref.name}@${ref.version}`);
      if (file === 'yarn.lock') {
        expect(ref.integrity).toBeNull(); // Yarn's zip checksum is not npm's integrity: hashed from the tarball
        expect(ref.integrityFromTarball).toBe(true);
      } else if (expected) expect(ref.integrity, `${ref.name}@${ref.version}`).toBe(expected);
    }
    expect(targets.packages.find((p) => p.name === 'kind-of')?.dev).toBe(true);
    expect(targets.packages.find((p) => p.name === 'is-number' && p.version === '7.0.0')?.dev).toBe(false);
    expect(targets.nonRegistry.filter((s) => s.unsupported)).toEqual([]);
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm-lock.yaml'],
    ['bun.lock', 'bun.lock'],
    ['yarn.lock', 'yarn.lock'],
    ['yarn-classic.lock', 'yarn.lock'],
  ])('%s: --omit=dev leaves the dev dependency out, and only it', async (file, as) => {
    const all = ids(await targetsOf(file, as));
    const prod = ids(await targetsOf(file, as, ['dev']));
    expect(all.filter((id) => !prod.includes(id))).toEqual(['kind-of@6.0.3']);
  });

  it('reads an npm: alias as the real package, installed under the alias', async () => {
    for (const [file, as] of [
      ['bun.lock', 'bun.lock'],
      ['yarn.lock', 'yarn.lock'],
      ['yarn-classic.lock', 'yarn.lock'],
    ] as const) {
      const odd = (await targetsOf(file, as)).packages.find((p) => p.name === 'is-odd');
      expect(odd?.aliases, file).toEqual(['my-isodd']);
    }
  });
});

describe('lockfile detection', () => {
  it("with several lockfiles, reads the one package.json's packageManager names, else npm's", async () => {
    const dir = await project('pnpm-lock.yaml', 'pnpm-lock.yaml');
    await cp(join(SHAPES, 'package-lock.json'), join(dir, 'package-lock.json'));
    const npm = await detectLockfile(dir);
    expect(npm.kind).toBe('npm');
    expect(npm.ignored).toEqual([join(dir, 'pnpm-lock.yaml')]);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'shapes', packageManager: 'pnpm@10.34.9' }));
    expect((await detectLockfile(dir)).kind).toBe('pnpm');
    expect((await detectLockfile(dir, 'npm')).kind).toBe('npm');
  });

  it('refuses the binary bun.lockb with what to run instead', async () => {
    const dir = await project(null, 'bun.lockb', 'binary');
    await expect(detectLockfile(dir)).rejects.toMatchObject({ code: 'NO_LOCKFILE', hint: expect.stringContaining('--save-text-lockfile') });
  });
});

describe('broken and edited lockfiles are usage errors naming the file and path', () => {
  it.each([
    ['pnpm-lock.yaml', 'lockfileVersion: 9.0\nimporters: [', '(syntax)'],
    ['pnpm-lock.yaml', "lockfileVersion: '6.0'\n", 'lockfileVersion'],
    [
      'pnpm-lock.yaml',
      "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\n",
      'importers...dependencies.a',
    ],
    ['pnpm-lock.yaml', "lockfileVersion: '9.0'\na: &x [1]\nb: *x\n", '(syntax)'],
    ['bun.lock', '{ "lockfileVersion": 1, "packages": { "a": ["a@1.0.0", "", {}, "sha512-x"], } ', '(syntax)'],
    ['bun.lock', '{ "lockfileVersion": 1, "packages": { "a": "a@1.0.0" } }', 'packages.a'],
    ['bun.lock', '{ "lockfileVersion": 1, "workspaces": { "": { "dependencies": { "b": "^1" } } }, "packages": {} }', 'workspaces..dependencies.b'],
    ['yarn.lock', '__metadata:\n  version: 8\n\n"a@npm:^1":\n  version: 1.0.0\n', '"a@npm:^1".resolution'],
  ])('%s: %j → LOCKFILE_PARSE at %s', async (as, text, path) => {
    const dir = await project(null, as, text);
    const error = await foreignLockfileTargets(dir, await detectLockfile(dir), () => REGISTRY, []).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(VouchError);
    expect(error).toMatchObject({ code: 'LOCKFILE_PARSE', where: { file: join(dir, as), path } });
  });

  it('a registry entry without integrity is kept, with none (a finding later), never dropped', async () => {
    const text =
      "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {}\nsnapshots:\n  a@1.0.0: {}\n";
    const dir = await project(null, 'pnpm-lock.yaml', text);
    const targets = await foreignLockfileTargets(dir, await detectLockfile(dir), () => REGISTRY, []);
    expect(targets.packages.map((p) => [p.name, p.version, p.integrity])).toEqual([['a', '1.0.0', null]]);
  });
});

describe('generated edits: a reader never loses what an edited lockfile pins', () => {
  it.each([
    ['pnpm-lock.yaml', 'pnpm-lock.yaml'],
    ['bun.lock', 'bun.lock'],
    ['yarn-classic.lock', 'yarn.lock'],
  ])('%s: every sha512 replaced, one at a time, reaches the targets as the new integrity', async (file, as) => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(join(SHAPES, file), 'utf8');
    const hashes = [...new Set(text.match(/sha512-[A-Za-z0-9+/]+=*/g) ?? [])];
    expect(hashes.length).toBeGreaterThan(4);
    for (const [i, hash] of hashes.entries()) {
      const forged = `sha512-${Buffer.alloc(64, i + 1).toString('base64')}`;
      const dir = await project(null, as, text.split(hash).join(forged));
      const targets = await foreignLockfileTargets(dir, await detectLockfile(dir), () => REGISTRY, []);
      expect(
        targets.packages.some((p) => p.integrity === forged),
        `${file}: ${hash} replaced`,
      ).toBe(true);
      expect(
        targets.packages.some((p) => p.integrity === hash),
        `${file}: ${hash} still there`,
      ).toBe(false);
    }
  });
});
