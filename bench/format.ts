// Numbers as the report prints them, and the per-scenario summaries both the report and the targets use.
import type { ScenarioResult } from './results.js';
import { summarize, type Summary } from './stats.js';

/** Wall time of a scenario's runs, in seconds. */
export const times = (s: ScenarioResult): Summary => summarize(s.runs.map((r) => r.ms / 1000));
/** Peak RSS of a scenario's runs, in bytes. */
export const rssOf = (s: ScenarioResult): Summary => summarize(s.runs.map((r) => r.peakRssBytes));
/**
 * `a`'s time over `b`'s within each round both ran in, summarized. Rounds alternate the order and the two
 * runs of a round are seconds apart, so a slow drift of the machine (seen here: both tools 40% slower by
 * the fifth round) cancels in each ratio, where it does not in a ratio of medians.
 */
export function pairedRatio(a: ScenarioResult, b: ScenarioResult): Summary | undefined {
  const bByRound = new Map(b.runs.map((r) => [r.round, r.ms]));
  const ratios = a.runs.flatMap((r) => {
    const other = bByRound.get(r.round);
    return other ? [r.ms / other] : [];
  });
  return ratios.length > 0 ? summarize(ratios) : undefined;
}

export const sec = (x: number): string => `${x.toFixed(2)} s`;
export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
