// The one npm configuration every tool of a case reads (npm ci, vouch verify, vouch ci): a userconfig
// naming the registry proxy and its token, an empty globalconfig, and a cache folder per run. The
// machine's ~/.npmrc and any npm_* variable of an outer `npm run` are kept out.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * npm's retry count stays its default (2); only the waits between retries are shortened, or every
 * unreachable URL would cost 70 s (10 s, then 60 s). The report states these values.
 */
export const RETRY_SETTINGS: Readonly<Record<string, string>> = { 'fetch-retry-mintimeout': '100', 'fetch-retry-maxtimeout': '1000' };

export interface NpmConfig {
  userconfig: string;
  globalconfig: string;
}

export async function writeNpmConfig(dir: string, registryUrl: string, token: string): Promise<NpmConfig> {
  const userconfig = join(dir, 'npmrc');
  const globalconfig = join(dir, 'global-npmrc');
  await writeFile(
    userconfig,
    [
      `registry=${registryUrl}`,
      `${registryUrl.replace(/^https?:/, '')}:_authToken=${token}`,
      'fund=false',
      'audit=false',
      'update-notifier=false',
      ...Object.entries(RETRY_SETTINGS).map(([k, v]) => `${k}=${v}`),
      '',
    ].join('\n'),
  );
  await writeFile(globalconfig, '');
  return { userconfig, globalconfig };
}

/** The environment of one tool run: this config, this cache folder. */
export function toolEnv(config: NpmConfig, cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env['npm_config_userconfig'] = config.userconfig;
  env['npm_config_globalconfig'] = config.globalconfig;
  env['npm_config_cache'] = cache;
  return env;
}
