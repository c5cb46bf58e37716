// The real npm and the built vouch CLI as child processes, bounded in time, never throwing on an exit
// code: what the harness compares. Output is kept whole (reports are parsed from stdout).
import { spawn } from 'node:child_process';
import { VOUCH_BIN } from '../../test/support/vouch.js';

export interface ToolRun {
  /** The exit code; -1 when killed at the time bound. */
  code: number;
  ms: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export const VOUCH_TIMEOUT_MS = 180_000;
export const NPM_TIMEOUT_MS = 240_000;

export function runTool(command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ToolRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -1 : (code ?? -1), ms: performance.now() - started, timedOut, stdout, stderr });
    });
  });
}

export const runVouch = (args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ToolRun> =>
  runTool(process.execPath, [VOUCH_BIN, ...args], { cwd, env, timeoutMs: VOUCH_TIMEOUT_MS });

export const runNpm = (args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ToolRun> =>
  runTool('npm', args, { cwd, env, timeoutMs: NPM_TIMEOUT_MS });
