// What a package links and runs, by its manifest and its verified bytes: bin names normalized as
// bin-links does, `directories.bin` expanded as @npmcli/package-json does, and the install scripts a
// tarball carries (its own, or `node-gyp rebuild` for a binding.gyp) read from real tar bytes.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readPackageContents, type PackageContents } from '../../../lib/registry/index.js';
import type { Node } from '@npmcli/arborist';
import { binLinksOf, binNames, planBins, scriptsInBytes } from '../../../lib/tree/index.js';

/** A ustar archive of `files` (path → text), gzipped as npm packs it. */
function tarball(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
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

const read = (files: Record<string, string>): Promise<PackageContents> => readPackageContents(Readable.from([tarball(files)]), 'fixture');

describe('readPackageContents', () => {
  it('reads package.json, a root binding.gyp and the files of directories.bin from the tarball, first segment stripped', async () => {
    const c = await read({
      'package/package.json': JSON.stringify({ name: 'g', version: '1.0.0', directories: { bin: './tools' } }),
      'package/binding.gyp': '{}',
      'package/tools/run': '#!/bin/sh',
      'package/tools/.hidden': '',
      'package/lib/tools/x': '',
    });
    expect(c.manifest).toMatchObject({ name: 'g' });
    expect(c.bindingGyp).toBe(true);
    expect(c.binDirFiles).toEqual(['tools/.hidden', 'tools/run']);
    expect(binLinksOf({}, c)).toEqual(['run']);
  });

  it('does not take a nested binding.gyp, and keeps the last package.json entry as extraction does', async () => {
    const c = await read({
      'package/package.json': JSON.stringify({ name: 'first' }),
      'package/src/binding.gyp': '{}',
      'other/package.json': JSON.stringify({ name: 'last', scripts: { postinstall: 'node x.js' } }),
    });
    expect(c.bindingGyp).toBe(false);
    expect(c.manifest).toMatchObject({ name: 'last' });
  });

  it('gives no manifest for package.json that is not a JSON object', async () => {
    expect((await read({ 'package/package.json': '{ nope' })).manifest).toBeNull();
    expect((await read({ 'package/package.json': '[1]' })).manifest).toBeNull();
  });

  it('finds nothing in gzipped bytes that are no tar archive (pacote extracts nothing from them either)', async () => {
    expect(await readPackageContents(Readable.from([gzipSync(Buffer.from('x'.repeat(600)))]), 'junk')).toEqual({
      manifest: null,
      bindingGyp: false,
      binDirFiles: [],
    });
  });

  it('fails with TARBALL_UNREADABLE on a broken gzip stream', async () => {
    const broken = tarball({ 'package/package.json': '{}' });
    broken[broken.length - 5]! ^= 0xff; // the gzip trailer's CRC no longer matches
    await expect(readPackageContents(Readable.from([broken]), 'broken')).rejects.toMatchObject({ code: 'TARBALL_UNREADABLE' });
  });
});

describe('scriptsInBytes', () => {
  const contents = (manifest: Record<string, unknown> | null, bindingGyp = false): PackageContents => ({ manifest, bindingGyp, binDirFiles: [] });

  it("lists the tarball's own preinstall, install and postinstall, not other scripts", () => {
    expect(scriptsInBytes(contents({ scripts: { postinstall: 'node evil.js', test: 'x', prepare: 'y' } }), {})).toEqual({ postinstall: 'node evil.js' });
  });

  it('adds node-gyp rebuild for a binding.gyp when neither view defines install or preinstall', () => {
    expect(scriptsInBytes(contents({ name: 'g' }, true), {})).toEqual({ install: 'node-gyp rebuild' });
    expect(scriptsInBytes(contents({ scripts: { postinstall: 'p' } }, true), {})).toEqual({ postinstall: 'p', install: 'node-gyp rebuild' });
    expect(scriptsInBytes(contents({ scripts: { install: 'make' } }, true), { scripts: { install: 'make' } })).toEqual({ install: 'make' });
    // The packument defines none, so arborist's rebuild adds node-gyp rebuild whatever the tarball says.
    expect(scriptsInBytes(contents({ scripts: { preinstall: 'a' } }, true), {})).toEqual({ preinstall: 'a', install: 'node-gyp rebuild' });
  });

  it('honours gypfile: false only when both views opt out', () => {
    expect(scriptsInBytes(contents({ gypfile: false }, true), { gypfile: false })).toEqual({});
    expect(scriptsInBytes(contents({ gypfile: false }, true), {})).toEqual({ install: 'node-gyp rebuild' });
  });
});

describe('binNames', () => {
  it('normalizes as bin-links does: a string under the unscoped name, arrays and keys by basename, bad entries dropped', () => {
    expect(binNames({ name: '@acme/tool', bin: 'cli.js' })).toEqual(['tool']);
    expect(binNames({ bin: ['bin/a.js', 'lib/b'] })).toEqual(['a.js', 'b']);
    expect(binNames({ bin: { '../../node': 'x.js', 'a:b': 'y', tsc: 1, '..': 'z', ok: '' } })).toEqual(['b', 'node']);
    expect(binNames({ bin: 'cli.js' })).toEqual([]);
    expect(binNames(null)).toEqual([]);
  });

  it("joins the names of arborist's manifest and the verified tarball's", () => {
    const c: PackageContents = { manifest: { name: 'x', bin: { tsc: 'a.js' } }, bindingGyp: false, binDirFiles: [] };
    expect(binLinksOf({ name: 'x', bin: { x: 'b.js' } }, c)).toEqual(['tsc', 'x']);
  });
});

describe('planBins', () => {
  const node = (location: string, pkg: Record<string, unknown>, extra: Partial<Node> = {}): Node =>
    ({
      name: location.split('node_modules/').pop()!,
      location,
      version: String(pkg['version'] ?? '1.0.0'),
      package: pkg,
      resolved: `https://r.example/${String(pkg['name'])}/-/x-1.0.0.tgz`,
      edgesIn: new Set(),
      inBundle: false,
      isLink: false,
      ...extra,
    }) as unknown as Node;

  it("puts each command in the .bin folder of the node_modules holding the package, and a workspace link's in the root's", () => {
    const ws = node('packages/ws', { name: 'ws', version: '0.1.0', bin: { wst: 'cli.js' } });
    const bins = planBins(
      {
        extracted: [
          node('node_modules/@acme/tool', { name: '@acme/tool', bin: 'cli.js' }),
          node('node_modules/a/node_modules/b', { name: 'b', bin: { b: 'b.js' } }),
          node('packages/ws/node_modules/c', { name: 'c', bin: { c: 'c.js' } }),
        ],
        links: [node('node_modules/ws', {}, { isLink: true, target: ws } as Partial<Node>)],
      },
      () => undefined,
    );
    expect(bins.map((b) => `${b.dir}/${b.name} ${b.pkg}@${b.version} ${b.location}`)).toEqual([
      'node_modules/.bin/tool @acme/tool@1.0.0 node_modules/@acme/tool',
      'node_modules/.bin/wst ws@0.1.0 node_modules/ws',
      'node_modules/a/node_modules/.bin/b b@1.0.0 node_modules/a/node_modules/b',
      'packages/ws/node_modules/.bin/c c@1.0.0 packages/ws/node_modules/c',
    ]);
  });

  it('adds the names only the verified tarball gives', () => {
    const n = node('node_modules/x', { name: 'x' });
    const contents: PackageContents = { manifest: { name: 'x', directories: { bin: 'tools' } }, bindingGyp: false, binDirFiles: ['tools/node'] };
    expect(planBins({ extracted: [n], links: [] }, () => contents).map((b) => b.name)).toEqual(['node']);
  });
});
