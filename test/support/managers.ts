// The real pnpm, Yarn (Berry) and Bun, installed from the npm registry as devDependencies, run against the
// test registry with their state (store, cache, global config) under a folder of the test's.
//
// API
//   MANAGERS                                  ['pnpm', 'yarn', 'bun']
//   configureManager(manager, project, registryUrl, stateDir)
//                                             writes the project's config for the manager (.npmrc,
//                                             .yarnrc.yml, bunfig.toml) pointing at the test registry,
//                                             with its caches under stateDir; returns the env to run it with
//   runManager(manager, args, { cwd, env })   → { code, stdout, stderr } (never throws on a non-zero exit)
//   writeLockfile(manager, project, env)      runs the manager's lockfile-only resolve (writes its lockfile)
//   LOCKFILE_OF[manager]                      the lockfile name it writes
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packagePath } from '../../lib/config/package-root.js';
import { runProcess, type ProcessResult } from './process.js';

export type Manager = 'pnpm' | 'yarn' | 'bun';
export const MANAGERS: readonly Manager[] = ['pnpm', 'yarn', 'bun'];
export const LOCKFILE_OF: Record<Manager, string> = { pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' };

const COMMAND: Record<Manager, string[]> = {
  pnpm: [process.execPath, packagePath('node_modules', 'pnpm', 'bin', 'pnpm.cjs')],
  yarn: [process.execPath, packagePath('node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')],
  bun: [packagePath('node_modules', 'bun', 'bin', 'bun.exe')],
};

const LOCKFILE_ONLY: Record<Manager, string[]> = {
  pnpm: ['install', '--lockfile-only'],
  yarn: ['install', '--mode=update-lockfile'],
  bun: ['install', '--lockfile-only'],
};

export type ManagerResult = ProcessResult;

export async function configureManager(manager: Manager, project: string, registryUrl: string, stateDir: string): Promise<NodeJS.ProcessEnv> {
  await mkdir(stateDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_config_|pnpm_|yarn_|bun_)/i.test(k)) env[k] = v;
  env['HOME'] = stateDir; // no user-level config of the machine's
  env['XDG_CONFIG_HOME'] = join(stateDir, 'config');
  env['XDG_CACHE_HOME'] = join(stateDir, 'cache');
  env['XDG_DATA_HOME'] = join(stateDir, 'data');
  env['CI'] = 'true';
  switch (manager) {
    case 'pnpm':
      await writeFile(join(project, '.npmrc'), `registry=${registryUrl}\nstore-dir=${join(stateDir, 'store')}\ncache-dir=${join(stateDir, 'pnpm-cache')}\n`);
      break;
    case 'yarn':
      await writeFile(
        join(project, '.yarnrc.yml'),
        [
          `npmRegistryServer: "${registryUrl.replace(/\/$/, '')}"`,
          'unsafeHttpWhitelist:\n  - "127.0.0.1"',
          'nodeLinker: node-modules',
          'enableGlobalCache: false',
          `cacheFolder: "${join(stateDir, 'yarn-cache')}"`,
          'enableTelemetry: false',
          '',
        ].join('\n'),
      );
      env['YARN_ENABLE_IMMUTABLE_INSTALLS'] = 'false';
      break;
    case 'bun':
      await writeFile(join(project, 'bunfig.toml'), `[install]\nregistry = "${registryUrl}"\n`);
      env['BUN_INSTALL_CACHE_DIR'] = join(stateDir, 'bun-cache');
      env['BUN_INSTALL'] = join(stateDir, 'bun');
      break;
  }
  return env;
}

export function writeLockfile(manager: Manager, project: string, env: NodeJS.ProcessEnv): Promise<ManagerResult> {
  return runManager(manager, LOCKFILE_ONLY[manager], { cwd: project, env });
}

export function runManager(
  manager: Manager,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ManagerResult> {
  const [command, ...prefix] = COMMAND[manager];
  return runProcess(command!, [...prefix, ...args], { ...opts, timeoutMs: opts.timeoutMs ?? 120_000 });
}
