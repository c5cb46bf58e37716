// The real npm CLI, isolated from this machine's npm configuration, pointed at a test registry.
//
// API
//   npmEnv(stateDir, {url, token}?, {retries}?)
//                                 → env: userconfig `<stateDir>/npmrc` (registry, token, fund/audit/
//                                   update-notifier off, fetch-retries=0), empty globalconfig `<stateDir>/global-npmrc`, cache
//                                   `<stateDir>/cache`; every inherited npm_config_* variable removed (an
//                                   outer `npm test` exports several); NODE_OPTIONS preloads
//                                   npm-offline-keys.cjs so `npm audit signatures` reads the registry's
//                                   /-/npm/v1/keys instead of the Sigstore TUF CDN (offline machine).
//                                   The machine's ~/.npmrc is not read, so its omit-lockfile-registry-resolved
//                                   =true does not apply: lockfiles carry npm's default `resolved` URLs.
//                                   retries: 'none' (default) writes fetch-retries=0, which the suites written
//                                   before issue 14 rely on; 'npm-default' writes no fetch-retr* setting, so
//                                   npm and vouch use npm's defaults (2 retries, 10 s–60 s backoff), as a
//                                   user's machine does. End-to-end tests of install behaviour use 'npm-default':
//                                   fetch-retries=0 once hid a 140 s hang (issue 14).
//   runNpm(args, cwd, env)       → { code, stdout, stderr }; never throws on a non-zero exit.
//   packTarball(dir)             → the bytes `npm pack` makes of a package folder (no registry involved).
import { runProcess } from './process.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../lib/config/package-root.js';

export interface NpmResult {
  code: number;
  stdout: string;
  stderr: string;
}

const OFFLINE_KEYS_PRELOAD = packagePath('test', 'support', 'npm-offline-keys.cjs');

export interface NpmEnvOptions {
  /** 'none' (default): fetch-retries=0; 'npm-default': npm's own retry settings, as users have them. */
  retries?: 'none' | 'npm-default';
}

/** Env for the real npm with its state under `stateDir`, against `registry` when given. */
export async function npmEnv(stateDir: string, registry?: { url: string; token?: string }, options: NpmEnvOptions = {}): Promise<NodeJS.ProcessEnv> {
  await mkdir(stateDir, { recursive: true });
  const npmrc = join(stateDir, 'npmrc');
  const globalNpmrc = join(stateDir, 'global-npmrc');
  const hostPath = registry?.url.replace(/^https?:/, '');
  await writeFile(
    npmrc,
    [
      ...(registry ? [`registry=${registry.url}`] : []),
      ...(registry?.token ? [`${hostPath}:_authToken=${registry.token}`] : []),
      'fund=false',
      'audit=false',
      'update-notifier=false',
      // A loopback registry does not flake; npm's default retries turn one EINTEGRITY into minutes.
      ...(options.retries === 'npm-default' ? [] : ['fetch-retries=0']),
      '',
    ].join('\n'),
  );
  await writeFile(globalNpmrc, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_config_/i.test(k)) env[k] = v;
  env['npm_config_userconfig'] = npmrc;
  env['npm_config_globalconfig'] = globalNpmrc;
  env['npm_config_cache'] = join(stateDir, 'cache');
  env['NODE_OPTIONS'] = [process.env['NODE_OPTIONS'], `--require ${OFFLINE_KEYS_PRELOAD}`].filter(Boolean).join(' ');
  return env;
}

export function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<NpmResult> {
  return runProcess('npm', args, { cwd, env });
}

/** `npm pack` of a package folder, returned as bytes. */
export async function packTarball(dir: string): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'vouch-pack-'));
  try {
    const result = await runNpm(['pack', '--json', '--pack-destination', work], dir, await npmEnv(join(work, 'state')));
    if (result.code !== 0) throw new Error(`npm pack ${dir} failed: ${result.stderr}`);
    const [packed] = JSON.parse(result.stdout) as { filename: string }[];
    if (!packed) throw new Error(`npm pack ${dir} reported no file`);
    return await readFile(join(work, packed.filename));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The environment of a user's npm: this machine's npmrc and cache, none of an outer `npm test`'s npm_config_*. */
export function userNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
}

/** `result` when npm exited 0; else an error naming `what`, with the tail of npm's output. */
export function npmSucceeded(result: NpmResult, what: string): NpmResult {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}):\n${result.stderr.slice(-4000)}\n${result.stdout.slice(-2000)}`);
  return result;
}

/** `npm pack --ignore-scripts` of a built package folder (vouch itself, vouch-registry) into `dest`, as a user's npm packs it; the tarball's path. */
export async function packInto(dir: string, dest: string): Promise<string> {
  const result = npmSucceeded(await runNpm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], dir, userNpmEnv()), `npm pack ${dir}`);
  const [packed] = JSON.parse(result.stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${dir} reported no file`);
  return join(dest, packed.filename);
}
