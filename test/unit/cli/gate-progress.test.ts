// The gate draws progress through the Output it is given, never on process.stderr itself: the launcher's
// Output carries stderr as its progress sink, the Node API's carries none and must stay silent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadNpmConfig, type NpmConfig } from '../../../lib/config/index.js';
import { gather, readTrustFiles, type GateInputs, type GateOptions } from '../../../lib/cli/gate.js';
import type { Output } from '../../../lib/cli/output.js';
import { PROGRESS_THRESHOLD } from '../../../lib/cli/progress.js';
import type { PackageRef, Targets } from '../../../lib/tree/index.js';

const REGISTRY = 'http://127.0.0.1:9/'; // offline: never contacted

let dir: string;
let config: NpmConfig;
let inputs: GateInputs;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-gate-progress-'));
  const loaded = await loadNpmConfig(dir, ['--offline', `--registry=${REGISTRY}`]);
  config = { ...loaded, cacheDir: join(dir, 'cache') }; // an empty cache: every package an OFFLINE_MISS, at once
  inputs = await readTrustFiles(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

function targets(count: number): Targets {
  const packages: PackageRef[] = Array.from({ length: count }, (_, i) => ({
    name: `pkg${i}`,
    version: '1.0.0',
    aliases: [],
    locations: [`node_modules/pkg${i}`],
    integrity: null,
    resolved: null,
    registry: REGISTRY,
    dev: false,
    optional: false,
    hasInstallScript: false,
  }));
  return { packages, nonRegistry: [] };
}

function options(quiet: boolean): GateOptions {
  return { cwd: dir, offline: true, concurrency: 4, timeoutMs: 1_000, trustedRoots: [], locked: false, now: new Date(), quiet, embedded: true };
}

/** An Output that records what is written where; `withSink: false` is the Node API's (no progress sink). */
function recording(withSink: boolean) {
  const seen = { stdout: [] as string[], stderr: [] as string[], progress: [] as string[] };
  const out: Output = {
    stdout: (t) => void seen.stdout.push(t),
    stderr: (t) => void seen.stderr.push(t),
    isTTY: true,
    ...(withSink ? { progress: { isTTY: true, columns: 80, write: (chunk: string) => seen.progress.push(chunk) } } : {}),
  };
  return { out, seen };
}

/**
 * Runs gather with process.stderr posing as a terminal (where a bar would be drawn at once) and both
 * process streams watched: anything written there directly fails the test.
 */
async function gatherWatched(out: Output, quiet: boolean, count = PROGRESS_THRESHOLD + 10) {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const wasTTY = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  let direct: unknown[][] = [];
  const gathered = await gather(targets(count), inputs, config, options(quiet), out).finally(() => {
    direct = [...stderr.mock.calls, ...stdout.mock.calls];
    if (wasTTY) Object.defineProperty(process.stderr, 'isTTY', wasTTY);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    stderr.mockRestore();
    stdout.mockRestore();
  });
  expect(gathered.evidence).toHaveLength(count);
  expect(direct).toEqual([]);
}

describe('gate progress', () => {
  it("draws on the Output's progress sink, and erases the bar when done", async () => {
    const { out, seen } = recording(true);
    await gatherWatched(out, false);
    expect(seen.progress.length).toBeGreaterThanOrEqual(2);
    expect(seen.progress[0]).toMatch(/^\rvouch: verifying \[[#-]+\] \d+\/60 pkg\d+\u001b\[K$/);
    expect(seen.progress.at(-1)).toBe('\r\u001b[K');
    expect([...seen.stdout, ...seen.stderr]).toEqual([]); // progress is not a message
  });

  it('writes nothing with --silent (quiet), for a small tree, or without a sink (the Node API)', async () => {
    for (const [withSink, quiet, count] of [
      [true, true, PROGRESS_THRESHOLD + 10],
      [true, false, PROGRESS_THRESHOLD],
      [false, false, PROGRESS_THRESHOLD + 10],
    ] as const) {
      const { out, seen } = recording(withSink);
      await gatherWatched(out, quiet, count);
      expect(seen).toEqual({ stdout: [], stderr: [], progress: [] });
    }
  });
});
