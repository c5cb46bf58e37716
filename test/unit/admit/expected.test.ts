// What the admission preload expects where: npm's record of node_modules joined with vouch.lock, and
// the folders that matched remembered across starts by their files' metadata.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionSetupError, expectedFromLock } from '../../../lib/admit/index.js';
import { MatchedFolders } from '../../../lib/admit/matched-folders.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-admit-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const I = (n: number) => `sha512-${String(n).repeat(86)}==`;

async function project(name: string, files: Record<string, unknown>): Promise<string> {
  const dir = join(work, name);
  for (const [path, doc] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  return dir;
}

const lock = (versions: Record<string, Record<string, number>>) => ({
  lockVersion: 1,
  packages: Object.fromEntries(
    Object.entries(versions).map(([name, v]) => [
      name,
      { versions: Object.fromEntries(Object.entries(v).map(([ver, i]) => [ver, { integrity: I(i), evidence: 'sha256:x' }])) },
    ]),
  ),
});

describe('expectedFromLock', () => {
  it('maps each installed folder to the integrity vouch.lock records for its name@version (aliases by their real name)', async () => {
    const dir = await project('plain', {
      'vouch.lock': lock({ a: { '1.0.0': 1 }, real: { '2.0.0': 2 } }),
      'node_modules/.package-lock.json': {
        packages: {
          '': { name: 'app' },
          'node_modules/a': { version: '1.0.0', integrity: I(1) },
          'node_modules/alias': { name: 'real', version: '2.0.0', integrity: I(2), hasInstallScript: true },
          'node_modules/ws': { resolved: 'packages/ws', link: true },
          'packages/ws': { version: '0.0.0' },
        },
      },
    });
    const tree = await expectedFromLock(dir);
    expect([...tree.expected]).toEqual([
      ['node_modules/a', I(1)],
      ['node_modules/alias', I(2)],
    ]);
    expect([...tree.unchecked]).toEqual(['node_modules/ws']);
    expect([...tree.scripted]).toEqual(['node_modules/alias']);
    expect(tree.problems).toEqual([]);
  });

  it('reports a package vouch.lock does not record, or records with other bytes', async () => {
    const dir = await project('unvouched', {
      'vouch.lock': lock({ a: { '1.0.0': 1 } }),
      'node_modules/.package-lock.json': {
        packages: {
          'node_modules/a': { version: '1.0.0', integrity: I(3) },
          'node_modules/b': { version: '1.0.0', integrity: I(4) },
        },
      },
    });
    const tree = await expectedFromLock(dir);
    expect(tree.expected.size).toBe(0);
    expect(tree.problems.map((p) => [p.location, p.code])).toEqual([
      ['node_modules/a', 'ADMIT_NOT_VOUCHED'],
      ['node_modules/b', 'ADMIT_NOT_VOUCHED'],
    ]);
  });

  it('falls back to package-lock.json, where an omitted dev or optional package may be absent', async () => {
    const dir = await project('fallback', {
      'vouch.lock': lock({ a: { '1.0.0': 1 }, d: { '1.0.0': 5 } }),
      'package-lock.json': { packages: { 'node_modules/a': { version: '1.0.0' }, 'node_modules/d': { version: '1.0.0', dev: true } } },
      'node_modules/a/index.js': '',
    });
    expect([...(await expectedFromLock(dir)).expected.keys()]).toEqual(['node_modules/a']);
  });

  it('refuses to guess without vouch.lock or a record of node_modules', async () => {
    await expect(expectedFromLock(await project('no-lock', { 'package-lock.json': { packages: {} } }))).rejects.toBeInstanceOf(AdmissionSetupError);
    await expect(expectedFromLock(await project('no-record', { 'vouch.lock': lock({}) }))).rejects.toBeInstanceOf(AdmissionSetupError);
  });
});

describe('MatchedFolders', () => {
  const state = (ctimeMs: number) => ({ size: 3, mtimeMs: 1, ctimeMs, ino: 7 });

  it('matches a folder saved before only with the same integrity, the same files and the same metadata', async () => {
    const file = join(work, 'matched.json');
    const cache = await MatchedFolders.open(file);
    cache.remember(
      '/p/node_modules/a',
      I(1),
      new Map([
        ['index.js', state(5)],
        ['link', null],
      ]),
    );
    await cache.save();
    const warm = await MatchedFolders.open(file);
    expect(
      warm.matches(
        '/p/node_modules/a',
        I(1),
        new Map([
          ['index.js', state(5)],
          ['link', null],
        ]),
      ),
    ).toBe(true);
    expect(
      warm.matches(
        '/p/node_modules/a',
        I(2),
        new Map([
          ['index.js', state(5)],
          ['link', null],
        ]),
      ),
    ).toBe(false);
    expect(
      warm.matches(
        '/p/node_modules/a',
        I(1),
        new Map([
          ['index.js', state(6)],
          ['link', null],
        ]),
      ),
    ).toBe(false);
    expect(warm.matches('/p/node_modules/a', I(1), new Map([['index.js', state(5)]]))).toBe(false);
    expect(
      warm.matches(
        '/p/node_modules/a',
        I(1),
        new Map([
          ['index.js', state(5)],
          ['link', state(5)],
        ]),
      ),
    ).toBe(false);
    expect(warm.matches('/p/node_modules/b', I(1), new Map())).toBe(false);
  });

  it('starts empty from a corrupt file', async () => {
    const file = join(work, 'corrupt.json');
    await writeFile(file, '{ nope');
    expect((await MatchedFolders.open(file)).matches('/p', I(1), new Map())).toBe(false);
  });
});
