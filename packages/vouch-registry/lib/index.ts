// vouch-registry: a private npm registry that signs what it serves (Verdaccio + the vouch plugin), apart
// from vouch so that verifying and installing never pull Verdaccio in. vouch's CLI loads this module
// for `vouch registry` (vouch's lib/cli/registry-package.ts); Verdaccio loads the plugin through
// plugins/verdaccio-vouch/. Programs may start a registry with startRegistryServer.
import { readFileSync } from 'node:fs';
import { run } from './cli/registry.js';
import type { RegistryPackage } from './vouch-core.js';

/** `vouch registry [rotate | revoke] …` as vouch's CLI runs it. */
export const registryCommand: RegistryPackage['registryCommand'] = run;

/** This package's version; vouch's CLI requires its own (this package builds on vouch's internals). */
export const version: RegistryPackage['version'] = packageVersion();

export { PLUGINS_FOLDER, embeddedConfig, startRegistryServer, type RegistryServerOptions, type RunningRegistry } from './server.js';
export type { KeySpec } from './settings.js';

function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  if (typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string') {
    return manifest.version;
  }
  throw new Error('vouch-registry: its package.json has no version');
}
