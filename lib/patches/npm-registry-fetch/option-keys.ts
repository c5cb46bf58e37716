// Trims npm's flat options to the ones npm-registry-fetch reads before each request. Replaces nothing
// in the library, but depends on its internals: the list below is what its lib/*.js read. Checked
// against npm-registry-fetch 19.1.1.
//
// npm-registry-fetch merges its options object into a defaults object twice per request, and that merge
// of npm's ~130 flat options costs ~0.5 ms (V8 grows the object key by key): more CPU than the request
// itself on a fast link (measured, bench/). make-fetch-happen only sees what npm-registry-fetch passes on.
//
// Probe: the option names npm-registry-fetch's sources read (`opts.x`, `const { x } = opts`) are all in
// the list or are per-request options vouch passes itself. A name outside both means the list is out
// of date: every option is then passed untrimmed (slower, never wrong) and --verbose says so.
//
// test/unit/patches/npm-registry-fetch/option-keys.test.ts derives the names from the sources and
// compares them with the list both ways.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FlatOptions } from '../../config/index.js';
import { notePatchDeclined } from '../notes.js';

/** npm config options npm-registry-fetch reads, besides `//host/:…` credentials and `@scope:registry`. */
export const REGISTRY_FETCH_KEYS: ReadonlySet<string> = new Set([
  'agent',
  'algorithms',
  'authType',
  'ca',
  'cache',
  'cert',
  'fetchRetries',
  'fetchRetryFactor',
  'fetchRetryMaxtimeout',
  'fetchRetryMintimeout',
  'forceAuth',
  'httpsProxy',
  'integrity',
  'key',
  'localAddress',
  'maxSockets',
  'memoize',
  'noProxy',
  'npmCommand',
  'npmSession',
  'offline',
  'otp',
  'otpPrompt',
  'preferOffline',
  'preferOnline',
  'proxy',
  'registry',
  'retry',
  'scope',
  'spec',
  'strictSSL',
  'timeout',
  'userAgent',
]);

/** Options of one request, which vouch passes itself and npm config never holds. */
export const PER_REQUEST_KEYS: ReadonlySet<string> = new Set([
  'body',
  'gzip',
  'headers',
  'ignoreBody',
  'js',
  'map',
  'mapJSON',
  'method',
  'path',
  'query',
  'signal',
]);

const PATCH = 'npm-registry-fetch/option-keys';

/** The option names read in npm-registry-fetch's source files (text by file name). */
export function optionNamesRead(sources: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of sources) {
    for (const match of text.matchAll(/\bopts\.([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
    for (const match of text.matchAll(/\{([^{}]*)\}\s*=\s*opts\b/g)) {
      for (const part of match[1]!.split(',')) {
        const name = part.trim().split(':')[0]!.trim();
        if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name); // computed keys (`[\`${regKey}:_auth\`]`) are `//…` ones
      }
    }
  }
  return names;
}

/** The sources of npm-registry-fetch's lib/, as installed. */
export function registryFetchSources(): string[] {
  const lib = dirname(createRequire(import.meta.url).resolve('npm-registry-fetch'));
  return readdirSync(lib)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(lib, f), 'utf8'));
}

/** Why the list cannot be trusted for these sources, or null when every name they read is in it. */
export function probeOptionKeys(sources: Iterable<string>): string | null {
  const unknown = [...optionNamesRead(sources)].filter((k) => !REGISTRY_FETCH_KEYS.has(k) && !PER_REQUEST_KEYS.has(k)).sort();
  return unknown.length === 0 ? null : `npm-registry-fetch reads options the list lacks: ${unknown.join(', ')}`;
}

let listHolds: boolean | undefined;

function trimmingHolds(): boolean {
  if (listHolds === undefined) {
    let declined: string | null;
    try {
      declined = probeOptionKeys(registryFetchSources());
    } catch (err) {
      declined = `its sources could not be read: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (declined !== null) notePatchDeclined(PATCH, declined);
    listHolds = declined === null;
  }
  return listHolds;
}

const trimmed = new WeakMap<FlatOptions, FlatOptions>();

/** `flat` with only the options npm-registry-fetch reads (all of them when the probe failed). Computed once per options object. */
export function registryFetchOptions(flat: FlatOptions): FlatOptions {
  if (!trimmingHolds()) return flat;
  let options = trimmed.get(flat);
  if (!options) {
    options = Object.fromEntries(Object.entries(flat).filter(([k]) => REGISTRY_FETCH_KEYS.has(k) || k.startsWith('//') || k.startsWith('@')));
    trimmed.set(flat, options);
  }
  return options;
}
