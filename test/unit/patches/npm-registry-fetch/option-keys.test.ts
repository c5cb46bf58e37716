// lib/patches/npm-registry-fetch/option-keys.ts: the hand-kept list of options npm-registry-fetch reads is
// exactly what its installed sources read (both ways), the probe accepts those sources, and it declines
// sources that read an option the list lacks.
import { describe, expect, it } from 'vitest';
import {
  PER_REQUEST_KEYS,
  REGISTRY_FETCH_KEYS,
  optionNamesRead,
  probeOptionKeys,
  registryFetchOptions,
  registryFetchSources,
} from '../../../../lib/patches/npm-registry-fetch/option-keys.js';

describe('REGISTRY_FETCH_KEYS', () => {
  it('is the npm config options npm-registry-fetch reads, no more and no fewer', () => {
    const read = [...optionNamesRead(registryFetchSources())].filter((k) => !PER_REQUEST_KEYS.has(k)).sort();
    expect(read).toEqual([...REGISTRY_FETCH_KEYS].sort());
  });

  it('reads names both from `opts.x` and from destructuring', () => {
    expect([...optionNamesRead(['const { forceAuth, spec: s } = opts\nif (opts.offline) opts.preferOnline = 1'])].sort()).toEqual([
      'forceAuth',
      'offline',
      'preferOnline',
      'spec',
    ]);
  });

  it('the probe accepts the installed sources and declines one reading an unknown option', () => {
    expect(probeOptionKeys(registryFetchSources())).toBeNull();
    expect(probeOptionKeys([...registryFetchSources(), 'if (opts.someNewOption) {}'])).toBe('npm-registry-fetch reads options the list lacks: someNewOption');
  });

  it('trims npm flat options to the listed ones, credentials and scoped registries', () => {
    const flat = { registry: 'https://r.example/', '//r.example/:_authToken': 't', '@s:registry': 'https://s.example/', global: false, save: true };
    expect(registryFetchOptions(flat)).toEqual({ registry: 'https://r.example/', '//r.example/:_authToken': 't', '@s:registry': 'https://s.example/' });
  });
});
