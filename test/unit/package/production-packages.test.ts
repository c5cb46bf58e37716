// vouch's own install stays lean (issue 16): what `npm install vouch` pulls in, read from package-lock.json
// as npm resolves it, is at most 130 packages; Verdaccio comes only with the vouch-registry workspace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { productionClosure, type PackageLock } from '../../support/production-packages.js';

const MAX_PRODUCTION_PACKAGES = 130;
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const isVerdaccio = (location: string) => /(^|\/)node_modules\/(verdaccio|verdaccio-[^/]+|@verdaccio\/[^/]+)$/.test(location);

describe("vouch's production packages (package-lock.json)", () => {
  const lock = readJson(packagePath('package-lock.json')) as PackageLock;
  const manifest = readJson(packagePath('package.json')) as { dependencies: Record<string, string> };

  it(`are at most ${MAX_PRODUCTION_PACKAGES}, every dependency of vouch among them and nothing of Verdaccio`, () => {
    const closure = productionClosure(lock);
    console.log(`vouch production packages: ${closure.size} (at most ${MAX_PRODUCTION_PACKAGES})`);
    for (const name of Object.keys(manifest.dependencies)) expect(closure, name).toContain(`node_modules/${name}`);
    expect([...closure].filter(isVerdaccio)).toEqual([]);
    expect(closure.size).toBeLessThanOrEqual(MAX_PRODUCTION_PACKAGES);
  });

  it('leave Verdaccio to the vouch-registry workspace, whose closure holds it', () => {
    const registry = productionClosure(lock, 'packages/vouch-registry');
    console.log(`vouch-registry production packages: ${registry.size} (vouch itself not counted: a peer)`);
    expect(registry).toContain('node_modules/verdaccio');
    expect([...registry].filter(isVerdaccio).length).toBeGreaterThan(5);
  });
});

describe('productionClosure', () => {
  const lock: PackageLock = {
    packages: {
      '': { dependencies: { a: '^1' }, peerDependencies: { p: '*' } },
      'node_modules/a': { dependencies: { b: '^2' }, optionalDependencies: { gone: '*' } },
      'node_modules/a/node_modules/b': { dependencies: { c: '*' }, peerDependencies: { q: '*' }, peerDependenciesMeta: { q: { optional: true } } },
      'node_modules/b': {}, // b@1 for someone else: a's own b@2 is nested
      'node_modules/c': {},
      'node_modules/p': { dependencies: { ws: '*' } },
      'node_modules/ws': { link: true, resolved: 'packages/ws' },
      'packages/ws': { dependencies: { heavy: '*' } },
      'node_modules/heavy': {},
      'node_modules/dev-only': {},
    },
  };

  it("resolves each dependency from its dependent's folder upwards, as npm placed it, and follows no link", () => {
    expect([...productionClosure(lock)].sort()).toEqual(['node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c', 'node_modules/p']);
  });

  it('starts from a workspace when asked', () => {
    expect([...productionClosure(lock, 'packages/ws')]).toEqual(['node_modules/heavy']);
  });

  it('throws when a required dependency has no entry', () => {
    const broken: PackageLock = { packages: { '': { dependencies: { missing: '*' } } } };
    expect(() => productionClosure(broken)).toThrow(/the root needs missing/);
  });
});
