// One child process, its output collected: what every test helper that runs a real program (npm, vouch,
// pnpm, Yarn, Bun, a CI script) builds on.
//
// API
//   runProcess(command, args, { cwd, env?, timeoutMs?, onSpawn? }) → { code, stdout, stderr }
//     Never rejects on a non-zero exit (a signal gives 128); a run past timeoutMs (default: none) is killed
//     and rejects with the tail of its output.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  onSpawn?: (pid: number) => void;
}

export function runProcess(command: string, args: readonly string[], opts: RunOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`${command} ${args.join(' ')} did not finish within ${opts.timeoutMs} ms\n${stdout.slice(-2000)}${stderr.slice(-2000)}`));
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
