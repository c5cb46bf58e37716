// Replaces, for the duration of one task, pacote.extract or pacote.manifest in the pacote copy
// @npmcli/arborist loaded: arborist calls pacote's functions through its module object and offers no
// injection point, and vouch's checks at the edges of arborist's work (lib/tree/source-guard.ts,
// lib/tree/reify-boundary.ts) must see every call. Checked against arborist 9.9.3 with pacote 21.5.3.
//
// Probe: every arborist module that loads pacote binds the module object (`const pacote =
// require('pacote')`) and never copies extract or manifest out of it; reify calls pacote.extract and
// buildIdealTree pacote.manifest; both are writable functions of that module. Unlike the fast paths,
// this patch has no fallback: the wrapped functions are security checks, so when the probe fails every
// wrapped task fails (an internal error naming what changed), never runs unchecked.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { arboristRequire } from '../arborist/require.js';

export type Extract = (spec: string, dest: string, opts: Record<string, unknown>) => Promise<unknown>;
export type Manifest = (spec: unknown, opts: Record<string, unknown>) => Promise<unknown>;

export interface ArboristPacote {
  extract: Extract;
  manifest: Manifest;
}

/** An arborist module's source text, by its path under arborist's lib/. */
export type ArboristSources = ReadonlyMap<string, string>;

/** Runs `task` with arborist's pacote.<name> replaced by `wrap(original)`; restores it afterwards, also on failure. */
export async function withPacoteWrapped<K extends keyof ArboristPacote, T>(
  name: K,
  wrap: (original: ArboristPacote[K]) => ArboristPacote[K],
  task: () => Promise<T>,
): Promise<T> {
  assertPacoteHookable();
  const pacote = arboristPacote();
  const original = pacote[name];
  pacote[name] = wrap(original);
  try {
    return await task();
  } finally {
    pacote[name] = original;
  }
}

/** The pacote module arborist itself loaded (resolved from arborist, in case a second copy existed). */
export function arboristPacote(): ArboristPacote {
  return arboristRequire('pacote') as ArboristPacote;
}

/** Why wrapping `pacote` would not reach arborist's calls, or null when arborist calls it as checked. */
export function probePacoteHooks(sources: ArboristSources, pacote: ArboristPacote): string | null {
  for (const name of ['extract', 'manifest'] as const) {
    const property = Object.getOwnPropertyDescriptor(pacote, name);
    if (typeof property?.value !== 'function' || !property.writable) return `pacote.${name} is not a writable function`;
  }
  for (const [file, text] of sources) {
    if (!/require\(['"]pacote['"]\)/.test(text)) continue;
    if (!/const pacote = require\(['"]pacote['"]\)/.test(text)) return `${file} loads pacote without binding the module`;
    if (/\}\s*=\s*(pacote|require\(['"]pacote['"]\))\b/.test(text) || /=\s*pacote\.(extract|manifest)\b(?!\()/.test(text)) {
      return `${file} copies a function out of pacote`;
    }
  }
  if (!/pacote\.extract\(/.test(sources.get('arborist/reify.js') ?? '')) return 'arborist/reify.js no longer calls pacote.extract';
  if (!/pacote\.manifest\(/.test(sources.get('arborist/build-ideal-tree.js') ?? '')) return 'arborist/build-ideal-tree.js no longer calls pacote.manifest';
  return null;
}

/** The sources of arborist's lib/, as the arborist vouch runs ships them. */
export function arboristSources(): ArboristSources {
  const root = dirname(arboristRequire.resolve('./index.js')); // arborist's lib/
  const sources = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js'))
        sources.set(
          path
            .slice(root.length + 1)
            .split('\\')
            .join('/'),
          readFileSync(path, 'utf8'),
        );
    }
  };
  walk(root);
  return sources;
}

let probed: string | null | undefined;

function assertPacoteHookable(): void {
  probed ??= probePacoteHooks(arboristSources(), arboristPacote());
  if (probed !== null) {
    throw new Error(
      `vouch cannot check arborist's calls to pacote (${probed}): this @npmcli/arborist is not one vouch supports; nothing was fetched or installed`,
    );
  }
}
