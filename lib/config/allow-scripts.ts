// npm 11's install-script policy (`allowScripts`, RFC npm/rfcs#868), resolved with npm's precedence so
// that, after vouch allowed a tree, exactly the dependency scripts npm would run are run. Mirrors npm/cli
// lib/utils/resolve-allow-scripts.js: `allow-scripts` from the command line or environment, else the
// project package.json's `allowScripts`, else `allow-scripts` from the .npmrc files. The first layer
// with entries wins whole. npm's @npmcli/config flattens only the list form, which arborist cannot
// match (it wants `{spec: boolean}`), so without this a package.json denial (`"pkg": false`) is ignored.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Config from '@npmcli/config';
import npa from 'npm-package-arg';
import { valid } from 'semver';

/** `package-spec → allowed`, as arborist's rebuild matches it; null when no layer says anything. */
export type AllowScriptsPolicy = Record<string, boolean>;

export async function resolveAllowScripts(config: Config, prefix: string): Promise<AllowScriptsPolicy | null> {
  // npm refuses a command-line/env list in a project install (EALLOWSCRIPTS); vouch has no such flag, and
  // an env list only widens "unreviewed" to "allowed", which changes nothing unless strict-allow-scripts.
  return (
    usable(listLayer(config, ['cli', 'env'])) ?? usable(await packageJsonLayer(prefix)) ?? usable(listLayer(config, ['project', 'user', 'global', 'builtin']))
  );
}

function listLayer(config: Config, layers: readonly string[]): AllowScriptsPolicy | null {
  for (const where of layers) {
    const raw = config.get('allow-scripts', where);
    const names = (Array.isArray(raw) ? raw : [raw])
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    if (names.length > 0) return Object.fromEntries(names.map((n) => [n, true]));
  }
  return null;
}

async function packageJsonLayer(prefix: string): Promise<AllowScriptsPolicy | null> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(join(prefix, 'package.json'), 'utf8'));
  } catch {
    return null; // npm too: no readable package.json, no project layer
  }
  const field = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)['allowScripts'] : undefined;
  if (typeof field !== 'object' || field === null || Array.isArray(field)) return null;
  const entries = Object.entries(field).filter((e): e is [string, boolean] => typeof e[1] === 'boolean');
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** npm drops entries it cannot match safely: unparseable specs, dist-tags, and ranges other than exact versions joined by `||`. */
function usable(policy: AllowScriptsPolicy | null): AllowScriptsPolicy | null {
  if (!policy) return null;
  const kept = Object.entries(policy).filter(([spec]) => {
    try {
      const parsed = npa(spec);
      if (parsed.type === 'tag') return false;
      if (parsed.type !== 'range') return true;
      const range = parsed.rawSpec;
      return range === '' || range === '*' || range.split('||').every((p) => valid(p.trim()) !== null);
    } catch {
      return false;
    }
  });
  return kept.length > 0 ? Object.fromEntries(kept) : null;
}
