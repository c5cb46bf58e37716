import { describe, expect, it } from 'vitest';
import { lineOfLocation, lockfileLineIndex } from '../../../lib/cli/render/lockfile-lines.js';

// A lockfile v3 as npm writes it (two-space JSON), with traps: a location string used as a value,
// a nested "packages" key inside an entry, and a scoped, nested location.
const LOCK = {
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0', '@s/b': '^2.0.0' }, workspaces: ['packages/w'] },
    'node_modules/w': { resolved: 'packages/w', link: true },
    'node_modules/a': { version: '1.0.0', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', integrity: 'sha512-x' },
    'node_modules/@s/b': { version: '2.0.0', packages: { 'node_modules/zzz': 'not a location' } },
    'node_modules/@s/b/node_modules/a': { version: '2.0.0' },
    'packages/w': { version: '0.0.1', dependencies: { c: '1' } },
    'packages/w/node_modules/c': { version: '1.0.0' },
  },
};

function lineOfKey(text: string, key: string): number {
  return text.split('\n').findIndex((l) => l.trimStart().startsWith(`${JSON.stringify(key)}:`)) + 1;
}

describe('lockfileLineIndex', () => {
  const text = JSON.stringify(LOCK, null, 2);
  const index = lockfileLineIndex(text);

  it('finds the line of every packages key, nested and workspace ones included', () => {
    for (const key of Object.keys(LOCK.packages)) {
      expect(index.get(key), key).toBe(lineOfKey(text, key));
    }
    expect(index.get('node_modules/@s/b/node_modules/a')).toBeGreaterThan(index.get('node_modules/@s/b') ?? Infinity);
  });

  it('ignores keys below the packages level and location-looking values', () => {
    expect(index.has('node_modules/zzz')).toBe(false);
    expect(index.has('dependencies')).toBe(false);
    expect(index.has('name')).toBe(false);
    expect([...index.keys()].sort()).toEqual(Object.keys(LOCK.packages).sort());
  });

  it('works with tab indentation, CRLF line ends and escaped characters in keys', () => {
    const tabbed = JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/a': {}, 'node_modules/q"x': {} } }, null, '\t').replace(/\n/g, '\r\n');
    const idx = lockfileLineIndex(tabbed);
    expect(idx.get('node_modules/a')).toBe(4);
    expect(idx.get('node_modules/q"x')).toBe(5);
  });

  it('falls back to line 1 for unknown locations and for text that is not a lockfile', () => {
    expect(lineOfLocation(index, 'node_modules/nope')).toBe(1);
    expect(lineOfLocation(index, 'node_modules/a')).toBe(lineOfKey(text, 'node_modules/a'));
    expect(lockfileLineIndex('').size).toBe(0);
    expect(lockfileLineIndex('{"packages": [1, 2').size).toBe(0);
    expect(lockfileLineIndex('not json "node_modules/a": {').size).toBe(0);
    // lockfile v1 has no packages object
    expect(lockfileLineIndex(JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: '1.0.0' } } }, null, 2)).size).toBe(0);
  });
});
