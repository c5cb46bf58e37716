// The machine a benchmark ran on, for the report: CPU, cores, memory, OS, Node and npm versions, load.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';

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
  };
}
