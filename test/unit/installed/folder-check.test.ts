// The file list made from a tarball against what pacote (npm's extractor) actually writes: the same
// tarball extracted by pacote must compare clean, and each change to the folder is named.
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import pacote from 'pacote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInstalledFolders, type FileManifest } from '../../../lib/installed/index.js';
import { compareFolder, hashFile, snapshotFolder } from '../../../lib/installed/folder-check.js';
import type { FolderCache } from '../../../lib/installed/index.js';
import { readPackageContents } from '../../../lib/registry/index.js';

/** A ustar entry: type '0' a file, '2' a symlink to `link`, '1' a hard link to `link`. */
interface Entry {
  path: string;
  body?: string;
  type?: '0' | '1' | '2' | '5';
  link?: string;
}

function tarball(entries: readonly Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { path, body: text = '', type = '0', link = '' } of entries) {
    const body = Buffer.from(type === '0' ? text : '');
    const header = Buffer.alloc(512);
    header.write(path, 0, 100, 'utf8');
    header.write(type === '5' ? '0000755\0' : '0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write(type, 156);
    header.write(link, 157, 100, 'utf8');
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const ENTRIES: Entry[] = [
  { path: 'package/', type: '5' },
  { path: 'package/package.json', body: JSON.stringify({ name: 'p', version: '1.0.0', bin: { p: 'bin/p.js' } }) },
  { path: 'package/index.js', body: 'module.exports = 1;\n' },
  { path: 'package/bin/p.js', body: '#!/usr/bin/env node\n' },
  { path: 'package/lib/.gitignore', body: 'dist\n' }, // pacote writes it as lib/.npmignore
  { path: 'package/index.js', body: 'module.exports = 2;\n' }, // the last entry at a path wins
  { path: 'package/link.js', type: '2', link: 'index.js' }, // links are not extracted
  { path: 'package/hard.js', type: '1', link: 'package/index.js' },
  { path: 'package/node_modules/bundled/index.js', body: 'b' }, // a bundled package: its own node
  { path: 'package/big.bin', body: 'x'.repeat(1024 * 1024 + 7) }, // streamed, not read whole
];

let work: string;
let extracted: string;
let manifest: FileManifest;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-folder-check-'));
  const file = join(work, 'p.tgz');
  await writeFile(file, tarball(ENTRIES));
  extracted = join(work, 'extracted');
  await pacote.extract(`file:${file}`, extracted, { cache: join(work, 'cache') });
  const contents = await readPackageContents(Readable.from([tarball(ENTRIES)]), 'p', { digests: true });
  manifest = { integrity: 'sha512-x', files: Object.fromEntries(contents.files ?? []) };
});

afterAll(() => rm(work, { recursive: true, force: true }));

const compare = (dir: string) => compareFolder(dir, snapshotFolder(dir), manifest, hashFile);

describe('compareFolder', () => {
  it('finds a folder pacote extracted identical to the file list of the same tarball', async () => {
    expect(Object.keys(manifest.files).sort()).toEqual(['big.bin', 'bin/p.js', 'index.js', 'lib/.npmignore', 'node_modules/bundled/index.js', 'package.json']);
    expect(await compare(extracted)).toEqual({ modified: [], missing: [], added: [] });
  });

  it("names modified, missing and added files, links included; the folder's node_modules is not its own", async () => {
    const dir = join(work, 'tampered');
    await pacote.extract(`file:${join(work, 'p.tgz')}`, dir, { cache: join(work, 'cache') });
    await writeFile(join(dir, 'index.js'), 'module.exports = 3;\n');
    await writeFile(join(dir, 'big.bin'), 'y'.repeat(1024 * 1024 + 7));
    await unlink(join(dir, 'bin', 'p.js'));
    await mkdir(join(dir, 'lib', 'new'), { recursive: true });
    await writeFile(join(dir, 'lib', 'new', 'x.js'), '');
    await symlink('index.js', join(dir, 'alias.js'));
    await mkdir(join(dir, 'node_modules', 'other'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'other', 'index.js'), '');
    expect(await compare(dir)).toEqual({ modified: ['big.bin', 'index.js'], missing: ['bin/p.js'], added: ['alias.js', 'lib/new/x.js'] });
  });
});

describe('checkInstalledFolders', () => {
  it("matches a folder again without reading a byte while its files' sizes, times and inodes are unchanged; a write is read again", async () => {
    const remembered = new Map<string, string>();
    const cache: FolderCache = {
      matches: (dir, integrity, snapshot) => remembered.get(dir) === `${integrity} ${JSON.stringify([...snapshot])}`,
      remember: (dir, integrity, snapshot) => void remembered.set(dir, `${integrity} ${JSON.stringify([...snapshot])}`),
    };
    let lists = 0;
    const manifestOf = async () => {
      lists++;
      return manifest;
    };
    await pacote.extract(`file:${join(work, 'p.tgz')}`, join(work, 'cached'), { cache: join(work, 'cache') });
    const check = () => checkInstalledFolders(work, [{ location: 'cached', integrity: 'sha512-x' }], { manifestOf, cache });
    expect((await check()).map((c) => c.kind)).toEqual(['match']);
    expect(lists).toBe(1);
    expect((await check()).map((c) => c.kind)).toEqual(['match']);
    expect(lists).toBe(1); // warm: the file list was not even needed
    await writeFile(join(work, 'cached', 'index.js'), 'module.exports = 9;\n'); // the original's size
    expect(await check()).toMatchObject([{ kind: 'differs', modified: ['index.js'] }]);
    expect(lists).toBe(2);
  });

  it('reports a folder without a file list as unknown, never as a match', async () => {
    const checks = await checkInstalledFolders(work, [{ location: 'extracted', integrity: 'sha512-none' }], { manifestOf: async () => null });
    expect(checks.map((c) => c.kind)).toEqual(['unknown']);
  });

  it('reports a missing folder as every file missing', async () => {
    const [check] = await checkInstalledFolders(work, [{ location: 'absent', integrity: 'sha512-x' }], { manifestOf: async () => manifest });
    expect(check).toMatchObject({ kind: 'differs', missing: ['big.bin', 'bin/p.js', 'index.js', 'lib/.npmignore', 'package.json'] });
  });
});
