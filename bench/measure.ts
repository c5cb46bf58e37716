// Runs one command the way a user would (a fresh process) and measures it: wall time from spawn to
// exit, and peak RSS of every Node process it started (rss-probe.ts, preloaded via NODE_OPTIONS).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Command {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Sample {
  ms: number;
  code: number;
  /** Largest peak RSS among the Node processes of the run (vouch and npm each run in one process). */
  peakRssBytes: number;
  /** How many Node processes reported (1 expected). */
  processes: number;
  stdout: string;
  stderr: string;
}

const PROBE = fileURLToPath(new URL('./rss-probe.js', import.meta.url));
const TIMEOUT_MS = 30 * 60 * 1000;

export async function runMeasured(command: Command): Promise<Sample> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-rss-'));
  const rssFile = join(dir, 'rss.jsonl');
  const env = {
    ...command.env,
    VOUCH_BENCH_RSS_FILE: rssFile,
    NODE_OPTIONS: [command.env['NODE_OPTIONS'], `--import=${PROBE}`].filter(Boolean).join(' '),
  };
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await run(command, env);
    const ms = performance.now() - started;
    const reports = (await readFile(rssFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { maxRssBytes: number });
    return { ms, code, stdout, stderr, processes: reports.length, peakRssBytes: Math.max(0, ...reports.map((r) => r.maxRssBytes)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: Command, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, { cwd: command.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout = keepTail(stdout + d.toString())));
    child.stderr.on('data', (d: Buffer) => void (stderr = keepTail(stderr + d.toString())));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
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

/** Output is kept for checks and error messages only; a 5,000-package report need not stay whole. */
const keepTail = (text: string): string => (text.length > 1_000_000 ? text.slice(-1_000_000) : text);
