// `vouch log witness` (bin/vouch.js → dist/) as a child process, for CLI and registry tests. Needs `npm run
// build` first.
//
// API
//   startWitness({ logKeys, keyFile, stateFile, name?, port? }) → RunningWitnessProcess once its --json ready line
//     is out: { url, name, verifierKey, logs, state, key, stderr(), stop() → exit code }
//   The child has an IPC channel: it goes away with the test process even if stop() is never reached.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { VOUCH_BIN } from './vouch.js';

const READY_TIMEOUT_MS = 30_000;

export interface WitnessReady {
  url: string;
  name: string;
  verifierKey: string;
  logs: string[];
  state: string;
  key: string;
}

export interface RunningWitnessProcess extends WitnessReady {
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

export interface StartWitnessOptions {
  logKeys: readonly string[];
  keyFile: string;
  stateFile: string;
  name?: string;
  /** Default 0 (a free port); a stopped witness's port to restart it at the URL a log was given. */
  port?: number;
  cwd?: string;
}

export async function startWitness(opts: StartWitnessOptions): Promise<RunningWitnessProcess> {
  const args = [
    VOUCH_BIN,
    'log',
    'witness',
    ...opts.logKeys.flatMap((k) => ['--log', k]),
    '--key',
    opts.keyFile,
    '--state',
    opts.stateFile,
    '--port',
    String(opts.port ?? 0),
    '--json',
    ...(opts.name ? ['--name', opts.name] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: opts.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const ready = await readyLine(child, () => stderr);
  return {
    ...ready,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `vouch log witness` expecting it to fail before it is ready: its exit code and stderr. */
export function witnessFailure(opts: StartWitnessOptions): Promise<{ code: number | null; stderr: string }> {
  return startWitness(opts).then(
    async (w) => {
      await w.stop();
      throw new Error('the witness started');
    },
    (err: Error & { code?: number | null; stderr?: string }) => ({ code: err.code ?? null, stderr: err.stderr ?? err.message }),
  );
}

function readyLine(child: ChildProcess, stderr: () => string): Promise<WitnessReady> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no ready line within ${READY_TIMEOUT_MS} ms: ${stderr().slice(-2000)}`)), READY_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      lines.close();
      reject(err);
    };
    child.once('close', (code) => {
      // after its output is all read
      fail(Object.assign(new Error(`vouch log witness exited (${code}) before it was ready: ${stderr().slice(-2000)}`), { code, stderr: stderr() }));
    });
    lines.on('line', (line) => {
      try {
        const ready = JSON.parse(line) as WitnessReady;
        clearTimeout(timer);
        lines.close();
        resolve(ready);
      } catch {
        // not the ready line
      }
    });
  });
}
