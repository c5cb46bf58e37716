// fetchedSources: the git / remote dependencies arborist would contact while building the ideal tree,
// judged before it runs (vouch install arguments and the root manifest's declared dependencies).
import { describe, expect, it } from 'vitest';
import { fetchedSources } from '../../../lib/tree/index.js';

describe('fetchedSources', () => {
  it('lists git and remote install arguments, named by their spec when they carry no name', () => {
    expect(
      fetchedSources(
        ['github:acme/tool', 'named@git+https://example.test/r.git#v1', 'https://example.test/t.tgz', 'left-pad@^1', './local', 'x@file:../x.tgz'],
        {},
      ),
    ).toEqual([
      { name: 'github:acme/tool', kind: 'git', spec: 'github:acme/tool', locations: [] },
      { name: 'https://example.test/t.tgz', kind: 'remote', spec: 'https://example.test/t.tgz', locations: [] },
      { name: 'named', kind: 'git', spec: 'git+https://example.test/r.git#v1', locations: [] },
    ]);
  });

  it('lists git and remote dependencies of every kind the root manifest declares, and nothing from a registry or disk', () => {
    const manifest = {
      dependencies: { a: '^1.0.0', gitdep: 'github:acme/gitdep', aliased: 'npm:b@2' },
      devDependencies: { tarball: 'https://example.test/t-1.0.0.tgz', local: 'file:../local' },
      optionalDependencies: { opt: 'gitlab:acme/opt#semver:^1' },
      peerDependencies: { peer: '*' },
      scripts: { postinstall: 'github:not/a-dependency' },
    };
    expect(fetchedSources([], manifest).map((r) => `${r.kind} ${r.name} ${r.spec} ${r.locations.join(',')}`)).toEqual([
      'git gitdep github:acme/gitdep node_modules/gitdep',
      'git opt gitlab:acme/opt#semver:^1 node_modules/opt',
      'remote tarball https://example.test/t-1.0.0.tgz node_modules/tarball',
    ]);
  });

  it('leaves an unparseable argument to arborist, which rejects it without fetching', () => {
    expect(fetchedSources(['@@@'], {})).toEqual([]);
  });
});
