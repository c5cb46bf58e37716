// vouch's gate as Bun's security scanner (bunfig.toml: [install.security] scanner = "vouch/bun-scanner").
// Bun calls scan() with the packages it is about to install, after resolving them and before it links
// anything into node_modules (it may already have downloaded them into its cache). Bun gives no integrity:
// vouch downloads each tarball and binds its bytes to the registry's signed integrity.
// A denied package becomes a `fatal` advisory (Bun aborts the install), a warned one `warn` (Bun asks on a
// TTY, and fails without one); a run vouch cannot decide, or a denial of no listed package, throws (Bun aborts).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { runVouchGate, findingLines, denialText } = require('./vouch-gate.cjs');

export const scanner = {
  version: '1',
  async scan({ packages }) {
    const cwd = process.cwd();
    const list = packageList(packages);
    // vouch runs on Node: Bun's own executable is not one.
    const result = await runVouchGate(list, { cwd, env: registryEnv(cwd), node: 'node' });
    const listed = new Set(packages.map((p) => p.name));
    const advisories = [];
    for (const [entries, level, severity] of [
      [result.denied, 'fatal', 'deny'],
      [result.warned, 'warn', 'warn'],
    ]) {
      for (const entry of entries) {
        if (!listed.has(entry.name)) continue;
        advisories.push({
          level,
          package: entry.name,
          url: null,
          description: `vouch: ${entry.version ? `${entry.name}@${entry.version}: ` : ''}${findingLines(entry, severity).join('; ')}`,
        });
      }
    }
    // A denial Bun would not show against a package it installs (a registry's keys, a git source) still stops it.
    if (result.decision === 'deny' && !advisories.some((a) => a.level === 'fatal')) throw new Error(denialText(result, 'bun'));
    return advisories;
  },
};

/** Bun's package list as vouch's: registry tarballs are judged by their bytes, anything else is a source. */
function packageList(packages) {
  const list = { manager: 'bun', packages: [], sources: [] };
  for (const p of packages) {
    const tarball = typeof p.tarball === 'string' ? p.tarball : '';
    if (/^https?:\/\//.test(tarball) && /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(p.version)) list.packages.push({ name: p.name, version: p.version, tarball });
    else list.sources.push({ name: p.name, kind: /^https?:\/\//.test(tarball) ? 'remote' : 'file', spec: tarball || `${p.name}@${p.version}` });
  }
  return list;
}

/** bunfig.toml's registries for vouch (which reads npm's configuration): the default and each scope's. */
function registryEnv(cwd) {
  const file = join(cwd, 'bunfig.toml');
  if (typeof Bun === 'undefined' || !existsSync(file)) return {};
  const install = Bun.TOML.parse(readFileSync(file, 'utf8')).install ?? {};
  const url = (value) => (typeof value === 'string' ? value : value && typeof value.url === 'string' ? value.url : undefined);
  const env = {};
  if (url(install.registry)) env.npm_config_registry = url(install.registry);
  for (const [scope, value] of Object.entries(install.scopes ?? {})) {
    if (url(value)) env[`npm_config_${scope.startsWith('@') ? scope : `@${scope}`}:registry`] = url(value);
  }
  return env;
}
