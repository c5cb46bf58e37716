import { describe, expect, it } from 'vitest';
import type { NpmConfig } from '../../../lib/config/index.js';
import { packageListTargets, parsePackageList } from '../../../lib/tree/package-list.js';

const config: NpmConfig = {
  flat: { '@corp:registry': 'https://npm.corp.example/' },
  localPrefix: '/p',
  registry: 'https://registry.npmjs.org/',
  cacheDir: '/c',
  workspaces: undefined,
};

describe('parsePackageList', () => {
  it("reads a manager's list and turns it into targets, one per name@version@integrity, registry per scope", () => {
    const list = parsePackageList(
      JSON.stringify({
        manager: 'pnpm',
        packages: [
          { name: 'a', version: '1.0.0', integrity: 'sha512-AAAA', dev: true },
          { name: 'a', version: '1.0.0', integrity: 'sha512-AAAA', location: 'node_modules/b/node_modules/a' },
          { name: '@corp/x', version: '2.0.0-rc.1', tarball: 'https://npm.corp.example/@corp/x/-/x-2.0.0-rc.1.tgz', optional: true },
        ],
        sources: [{ name: 'g', kind: 'git', spec: 'https://github.com/o/g.git#abc' }],
      }),
      'list.json',
    );
    const targets = packageListTargets(list, config);
    expect(targets.packages).toEqual([
      {
        name: '@corp/x',
        version: '2.0.0-rc.1',
        aliases: [],
        locations: ['node_modules/@corp/x'],
        integrity: null,
        resolved: 'https://npm.corp.example/@corp/x/-/x-2.0.0-rc.1.tgz',
        registry: 'https://npm.corp.example/',
        dev: false,
        optional: true,
        hasInstallScript: false,
      },
      {
        name: 'a',
        version: '1.0.0',
        aliases: [],
        locations: ['node_modules/a', 'node_modules/b/node_modules/a'],
        integrity: 'sha512-AAAA',
        resolved: null,
        registry: 'https://registry.npmjs.org/',
        dev: false,
        optional: false,
        hasInstallScript: false,
      },
    ]);
    expect(targets.nonRegistry).toEqual([{ name: 'g', kind: 'git', spec: 'https://github.com/o/g.git#abc', locations: ['node_modules/g'] }]);
  });

  it('refuses a malformed list with PACKAGE_LIST_PARSE, every problem at its JSON path', () => {
    const text = JSON.stringify({
      manager: 'pnpm',
      packages: [{ name: 'a@1', version: '^1', integrity: 'nope', tarball: 'file:/x', extra: 1 }],
      sources: [{ name: 'g', kind: 'svn', spec: '' }],
    });
    let error: unknown;
    try {
      parsePackageList(text, 'list.json');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'PACKAGE_LIST_PARSE' });
    const paths = (error as { problems: { path: string }[] }).problems.map((p) => p.path).sort();
    expect(paths).toEqual([
      'packages[0].extra',
      'packages[0].integrity',
      'packages[0].name',
      'packages[0].tarball',
      'packages[0].version',
      'sources[0].kind',
      'sources[0].spec',
    ]);
  });

  it('refuses what is not a list: not JSON, no packages array', () => {
    expect(() => parsePackageList('{', 'l')).toThrow(expect.objectContaining({ code: 'PACKAGE_LIST_PARSE' }));
    expect(() => parsePackageList('{"manager":"bun"}', 'l')).toThrow(expect.objectContaining({ code: 'PACKAGE_LIST_PARSE' }));
  });
});
