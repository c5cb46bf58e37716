// The soundness harness's oracle: what an install wrote, read back (readInstalledTree), and judged
// against reference tarballs (checkWrittenBytes). Pure: no files, no registry.
import { describe, expect, it } from 'vitest';
import { checkWrittenBytes, type Reference, type References } from '../../../soundness/check/written-bytes.js';
import type { StoredTarball } from '../../../soundness/corpus/tarball-store.js';
import type { TreeEntry } from '../../../soundness/install/file-hashes.js';
import { packageFolderOf, readInstalledTree } from '../../../soundness/install/installed-tree.js';

const file = (sha256: string): TreeEntry => ({ kind: 'file', sha256 });
const tarball = (name: string, files: Record<string, string>): StoredTarball => ({
  file: `/x/${name}.tgz`,
  name,
  version: '1.0.0',
  integrity: `sha512-${name}`,
  files: new Map(Object.entries(files)),
  hasShrinkwrap: false,
});
const only =
  (refs: Record<string, StoredTarball>): References =>
  (location) => {
    const t = refs[location];
    return t ? { refs: [{ tarball: t, prefix: '', what: `verified ${t.name}` } satisfies Reference] } : { refs: [], problem: 'not verified here' };
  };

describe('packageFolderOf', () => {
  it('finds the deepest node_modules package folder, scoped or not', () => {
    expect(packageFolderOf('node_modules/a/lib/x.js')).toBe('node_modules/a');
    expect(packageFolderOf('node_modules/a/node_modules/@s/b/index.js')).toBe('node_modules/a/node_modules/@s/b');
    expect(packageFolderOf('node_modules/@s')).toBeNull();
    expect(packageFolderOf('vendor/evil/index.js', ['vendor/evil'])).toBe('vendor/evil');
    expect(packageFolderOf('README.md')).toBeNull();
  });
});

describe('readInstalledTree', () => {
  it("assigns written files to package folders, keeps package links, and leaves out npm's bookkeeping and unchanged files", () => {
    const before = new Map<string, TreeEntry>([['package.json', file('p')]]);
    const after = new Map<string, TreeEntry>([
      ['package.json', file('p')],
      ['node_modules/.package-lock.json', file('h')],
      ['node_modules/.bin/tool', { kind: 'link', target: '../a/cli.js' }],
      ['node_modules/a/index.js', file('1')],
      ['node_modules/@w/app', { kind: 'link', target: '../../packages/app' }],
      ['stray.txt', file('s')],
    ]);
    const tree = readInstalledTree(before, after, ['', 'node_modules/a', 'packages/app']);
    expect([...tree.folders]).toEqual([['node_modules/a', new Map([['index.js', '1']])]]);
    expect([...tree.links]).toEqual([['node_modules/@w/app', 'packages/app']]);
    expect(tree.strays).toEqual(['stray.txt']);
  });
});

describe('checkWrittenBytes', () => {
  const a = tarball('a', { 'index.js': '1', 'node_modules/b/index.js': '2' });

  it("passes a folder whose files are its verified tarball's, and a bundled folder whose files are the bundler's", () => {
    const after = new Map<string, TreeEntry>([
      ['node_modules/a/index.js', file('1')],
      ['node_modules/a/node_modules/b/index.js', file('2')],
    ]);
    const tree = readInstalledTree(new Map(), after, []);
    expect(checkWrittenBytes(tree, only({ 'node_modules/a': a }), new Set(), [])).toEqual([]);
  });

  it('reports the first file that differs, a folder with nothing verified, a link outside the workspaces and a stray', () => {
    const after = new Map<string, TreeEntry>([
      ['node_modules/a/index.js', file('1')],
      ['node_modules/a/evil.js', file('e')],
      ['node_modules/c/index.js', file('3')],
      ['node_modules/d', { kind: 'link', target: '../vendor/d' }],
      ['outside.js', file('o')],
    ]);
    const findings = checkWrittenBytes(readInstalledTree(new Map(), after, []), only({ 'node_modules/a': a }), new Set(['packages/w']), []);
    expect(findings.map((f) => f.path)).toEqual(['node_modules/a/evil.js', 'node_modules/c', 'node_modules/d', 'outside.js']);
    expect(findings[0]?.reason).toMatch(/is not in verified a/);
  });

  it("does not accept a bundled path the bundler's tarball does not ship", () => {
    const after = new Map<string, TreeEntry>([
      ['node_modules/a/index.js', file('1')],
      ['node_modules/a/node_modules/x/index.js', file('9')],
    ]);
    const findings = checkWrittenBytes(readInstalledTree(new Map(), after, []), only({ 'node_modules/a': a }), new Set(), []);
    expect(findings.map((f) => f.path)).toEqual(['node_modules/a/node_modules/x']);
  });
});
