// The diff stage's pure parts: reading lockfiles, comparing them, and the lockfile-injection and
// install-script findings, on small hand-written lockfiles.
import { describe, expect, it } from 'vitest';
import {
  compareLockfiles,
  EMPTY_LOCKFILE,
  installScriptFindings,
  lockfileFindings,
  outOfRangeEntries,
  parseLockfile,
  resolveFrom,
  unrequestedEntries,
  type Manifests,
} from '../../../lib/diff/index.js';

type Entry = Record<string, unknown>;

const R = 'https://registry.npmjs.org';
const entry = (name: string, version: string, extra: Entry = {}): Entry => ({
  version,
  resolved: `${R}/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`,
  integrity: `sha512-${name}${version}`,
  ...extra,
});
const lockfile = (packages: Record<string, Entry>) =>
  parseLockfile(JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, ...packages } }), 'package-lock.json');
const manifests = (root: Entry, workspaces: Record<string, Entry> = {}): Manifests => ({ root, workspaces: new Map(Object.entries(workspaces)) });

describe('parseLockfile', () => {
  it('reads entries with their real name (aliases, scopes) and ignores fields of the wrong type', () => {
    const lock = lockfile({
      'node_modules/@s/a': entry('@s/a', '1.0.0', { hasInstallScript: true, dependencies: { b: '^1' } }),
      'node_modules/alias': entry('real', '2.0.0', { name: 'real' }),
      'node_modules/odd': { version: 3, resolved: ['x'], dependencies: { c: 1 } },
    });
    expect(lock.entries.get('node_modules/@s/a')).toMatchObject({ name: '@s/a', version: '1.0.0', hasInstallScript: true, dependencies: { b: '^1' } });
    expect(lock.entries.get('node_modules/alias')?.name).toBe('real');
    expect(lock.entries.get('node_modules/odd')).toMatchObject({ name: 'odd', version: null, resolved: null, dependencies: {} });
    expect(lock.entries.has('')).toBe(false);
  });

  it('refuses text that is not JSON and a lockfile v1 with LOCKFILE_PARSE', () => {
    expect(() => parseLockfile('{', 'x.json')).toThrow(expect.objectContaining({ code: 'LOCKFILE_PARSE' }));
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }), 'x.json')).toThrow(
      expect.objectContaining({ code: 'LOCKFILE_PARSE' }),
    );
  });
});

describe('resolveFrom', () => {
  it('finds a dependency as Node does: nested first, then each enclosing node_modules, then the root', () => {
    const lock = lockfile({
      'node_modules/a': entry('a', '1.0.0'),
      'node_modules/b': entry('b', '1.0.0'),
      'node_modules/a/node_modules/b': entry('b', '2.0.0'),
      'node_modules/@s/c/node_modules/d': entry('d', '1.0.0'),
    });
    expect(resolveFrom(lock, 'node_modules/a', 'b')).toBe('node_modules/a/node_modules/b');
    expect(resolveFrom(lock, 'node_modules/a/node_modules/b', 'b')).toBe('node_modules/a/node_modules/b');
    expect(resolveFrom(lock, 'node_modules/@s/c', 'b')).toBe('node_modules/b');
    expect(resolveFrom(lock, 'node_modules/@s/c', 'd')).toBe('node_modules/@s/c/node_modules/d');
    expect(resolveFrom(lock, 'packages/w', 'a')).toBe('node_modules/a');
    expect(resolveFrom(lock, '', 'zzz')).toBeNull();
  });
});

describe('compareLockfiles', () => {
  const base = lockfile({
    'node_modules/kept': entry('kept', '1.0.0'),
    'node_modules/bumped': entry('bumped', '1.0.0', { dependencies: { kept: '^1' } }),
    'node_modules/gone': entry('gone', '1.0.0'),
    'node_modules/moved': entry('moved', '1.0.0'),
  });

  it('lists added, removed and changed versions, with the versions they replace and their new dependencies', () => {
    const head = lockfile({
      'node_modules/kept': entry('kept', '1.0.0'),
      'node_modules/bumped': entry('bumped', '2.0.0', { dependencies: { kept: '^1', fresh: '^1' } }),
      'node_modules/fresh': entry('fresh', '1.0.0', { hasInstallScript: true, dependencies: { x: '1' } }),
      'node_modules/moved': entry('moved', '1.0.0'),
    });
    const changes = compareLockfiles(base, head);
    expect(changes.map((c) => [c.kind, c.name, c.version, c.from, c.changed])).toEqual([
      ['changed', 'bumped', '2.0.0', ['1.0.0'], ['version']],
      ['added', 'fresh', '1.0.0', [], ['version']],
      ['removed', 'gone', '1.0.0', ['1.0.0'], []],
    ]);
    expect(changes[0]?.newDependencies).toEqual(['fresh']);
    expect(changes[1]).toMatchObject({ newDependencies: ['x'], hasInstallScript: true, hadInstallScript: false, locations: ['node_modules/fresh'] });
  });

  it('treats a version that only moved folder as unchanged, and one whose resolved or integrity changed as changed', () => {
    const head = lockfile({
      'node_modules/kept': entry('kept', '1.0.0'),
      'node_modules/bumped/node_modules/moved': entry('moved', '1.0.0'),
      'node_modules/bumped': entry('bumped', '1.0.0', { dependencies: { kept: '^1' }, resolved: 'https://evil.example/bumped-1.0.0.tgz' }),
      'node_modules/gone': entry('gone', '1.0.0', { integrity: 'sha512-other' }),
    });
    const changes = compareLockfiles(base, head);
    expect(changes.map((c) => [c.kind, c.name, c.changed])).toEqual([
      ['changed', 'bumped', ['resolved']],
      ['changed', 'gone', ['integrity']],
    ]);
    expect(changes[0]?.resolved).toEqual({ before: `${R}/bumped/-/bumped-1.0.0.tgz`, after: 'https://evil.example/bumped-1.0.0.tgz' });
  });

  it('against no base lockfile, lists every package as added; workspace folders are not packages', () => {
    const head = lockfile({ 'node_modules/a': entry('a', '1.0.0'), 'packages/w': { name: 'w', version: '0.0.0' } });
    expect(compareLockfiles(EMPTY_LOCKFILE, head).map((c) => [c.kind, c.name])).toEqual([['added', 'a']]);
  });
});

describe('unrequestedEntries', () => {
  it('reaches entries from package.json (every dependency kind) through the lockfile graph, and reports the rest', () => {
    const head = lockfile({
      'node_modules/a': entry('a', '1.0.0', { dependencies: { b: '^1' }, optionalDependencies: { opt: '1' }, peerDependencies: { peer: '1' } }),
      'node_modules/b': entry('b', '1.0.0'),
      'node_modules/opt': entry('opt', '1.0.0'),
      'node_modules/peer': entry('peer', '1.0.0'),
      'node_modules/dev': entry('dev', '1.0.0'),
      'node_modules/evil': entry('evil', '1.0.0', { dependencies: { 'evil-dep': '1' } }),
      'node_modules/evil-dep': entry('evil-dep', '1.0.0'),
      'node_modules/a/node_modules/stray': entry('stray', '1.0.0'),
    });
    const found = unrequestedEntries(head, manifests({ dependencies: { a: '^1' }, devDependencies: { dev: '1' } }));
    expect(found.map((e) => e.location)).toEqual(['node_modules/a/node_modules/stray', 'node_modules/evil', 'node_modules/evil-dep']);
  });

  it("reads what the root asks for from package.json, not from the lockfile's own root entry", () => {
    const head = parseLockfile(JSON.stringify({ packages: { '': { dependencies: { evil: '1' } }, 'node_modules/evil': entry('evil', '1.0.0') } }), 'x');
    expect(unrequestedEntries(head, manifests({})).map((e) => e.name)).toEqual(['evil']);
  });

  it('follows workspaces and their links, and links to their targets', () => {
    const head = lockfile({
      'packages/w': { name: 'w', version: '1.0.0', dependencies: { 'lock-says': '1' } },
      'node_modules/w': { resolved: 'packages/w', link: true },
      'packages/w/node_modules/x': entry('x', '1.0.0'),
      'node_modules/y': entry('y', '1.0.0'),
      'node_modules/lock-says': entry('lock-says', '1.0.0'),
    });
    const found = unrequestedEntries(head, manifests({ workspaces: ['packages/*'] }, { 'packages/w': { dependencies: { x: '1', y: '1' } } }));
    expect(found.map((e) => e.location)).toEqual(['node_modules/lock-says']);
  });
});

describe('outOfRangeEntries', () => {
  const head = lockfile({
    'node_modules/ok': entry('ok', '1.2.0'),
    'node_modules/outside': entry('outside', '2.0.0'),
    'node_modules/swapped': entry('evil', '1.0.0', { name: 'evil' }),
    'node_modules/aliased': entry('real', '1.0.0', { name: 'real' }),
    'node_modules/tagged': entry('tagged', '9.0.0'),
    'node_modules/gitdep': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/r.git#abc' },
  });
  const root = { dependencies: { ok: '^1.0.0', outside: '^1.0.0', swapped: '^1.0.0', aliased: 'npm:real@^1', tagged: 'latest', gitdep: 'github:o/r' } };

  it('reports a version outside the range and an entry that is another package, saying whether package.json changed', () => {
    const found = outOfRangeEntries(head, manifests(root), manifests({ dependencies: { ...root.dependencies, outside: '^0.9.0' } }));
    expect(found.map((o) => [o.entry.location, o.reason, o.spec, o.baseSpec])).toEqual([
      ['node_modules/outside', 'version', '^1.0.0', '^0.9.0'],
      ['node_modules/swapped', 'name', '^1.0.0', '^1.0.0'],
    ]);
  });

  it('judges workspace dependencies against the workspace package.json', () => {
    const ws = lockfile({
      'packages/w': { name: 'w', version: '1.0.0' },
      'packages/w/node_modules/x': entry('x', '3.0.0'),
      'node_modules/x': entry('x', '1.0.0'),
    });
    const found = outOfRangeEntries(ws, manifests({ dependencies: { x: '^1' } }, { 'packages/w': { dependencies: { x: '^2' } } }), manifests({}));
    expect(found.map((o) => [o.entry.location, o.declaredBy])).toEqual([['packages/w/node_modules/x', 'packages/w']]);
  });
});

describe('lockfileFindings and installScriptFindings', () => {
  it('turns each injection into a deny finding at the head lockfile location', () => {
    const base = lockfile({ 'node_modules/a': entry('a', '1.0.0') });
    const head = lockfile({ 'node_modules/a': entry('a', '1.0.0', { integrity: 'sha512-new' }), 'node_modules/evil': entry('evil', '1.0.0') });
    const m = manifests({ dependencies: { a: '^1' } });
    const found = lockfileFindings(compareLockfiles(base, head), head, m, m);
    expect([...found].map(([location, fs]) => [location, fs.map((f) => [f.code, f.severity])])).toEqual([
      ['node_modules/evil', [['LOCKFILE_UNREQUESTED', 'deny']]],
      ['node_modules/a', [['LOCKFILE_RESOLVED_CHANGED', 'deny']]],
    ]);
    expect(found.get('node_modules/a')?.[0]?.message).toContain('integrity "sha512-a1.0.0" → "sha512-new"');
  });

  it('flags a new package with install scripts by the lockfile or the registry manifest, not a new version of one that had them', () => {
    const base = lockfile({ 'node_modules/had': entry('had', '1.0.0', { hasInstallScript: true }) });
    const head = lockfile({
      'node_modules/had': entry('had', '2.0.0', { hasInstallScript: true }),
      'node_modules/flagged': entry('flagged', '1.0.0', { hasInstallScript: true }),
      'node_modules/hidden': entry('hidden', '1.0.0'),
      'node_modules/quiet': entry('quiet', '1.0.0'),
    });
    const scripts: Record<string, Record<string, string>> = { hidden: { postinstall: 'node steal.js' } };
    const found = installScriptFindings(compareLockfiles(base, head), (c) => scripts[c.name] ?? {});
    expect([...found.keys()]).toEqual(['node_modules/flagged', 'node_modules/hidden']);
    expect(found.get('node_modules/hidden')?.[0]).toMatchObject({ code: 'INSTALL_SCRIPT_ADDED', severity: 'deny' });
    expect(found.get('node_modules/hidden')?.[0]?.message).toContain('postinstall: "node steal.js"');
    expect(found.get('node_modules/hidden')?.[0]?.message).toContain('does not say hasInstallScript');
  });
});
