// checkResolved: the lockfile `resolved` as npm fetches it, compared with the registry's dist.tarball in
// canonical form. npmFetchUrl is checked against npm's own code: arborist's reify #registryResolved (its
// source, taken from the installed arborist) followed by the real pacote RemoteFetcher.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arboristRequire } from '../../../lib/patches/arborist/require.js';
import { canonicalTarballUrl, checkResolved, npmFetchUrl, type NpmFetchConfig } from '../../../lib/verify/resolved.js';

const REGISTRY = 'https://registry.example/';
const TARBALL = 'https://registry.example/left/-/left-1.0.0.tgz';
const SCOPED = 'https://registry.example/@scope/name/-/name-1.0.0.tgz';

const judged = (resolved: string | null, tarball: string | undefined = TARBALL, npm: NpmFetchConfig = { registry: REGISTRY }) =>
  checkResolved({ resolved, registry: REGISTRY, tarball, npm }).kind;

describe('canonicalTarballUrl', () => {
  it('spells the same download the same way: host case, default ports, dot segments, escapes, fragment, credentials', () => {
    for (const same of [
      'HTTPS://REGISTRY.Example/left/-/left-1.0.0.tgz',
      'https://registry.example:443/left/-/left-1.0.0.tgz',
      'https://registry.example/left/./-/x/../left-1.0.0.tgz',
      'https://registry.example/%6Ceft/-/left%2D1.0.0.tgz',
      'https://registry.example/left/-/left-1.0.0.tgz#fragment',
      'https://user:secret@registry.example/left/-/left-1.0.0.tgz',
    ])
      expect(canonicalTarballUrl(same), same).toBe(TARBALL);
    expect(canonicalTarballUrl('http://registry.example:80/left/-/left-1.0.0.tgz')).toBe('http://registry.example/left/-/left-1.0.0.tgz');
    for (const same of [
      'https://registry.example/@scope%2fname/-/name-1.0.0.tgz',
      'https://registry.example/@scope%2Fname/-/name-1.0.0.tgz',
      'https://registry.example/%40scope/name/-/name-1.0.0.tgz',
    ]) {
      expect(canonicalTarballUrl(same), same).toBe(SCOPED);
    }
    expect(canonicalTarballUrl('https://registry.example/a%3ab%3F')).toBe('https://registry.example/a%3Ab%3F');
  });

  it('resolves the dot segments that decoding uncovers, and keeps what is really another resource apart', () => {
    expect(canonicalTarballUrl('https://registry.example/left%2f..%2f..%2fevil/-/evil-1.0.0.tgz')).toBe('https://registry.example/evil/-/evil-1.0.0.tgz');
    expect(canonicalTarballUrl('https://registry.example/left/%2e%2e/evil/-/evil-1.0.0.tgz')).toBe('https://registry.example/evil/-/evil-1.0.0.tgz');
    expect(canonicalTarballUrl('https://registry.example/left%252f..%252fevil')).toBe('https://registry.example/left%252f..%252fevil');
    expect(canonicalTarballUrl('https://registry.example/left\\..\\evil/-/evil-1.0.0.tgz')).toBe('https://registry.example/evil/-/evil-1.0.0.tgz');
    expect(canonicalTarballUrl(`${TARBALL}?x=1`)).toBe(`${TARBALL}?x=1`);
    for (const other of ['file:///left-1.0.0.tgz', 'git+https://registry.example/left.git', 'not a url', ''])
      expect(canonicalTarballUrl(other), other).toBeUndefined();
  });
});

describe('checkResolved', () => {
  it("accepts the registry's tarball however npm would spell the same request", () => {
    for (const resolved of [
      TARBALL,
      'https://REGISTRY.EXAMPLE:443/left/-/left-1.0.0.tgz',
      `${TARBALL}#x`,
      'https://registry.example/left/x/../-/left-1.0.0.tgz',
    ]) {
      expect(judged(resolved), resolved).toBe('tarball');
    }
    expect(judged('https://registry.example/@scope%2fname/-/name-1.0.0.tgz', SCOPED)).toBe('tarball');
    expect(judged('https://registry.example/@scope/name/-/name-1.0.0.tgz', 'https://registry.example/@scope%2Fname/-/name-1.0.0.tgz')).toBe('tarball');
    expect(judged(null)).toBe('absent');
  });

  it("is a mismatch for anything else on the registry's host: hostile paths, queries, other versions, other names", () => {
    for (const resolved of [
      'https://registry.example/a/../evil/-/evil-1.0.0.tgz',
      'https://registry.example/left/%2e%2e/evil/-/evil-1.0.0.tgz',
      'https://registry.example/left%2f..%2fevil/-/evil-1.0.0.tgz',
      'https://registry.example/left\\..\\evil/-/evil-1.0.0.tgz',
      `${TARBALL}?evil=1`,
      'https://registry.example/left/-/left-1.0.1.tgz',
      'https://Registry.Example:443/Left/-/left-1.0.0.tgz',
      'https://registry.example/left/-/left-1.0.0.tgz/',
      'https://registry.example//left/-/left-1.0.0.tgz',
    ])
      expect(judged(resolved), resolved).toBe('mismatch');
    expect(judged('https://registry.example/@scope%2fother/-/other-1.0.0.tgz', SCOPED)).toBe('mismatch');
    expect(judged('file:../left-1.0.0.tgz')).toBe('mismatch');
    expect(judged('not a url')).toBe('mismatch');
  });

  it("accepts the tarball's path on the registry's host when dist.tarball is on another host (a CDN), and nothing else there", () => {
    const cdn = 'https://cdn.example/left/-/left-1.0.0.tgz';
    expect(judged(TARBALL, cdn)).toBe('tarball');
    expect(judged(cdn, cdn)).toBe('tarball');
    expect(judged('https://registry.example/evil/-/evil-1.0.0.tgz', cdn)).toBe('mismatch');
    expect(judged(`${TARBALL}?x`, cdn)).toBe('mismatch');
    expect(judged('https://cdn.example/evil/-/evil-1.0.0.tgz', cdn)).toBe('mismatch');
  });

  it('is a foreign host for another host, port or scheme', () => {
    for (const resolved of [
      'https://evil.example/left/-/left-1.0.0.tgz',
      'https://registry.example:8443/left/-/left-1.0.0.tgz',
      'http://registry.example/left/-/left-1.0.0.tgz',
    ]) {
      expect(judged(resolved), resolved).toBe('foreign-host');
    }
  });

  it('follows replace-registry-host: registry.npmjs.org by default, never, always, a host, a URL prefix', () => {
    const npmjs = 'https://registry.npmjs.org/left/-/left-1.0.0.tgz';
    expect(judged(npmjs)).toBe('tarball');
    expect(judged(`${npmjs}?x=1#y`)).toBe('mismatch'); // arborist moves it onto the registry, query and all
    const public_ = { registry: 'https://registry.npmjs.org/' };
    // on registry.npmjs.org itself pacote replaces the host again, keeping only the path
    expect(checkResolved({ resolved: `${npmjs}?x=1#y`, registry: public_.registry, tarball: npmjs, npm: public_ }).kind).toBe('tarball');
    expect(judged('https://registry.npmjs.org/evil/-/evil-1.0.0.tgz')).toBe('mismatch');
    expect(judged(npmjs, TARBALL, { registry: REGISTRY, replaceRegistryHost: 'never' })).toBe('foreign-host');
    expect(judged('https://evil.example/left/-/left-1.0.0.tgz', TARBALL, { registry: REGISTRY, replaceRegistryHost: 'always' })).toBe('tarball');
    expect(judged('https://evil.example/evil/-/evil-1.0.0.tgz', TARBALL, { registry: REGISTRY, replaceRegistryHost: 'always' })).toBe('mismatch');
    expect(judged('https://old.example/left/-/left-1.0.0.tgz', TARBALL, { registry: REGISTRY, replaceRegistryHost: 'old.example' })).toBe('tarball');
    const prefixed = { registry: 'https://registry.example/npm/', replaceRegistryHost: 'https://old.example/artifactory/api/npm/' };
    expect(
      checkResolved({
        resolved: 'https://old.example/artifactory/api/npm/left/-/left-1.0.0.tgz',
        registry: prefixed.registry,
        tarball: 'https://registry.example/npm/left/-/left-1.0.0.tgz',
        npm: prefixed,
      }).kind,
    ).toBe('tarball');
  });
});

describe("npmFetchUrl is arborist's #registryResolved, then pacote's RemoteFetcher", () => {
  // arborist's private method, from the installed source: a change in arborist fails this test.
  const source = readFileSync(arboristRequire.resolve('./arborist/reify.js'), 'utf8');
  const start = source.indexOf('  #registryResolved (resolved) {');
  const end = source.indexOf('\n  }\n', start);
  const registryResolved = new Function('hgi', `return function ${source.slice(start + '  #'.length, end + '\n  }'.length)}`)(
    arboristRequire('hosted-git-info'),
  ) as (this: { registry: string; options: { replaceRegistryHost: string } }, resolved: string) => string | undefined;
  const RemoteFetcher = arboristRequire('pacote/lib/remote.js') as new (spec: string, opts: object) => { resolved: string };

  /** What npm fetches, by npm's code: arborist options as arborist normalises them, then pacote. */
  function npmItself(resolved: string, registry: string, replace: string | undefined): string | undefined {
    const options = {
      registry: `${registry.replace(/(?<!\/)\/+$/, '')}/`,
      replaceRegistryHost: !replace || replace === 'npmjs' ? 'registry.npmjs.org' : replace,
    };
    const rewritten = registryResolved.call({ registry: options.registry, options }, resolved);
    if (rewritten === undefined) return undefined;
    try {
      return new RemoteFetcher(`left@${rewritten}`, options).resolved;
    } catch {
      return undefined;
    }
  }

  it("finds arborist's method in its source", () => {
    expect(start).toBeGreaterThan(0);
    expect(typeof registryResolved).toBe('function');
  });

  const resolvedUrls = [
    'https://registry.npmjs.org/left/-/left-1.0.0.tgz',
    'https://registry.npmjs.org/left/-/left-1.0.0.tgz?a=1#b',
    'http://registry.npmjs.org:8080/x.tgz',
    'https://REGISTRY.NPMJS.ORG/@s%2fn/-/n-1.0.0.tgz',
    'https://registry.example/left/-/left-1.0.0.tgz',
    'https://registry.example/npm/left/-/left-1.0.0.tgz',
    'https://old.example/artifactory/api/npm/left/-/left-1.0.0.tgz',
    'https://old.example/other/left.tgz',
    'https://evil.example/a/../evil.tgz',
    'https://never/x.tgz',
    'https://always/x.tgz',
    'http://127.0.0.1:4873/left/-/left-1.0.0.tgz',
    'https://registry.example\\..\\evil.tgz',
  ];
  const registries = ['https://registry.example/', 'https://registry.example/npm', 'http://127.0.0.1:4873/', 'https://registry.npmjs.org/'];
  const replaces = [undefined, 'npmjs', 'never', 'always', 'old.example', 'registry.example', 'https://old.example/artifactory/api/npm/', '127.0.0.1:4873'];

  it(`agrees with npm on ${resolvedUrls.length * registries.length * replaces.length} resolved × registry × replace-registry-host cases`, () => {
    for (const resolved of resolvedUrls) {
      for (const registry of registries) {
        for (const replaceRegistryHost of replaces) {
          const ours = npmFetchUrl(resolved, { registry, replaceRegistryHost });
          expect(ours, JSON.stringify({ resolved, registry, replaceRegistryHost })).toBe(npmItself(resolved, registry, replaceRegistryHost));
        }
      }
    }
  });
});
