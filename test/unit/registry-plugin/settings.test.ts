import { describe, expect, it } from 'vitest';
import { parseByteSize, readSettings } from '../../../packages/vouch-registry/lib/settings.js';
import { codeOf } from './helpers.js';

const verdaccio = { storage: './storage', configPath: '/srv/verdaccio/config.yaml' };

describe('readSettings', () => {
  it('reads keys from the instance section, resolving paths against the config folder', () => {
    const s = readSettings({ signing_keys: ['keys/new.pem', { file: '/abs/old.pem', expires: '2026-01-01T00:00:00Z' }] }, verdaccio);
    expect(s.storageDir).toBe('/srv/verdaccio/storage');
    expect(s.dataDir).toBe('/srv/verdaccio/storage/.vouch');
    expect(s.keys).toEqual([
      { file: '/srv/verdaccio/keys/new.pem', expires: null },
      { file: '/abs/old.pem', expires: new Date('2026-01-01T00:00:00Z') },
    ]);
  });

  it('lets the filter instance find the keys listed under middlewares.vouch, and accepts YAML dates', () => {
    const expires = new Date('2026-02-03T04:05:06Z');
    const s = readSettings({}, { ...verdaccio, middlewares: { vouch: { signing_keys: ['a.pem', { file: 'b.pem', expires }] } } });
    expect(s.keys.map((k) => k.expires)).toEqual([null, expires]);
  });

  it('fails with CONFIG for no keys, an expiring active key, a retired key without expiry, a bad date or a bad URL', () => {
    const bad: Record<string, unknown>[] = [
      {},
      { signing_keys: [] },
      { signing_keys: [{ file: 'a.pem', expires: '2026-01-01' }] },
      { signing_keys: ['a.pem', 'b.pem'] },
      { signing_keys: ['a.pem', { file: 'b.pem', expires: 'soon' }] },
      { signing_keys: [{}] },
      { signing_keys: ['a.pem'], registry_url: 'not a url' },
    ];
    for (const section of bad) expect([section, codeOf(() => readSettings(section, verdaccio))]).toEqual([section, 'CONFIG']);
  });

  it('reads witnesses (from middlewares.vouch too) as URLs ending in "/", and refuses bad or repeated ones', () => {
    expect(readSettings({ signing_keys: ['a.pem'] }, verdaccio).witnesses).toEqual([]);
    const s = readSettings(
      {},
      { ...verdaccio, middlewares: { vouch: { signing_keys: ['a.pem'], witnesses: ['https://w.example/witness', 'http://127.0.0.1:7380/'] } } },
    );
    expect(s.witnesses).toEqual(['https://w.example/witness/', 'http://127.0.0.1:7380/']);
    for (const witnesses of [
      'https://w.example/',
      ['not a url'],
      ['ftp://w.example/'],
      ['https://u:p@w.example/'],
      ['https://w.example', 'https://w.example/'],
    ]) {
      expect([witnesses, codeOf(() => readSettings({ signing_keys: ['a.pem'], witnesses }, verdaccio))]).toEqual([witnesses, 'CONFIG']);
    }
  });

  it('fails with CONFIG when Verdaccio has no storage folder', () => {
    expect(codeOf(() => readSettings({ signing_keys: ['a.pem'] }, { configPath: '/x/config.yaml' }))).toBe('CONFIG');
  });

  it('keeps registry_url without its trailing slash', () => {
    expect(readSettings({ signing_keys: ['a.pem'], registry_url: 'https://npm.acme.test/' }, verdaccio).registryUrl).toBe('https://npm.acme.test');
  });
});

describe('parseByteSize', () => {
  it('reads Verdaccio size strings and falls back on anything else', () => {
    expect(parseByteSize('10mb', 1)).toBe(10 * 1024 * 1024);
    expect(parseByteSize('512KB', 1)).toBe(512 * 1024);
    expect(parseByteSize(2048, 1)).toBe(2048);
    expect(parseByteSize('lots', 7)).toBe(7);
    expect(parseByteSize(undefined, 7)).toBe(7);
  });
});
