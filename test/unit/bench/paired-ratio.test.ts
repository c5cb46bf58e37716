// The benchmark's ratio between two commands is taken within each round: a machine that slows down
// round after round must not move it, where it moves the ratio of the medians.
import { describe, expect, it } from 'vitest';
import { pairedRatio } from '../../../bench/format.js';
import type { ScenarioResult } from '../../../bench/results.js';

function scenario(id: string, tool: 'npm' | 'vouch', ms: Record<number, number>): ScenarioResult {
  return {
    id,
    tool,
    shown: id,
    cache: 'cold',
    via: 'loopback',
    kind: 'prov',
    runs: Object.entries(ms).map(([round, value]) => ({ round: Number(round), ms: value, peakRssBytes: 0, processes: 1 })),
  };
}

describe('pairedRatio', () => {
  it('divides the runs of the same round, so drift over the rounds cancels', () => {
    // Each round 30% slower than the one before; vouch always 5% over npm in its own round.
    const npmMs = { 1: 1000, 2: 1300, 3: 1690, 4: 2197, 5: 2856 };
    const vouchMs = Object.fromEntries(Object.entries(npmMs).map(([r, v]) => [r, v * 1.05]));
    const npm = scenario('npm', 'npm', npmMs);
    const vouch = scenario('vouch', 'vouch', vouchMs);
    expect(pairedRatio(vouch, npm)?.median).toBeCloseTo(1.05, 10);
    expect(pairedRatio(vouch, npm)?.max).toBeCloseTo(1.05, 10);
  });

  it('uses only rounds both commands ran, and gives nothing when they share none', () => {
    const npm = scenario('npm', 'npm', { 1: 1000, 2: 2000 });
    expect(pairedRatio(scenario('vouch', 'vouch', { 2: 3000, 3: 9000 }), npm)).toMatchObject({ n: 1, median: 1.5 });
    expect(pairedRatio(scenario('vouch', 'vouch', { 7: 1000 }), npm)).toBeUndefined();
  });
});
