// The node_modules tree digest: the same tree gives the same digest however it was written, and any change
// to a file's bytes, a symlink's target, or the set of entries changes it.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { treeDigestOf } from '../../../lib/installed/index.js';

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A project folder whose node_modules holds `files` (path → text) and `links` (path → target). */
async function project(files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-tree-digest-'));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, 'node_modules', path, '..'), { recursive: true });
    await writeFile(join(dir, 'node_modules', path), text);
  }
  for (const [path, target] of Object.entries(links)) {
    await mkdir(join(dir, 'node_modules', path, '..'), { recursive: true });
    await symlink(target, join(dir, 'node_modules', path));
  }
  return dir;
}

const BASE = { 'a/package.json': '{"name":"a"}', 'a/index.js': 'module.exports = 1;\n', '.package-lock.json': '{}' };

describe('treeDigestOf', () => {
  it('is sha256 over the sorted `path\\0kind\\0value\\n` lines', async () => {
    const dir = await project({ 'b.js': 'b', 'a.js': 'a' }, { '.bin/x': '../a.js' });
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const lines = [`node_modules/.bin/x\0link\0../a.js\n`, `node_modules/a.js\0file\0${sha('a')}\n`, `node_modules/b.js\0file\0${sha('b')}\n`].join('');
    expect(await treeDigestOf(dir)).toEqual({ sha256: sha(lines), entries: 3 });
  });

  it('gives the same digest for the same tree written in another order', async () => {
    const reversed = Object.fromEntries(Object.entries(BASE).reverse());
    expect(await treeDigestOf(await project(BASE))).toEqual(await treeDigestOf(await project(reversed)));
  });

  it("changes with a file's bytes, an added file, npm's hidden lockfile, and a symlink target", async () => {
    const base = (await treeDigestOf(await project(BASE, { '.bin/a': '../a/index.js' })))!.sha256;
    const variants = [
      await project({ ...BASE, 'a/index.js': 'module.exports = 2;\n' }, { '.bin/a': '../a/index.js' }),
      await project({ ...BASE, 'a/extra.js': '' }, { '.bin/a': '../a/index.js' }),
      await project({ ...BASE, '.package-lock.json': '{ }' }, { '.bin/a': '../a/index.js' }),
      await project(BASE, { '.bin/a': '../a/package.json' }),
    ];
    for (const dir of variants) expect((await treeDigestOf(dir))!.sha256).not.toBe(base);
  });

  it('is null without node_modules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-tree-digest-'));
    made.push(dir);
    expect(await treeDigestOf(dir)).toBeNull();
  });
});
