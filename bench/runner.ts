// Runs a comparison: one untimed warm-up run of each warm command (it fills the caches the timed runs
// reuse; a cold command starts from nothing every time, so it needs none), then `rounds` timed rounds
// that alternate the order (A B, B A, …) so drift in machine load falls on both sides alike.
import { runMeasured } from './measure.js';
import type { ProxyCounts } from './latency-proxy.js';
import type { Comparison, Scenario } from './scenarios.js';

export interface Run {
  round: number;
  ms: number;
  peakRssBytes: number;
  processes: number;
  /** Requests the latency proxy forwarded during the run (proxy comparisons only). */
  traffic?: { requests: number; packuments: number; tarballs: number; keys: number; attestations: number; other: number };
}

export type ComparisonRuns = Map<string, Run[]>;

export async function runComparison(comparison: Comparison, rounds: number, log: (line: string) => void): Promise<ComparisonRuns> {
  const runs: ComparisonRuns = new Map(comparison.scenarios.map((s) => [s.id, []]));
  for (const scenario of comparison.scenarios) if (scenario.cache === 'warm') await runOnce(comparison, scenario, 0);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? comparison.scenarios : [...comparison.scenarios].reverse();
    const line: string[] = [];
    for (const scenario of order) {
      const run = await runOnce(comparison, scenario, round);
      runs.get(scenario.id)!.push(run);
      line.push(`${scenario.id} ${(run.ms / 1000).toFixed(2)} s ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MB`);
    }
    log(`  round ${round}: ${line.join(' | ')}`);
  }
  return runs;
}

async function runOnce(comparison: Comparison, scenario: Scenario, round: number): Promise<Run> {
  await scenario.reset();
  comparison.proxy?.take();
  const sample = await runMeasured(scenario.command);
  const traffic = comparison.proxy?.take();
  try {
    scenario.check(sample, traffic);
  } catch (err) {
    throw new Error(`${scenario.id} (round ${round}) did not do the whole job: ${(err as Error).message}`, { cause: err });
  }
  const run: Run = { round, ms: sample.ms, peakRssBytes: sample.peakRssBytes, processes: sample.processes };
  if (traffic) run.traffic = plainCounts(traffic);
  return run;
}

function plainCounts(c: ProxyCounts): NonNullable<Run['traffic']> {
  return { requests: c.requests, packuments: c.packuments, tarballs: c.tarballs, keys: c.keys, attestations: c.attestations, other: c.other };
}
