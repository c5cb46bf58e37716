// The machine a benchmark ran on, for the report: CPU, cores, memory, OS, Node and npm versions, load.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { packageRoot } from '../lib/config/package-root.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  npm: string;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAtStart: [number, number, number];
  date: string;
  /** The vouch commit measured, `-dirty` when the checkout had changes; null outside a git checkout. */
  commit: string | null;
}

export function describeMachine(now = new Date()): Machine {
  const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    npm: execFileSync('npm', ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim(),
    loadAtStart: [l1, l5, l15],
    date: now.toISOString(),
    commit: gitCommit(),
  };
}

function gitCommit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', packageRoot(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short=12', 'HEAD')}${dirty ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}
