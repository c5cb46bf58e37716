// `vouch registry` comes from a separate package, vouch-registry: Verdaccio and the signing plugin are
// some 330 packages that verifying and installing never use. It is loaded lazily, by name, from where
// vouch itself is installed (never from the current folder: that would run a project's code). Missing,
// of another version or broken, the user is told how to install the matching one (exit 2).
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../config/index.js';
import { VouchError, truncate } from '../errors/index.js';
import type { CommandRun } from './commands/index.js';
import { vouchVersion } from './version.js';

export const REGISTRY_PACKAGE = 'vouch-registry';

/** What vouch-registry's entry module exports (its lib/index.ts is typed against this). */
export interface RegistryPackage {
  /** Its package.json version: it builds on vouch's internals, so it must be vouch's own version. */
  version: string;
  /** `vouch registry [rotate | revoke] …` */
  registryCommand: CommandRun;
}

/** How the package is found and loaded: Node's resolution from this module (tests pass their own). */
export interface ModuleLoader {
  /** The entry module's URL; throws when the package is not installed. */
  resolve(specifier: string): string;
  load(url: string): Promise<unknown>;
}

const nodeLoader: ModuleLoader = {
  resolve: (specifier) => import.meta.resolve(specifier),
  load: (url) => import(url),
};

export async function loadRegistryCommand(loader: ModuleLoader = nodeLoader, version = vouchVersion()): Promise<CommandRun> {
  const install =
    `npm install -g ${REGISTRY_PACKAGE}@${version} (beside a global vouch), ` + `or npm install -D ${REGISTRY_PACKAGE}@${version} (beside a project's vouch)`;
  let entry: string;
  try {
    entry = loader.resolve(REGISTRY_PACKAGE);
  } catch (err) {
    if (!isModuleNotFound(err)) {
      throw new VouchError('REGISTRY_PACKAGE_MISMATCH', `${REGISTRY_PACKAGE} cannot be resolved: ${messageOf(err)}`, {}, `reinstall it: ${install}`, {
        cause: err,
      });
    }
    throw new VouchError(
      'REGISTRY_NOT_INSTALLED',
      `vouch registry needs the ${REGISTRY_PACKAGE} package (Verdaccio and the vouch signing plugin), ` +
        `installed separately; it is not installed beside vouch (${packageRoot()})`,
      {},
      install,
    );
  }
  let loaded: unknown;
  try {
    loaded = await loader.load(entry);
  } catch (err) {
    throw new VouchError(
      'REGISTRY_PACKAGE_MISMATCH',
      `${REGISTRY_PACKAGE} at ${fileURLToPath(entry)} failed to load: ${messageOf(err)}`,
      {},
      `reinstall it: ${install}`,
      { cause: err },
    );
  }
  if (!isRegistryPackage(loaded)) {
    throw new VouchError('REGISTRY_PACKAGE_MISMATCH', `${fileURLToPath(entry)} is not a ${REGISTRY_PACKAGE} vouch can use`, {}, install);
  }
  if (loaded.version !== version) {
    throw new VouchError(
      'REGISTRY_PACKAGE_MISMATCH',
      `${REGISTRY_PACKAGE} ${loaded.version} does not match vouch ${version} (it must be the same version)`,
      {},
      install,
    );
  }
  return loaded.registryCommand;
}

function isRegistryPackage(value: unknown): value is RegistryPackage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'version' in value &&
    typeof value.version === 'string' &&
    'registryCommand' in value &&
    typeof value.registryCommand === 'function'
  );
}

function isModuleNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ERR_MODULE_NOT_FOUND';
}

const messageOf = (err: unknown): string => truncate(err instanceof Error ? err.message : String(err), 300);
