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
import { runProcess } from './process.js';
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

export async function runVouch(args: readonly string[], opts: RunVouchOptions): Promise<VouchResult> {
  const result: VouchResult = await runProcess(process.execPath, [opts.bin ?? VOUCH_BIN, ...args], { ...opts, timeoutMs: opts.timeoutMs ?? 100_000 });
  const json = parseJson(result.stdout);
  return json === undefined ? result : { ...result, json };
}

function parseJson(text: string): unknown {
  if (!/^\s*[{[]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
