// The soundness harness's case generator: seeded, deterministic, every kind represented early in the order.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../../soundness/corpus/catalog.js';
import type { StoredTarball } from '../../../soundness/corpus/tarball-store.js';
import type { Lockfile } from '../../../soundness/lockfile.js';
import { generateCases, stratifiedOrder } from '../../../soundness/mutations/index.js';

const signed = (name: string, version: string): StoredTarball => ({
  file: `/x/${name}-${version}.tgz`,
  name,
  version,
  integrity: `sha512-${name}${version}`,
  files: new Map(),
  hasShrinkwrap: false,
});
const catalog = new Catalog([signed('a', '1.0.0'), signed('a', '2.0.0'), signed('b', '1.0.0'), signed('c', '1.0.0')]);
const entry = (name: string, version: string, extra: object = {}) => ({
  version,
  resolved: `http://registry.soundness.invalid/${name}/-/${name}-${version}.tgz`,
  integrity: `sha512-${name}${version}`,
  ...extra,
});
const lock: Lockfile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'root', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^1.0.0' } },
    'node_modules/a': entry('a', '1.0.0'),
    'node_modules/b': entry('b', '1.0.0', { dependencies: { a: '^2.0.0', c: '^1.0.0' } }),
    'node_modules/b/node_modules/a': entry('a', '2.0.0'),
    'node_modules/c': entry('c', '1.0.0', { dev: true }),
  },
};

describe('generateCases', () => {
  it('gives the same cases for the same seed, and other picks for another seed', () => {
    const tree = { name: 't', lock, catalog };
    const ids = (seed: number) => generateCases([tree], seed).map((c) => c.id);
    expect(ids(1)).toEqual(ids(1));
    expect(ids(1)).not.toEqual(ids(2));
    expect(new Set(ids(1)).size).toBe(ids(1).length);
  });

  it('orders them so that a prefix as long as the number of kinds holds one case of every kind', () => {
    const cases = generateCases([{ name: 't', lock, catalog }], 1);
    const kinds = new Set(cases.map((c) => c.kind));
    const prefix = stratifiedOrder(cases, 1).slice(0, kinds.size);
    expect(new Set(prefix.map((c) => c.kind))).toEqual(kinds);
  });
});
