// Which version an update replaces (the lockfile being replaced, else the highest lower version vouch.lock
// records) and what a manifest says about install scripts, bins and dependencies.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyLock, type Lock } from '../../../lib/lock/index.js';
import { manifestView, predecessorsOf, readReplacedLockfile, type ReplacedLockfile } from '../../../lib/tree/version-change.js';

const ref = (version: string, locations = ['node_modules/widget']) => ({ name: 'widget', version, locations });
const replaced = (entries: Record<string, { name?: string; version: string }>): ReplacedLockfile => ({
  file: 'package-lock.json',
  entries: new Map(Object.entries(entries).map(([l, e]) => [l, { name: e.name ?? 'widget', version: e.version, entry: { version: e.version } }])),
});
const lockWith = (...versions: string[]): Lock => ({
  ...emptyLock(),
  packages: { widget: { versions: Object.fromEntries(versions.map((v) => [v, { evidence: 'sha256:x' }])) } },
});

describe('predecessorsOf', () => {
  it('is the lower version the replaced lockfile had in the same folder', () => {
    expect(predecessorsOf(ref('1.1.0'), replaced({ 'node_modules/widget': { version: '1.0.0' } }), emptyLock()).map((p) => [p.version, p.source])).toEqual([
      ['1.0.0', 'package-lock.json'],
    ]);
  });

  it('ignores a downgrade and another package in that folder (an alias swap), then asks vouch.lock', () => {
    expect(predecessorsOf(ref('1.1.0'), replaced({ 'node_modules/widget': { version: '2.0.0' } }), emptyLock())).toEqual([]);
    expect(
      predecessorsOf(ref('1.1.0'), replaced({ 'node_modules/widget': { name: 'other', version: '1.0.0' } }), lockWith('0.9.0', '1.0.0', '1.2.0')).map((p) => [
        p.version,
        p.source,
      ]),
    ).toEqual([['1.0.0', 'vouch.lock']]);
  });

  it('is none when vouch.lock already records the version (judged when recorded), or the package is new', () => {
    expect(predecessorsOf(ref('1.1.0'), replaced({}), lockWith('1.0.0', '1.1.0'))).toEqual([]);
    expect(predecessorsOf(ref('1.1.0'), replaced({}), emptyLock())).toEqual([]);
  });

  it('lists each distinct older version when the folders held different ones', () => {
    const two = replaced({ 'node_modules/widget': { version: '1.0.0' }, 'node_modules/a/node_modules/widget': { version: '0.5.0' } });
    expect(predecessorsOf(ref('1.1.0', ['node_modules/a/node_modules/widget', 'node_modules/widget']), two, emptyLock()).map((p) => p.version)).toEqual([
      '0.5.0',
      '1.0.0',
    ]);
  });
});

describe('manifestView', () => {
  it('reads install scripts, bins and the dependencies npm installs (optional peers left out)', () => {
    const v = manifestView('packument', {
      name: 'widget',
      bin: 'cli.js',
      scripts: { postinstall: 'node x', test: 'vitest' },
      dependencies: { a: '1' },
      optionalDependencies: { b: '1' },
      peerDependencies: { c: '1', d: '1' },
      peerDependenciesMeta: { d: { optional: true } },
    });
    expect(v).toEqual({ source: 'packument', scripts: { postinstall: 'node x' }, bins: ['widget'], dependencies: ['a', 'b', 'c'] });
  });

  it('adds node-gyp rebuild for a binding.gyp (or gypfile: true) unless install or preinstall is defined', () => {
    expect(manifestView('t', { name: 'w' }, { gyp: true }).scripts).toEqual({ install: 'node-gyp rebuild' });
    expect(manifestView('t', { name: 'w', gypfile: true }).scripts).toEqual({ install: 'node-gyp rebuild' });
    expect(manifestView('t', { name: 'w', scripts: { preinstall: 'p' } }, { gyp: true }).scripts).toEqual({ preinstall: 'p' });
  });
});

describe('readReplacedLockfile', () => {
  it('reads package-lock.json packages by folder, skipping the root and links', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-replaced-'));
    await writeFile(
      join(dir, 'package-lock.json'),
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'p' },
          'node_modules/widget': { version: '1.0.0', hasInstallScript: true },
          'node_modules/w2': { version: '1.0.0', name: 'widget' },
          'node_modules/ws': { link: true, resolved: 'ws' },
        },
      }),
    );
    const read = await readReplacedLockfile(dir);
    expect(read.file).toBe('package-lock.json');
    expect([...read.entries].map(([l, e]) => [l, e.name, e.version])).toEqual([
      ['node_modules/widget', 'widget', '1.0.0'],
      ['node_modules/w2', 'widget', '1.0.0'],
    ]);
  });
});
