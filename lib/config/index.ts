// npm's configuration, read exactly as npm reads it (.npmrc files, env, flags via @npmcli/config),
// flattened for arborist, pacote and npm-registry-fetch.
import { join } from 'node:path';
import Config from '@npmcli/config';
import definitions from '@npmcli/config/lib/definitions/index.js';
import { VouchError } from '../errors/index.js';
import { resolveAllowScripts } from './allow-scripts.js';
import { packageRoot } from './package-root.js';
import { withUrlCredentialsMoved } from './url-credentials.js';
import { selectWorkspaces } from './workspaces.js';

export type { AllowScriptsPolicy } from './allow-scripts.js';
export { REDACTED, redactDeep, redactSecrets, withoutCredentials } from './secrets.js';
export { npmAuthFor, type NpmAuth } from './url-credentials.js';

/** Flat npm options (registry, `@scope:registry`, nerf-darted auth, cache, omit, …). */
export type FlatOptions = Record<string, unknown>;

export interface NpmConfig {
  flat: FlatOptions;
  /** The project folder npm would use (nearest package.json / lockfile). */
  localPrefix: string;
  /** Default registry with a trailing slash. */
  registry: string;
  /** cacache folder (`<cache>/_cacache`). */
  cacheDir: string;
  /**
   * The workspaces the command works on (name → folder), chosen as npm chooses them: -w, --workspaces, or
   * the workspace folder vouch runs in. Undefined: the whole project.
   */
  workspaces: ReadonlyMap<string, string> | undefined;
}

/** Loads npm config for `cwd`; `npmArgs` are npm-style flags (e.g. `--registry=…`, `--omit=dev`). */
export async function loadNpmConfig(cwd: string, npmArgs: string[] = [], env = process.env): Promise<NpmConfig> {
  const config = new Config({
    ...definitions,
    // npmPath anchors npm's builtin npmrc; vouch ships none, so point it at vouch's own package root.
    npmPath: packageRoot(),
    argv: [process.execPath, 'vouch', ...npmArgs],
    cwd,
    env,
    excludeNpmCwd: true,
  });
  try {
    await config.load();
  } catch (err) {
    throw new VouchError('CONFIG', `could not read npm configuration: ${(err as Error).message}`, {}, undefined, { cause: err });
  }
  // npm's install commands replace the flattened list with the layered policy; so does vouch. A password in
  // a registry URL becomes that registry's _auth setting: from here on no URL carries a credential.
  const flat = withUrlCredentialsMoved({ ...config.flat, allowScripts: await resolveAllowScripts(config, config.localPrefix) });
  const registry = withSlash(stringOption(flat, 'registry') ?? 'https://registry.npmjs.org/');
  const cacheDir = stringOption(flat, 'cache') ?? join(env.HOME ?? cwd, '.npm', '_cacache');
  const workspaces = await selectWorkspaces({
    filters: stringList(config.get('workspace')),
    all: typeof config.get('workspaces') === 'boolean' ? (config.get('workspaces') as boolean) : null,
    localPrefix: config.localPrefix,
    cwd,
  });
  return { flat, localPrefix: config.localPrefix, registry, cacheDir, workspaces };
}

/** The registry npm fetches `name` from: `@scope:registry` if set, else the default registry. */
export function registryFor(name: string, config: NpmConfig): string {
  if (name.startsWith('@')) {
    const scoped = stringOption(config.flat, `${name.slice(0, name.indexOf('/'))}:registry`);
    if (scoped) return withSlash(scoped);
  }
  return config.registry;
}

export function stringOption(flat: FlatOptions, key: string): string | undefined {
  const value = flat[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** npm's `omit` option (dev, optional, peer), as the flat config holds it. */
export function omitList(config: NpmConfig): string[] {
  const value = config.flat['omit'];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);
export { trustFilePath, vouchDataDir, type TrustFile } from './trust-files.js';
export { packagePath, packageRoot } from './package-root.js';
