// lib/registry/packument.ts packumentPath: the path npm asks a registry for (npm-package-arg's
// escapedName) for every name in the project's real lockfile and in the bench's scoped names; a name
// that is not a valid package name cannot climb out of the registry's path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import npa from 'npm-package-arg';
import { describe, expect, it } from 'vitest';
import { packumentPath } from '../../../lib/registry/packument.js';

const lockfile = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package-lock.json', import.meta.url)), 'utf8')) as {
  packages: Record<string, { name?: string }>;
};

function lockedNames(): string[] {
  const names = new Set<string>();
  for (const [location, entry] of Object.entries(lockfile.packages)) {
    const folder = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (location.includes('node_modules/')) names.add(folder);
    if (entry.name) names.add(entry.name);
  }
  return [...names];
}

describe('packumentPath', () => {
  it("is npm-package-arg's escapedName for every name of a real lockfile", () => {
    const names = [...lockedNames(), '@bs-scope0/pkg-12', 'JSONStream', 'left-pad', '@types/node'];
    expect(names.filter((n) => n.startsWith('@')).length).toBeGreaterThan(10);
    for (const name of names) expect(packumentPath(name), name).toBe(npa(name).escapedName);
  });

  it('keeps a name that is not a package name inside the registry path', () => {
    const registry = 'http://127.0.0.1:4873/npm/';
    for (const name of ['../admin', '@scope/../../x', 'a?b=c', 'x#y', '%2e%2e']) {
      const url = new URL(packumentPath(name), registry);
      expect(url.pathname.startsWith('/npm/'), name).toBe(true);
      expect(url.search + url.hash, name).toBe('');
      expect(url.pathname.slice('/npm/'.length).includes('/'), name).toBe(false);
    }
  });
});
