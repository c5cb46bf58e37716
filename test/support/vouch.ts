// The built vouch CLI (bin/vouch.js → dist/) as a child process, for registry and CLI tests.
// Shared by every suite that runs vouch end to end (install/ci/approve, verify, …): extend, don't fork.
// Needs `npm run build` first.
//
// API
//   runVouch(args, { cwd, env?, timeoutMs? }) → { code, stdout, stderr, json? }
//     env: the whole environment of the child (e.g. `await registry.npmEnv(stateDir)`, so vouch reads the
//          same npmrc, registry, token and cache the real npm uses); default process.env.
//     json: stdout parsed as JSON when it is JSON (`--format json` reports), else undefined.
//     bin: another vouch launcher (e.g. an installed vouch's bin/vouch.js); default VOUCH_BIN.
//     Never throws on a non-zero exit; a run past timeoutMs (default 100 s) is killed and rejects.
//   VOUCH_BIN: the absolute path of bin/vouch.js.
import { spawn } from 'node:child_process';
import { packagePath } from '../../lib/config/package-root.js';

export const VOUCH_BIN = packagePath('bin', 'vouch.js');

export interface VouchResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: unknown;
}

export interface RunVouchOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with the child's pid as soon as it runs (e.g. to sample its RSS). */
  onSpawn?: (pid: number) => void;
  bin?: string;
}

export function runVouch(args: readonly string[], opts: RunVouchOptions): Promise<VouchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? VOUCH_BIN, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vouch ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 100_000} ms\n${stderr.slice(-2000)}`));
    }, opts.timeoutMs ?? 100_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: VouchResult = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      const json = parseJson(stdout);
      resolve(json === undefined ? result : { ...result, json });
    });
  });
}

function parseJson(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
