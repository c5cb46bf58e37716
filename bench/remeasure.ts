// Folding a later, narrower run (e.g. `--only ci-warm,ci-warm-sig --runs 15` on a quiet machine) into a full
// run's results: its comparisons replace the full run's of the same id and size, and the report says which
// rows came from which run (command, time, commit, load), so every number still has its origin.
import type { BenchResults, ComparisonResult } from './results.js';

/** Where re-measured comparisons came from. */
export interface Remeasured {
  command: string;
  finishedAt: string;
  commit: string | null;
  loadAtStart: [number, number, number];
  runs: number;
  /** "ci-warm at 1,000", … */
  comparisons: { packages: number; id: string }[];
}

export function foldRemeasured(base: BenchResults, later: BenchResults): BenchResults {
  const replaced: Remeasured['comparisons'] = [];
  const sizes = base.sizes.map((size) => {
    const newer = later.sizes.find((s) => s.packages === size.packages);
    if (!newer) return size;
    const byId = new Map<string, ComparisonResult>(newer.comparisons.map((c) => [c.id, c]));
    const comparisons = size.comparisons.map((c) => {
      const replacement = byId.get(c.id);
      if (!replacement) return c;
      replaced.push({ packages: size.packages, id: c.id });
      return replacement;
    });
    return { ...size, comparisons };
  });
  if (replaced.length === 0) throw new Error('the later run measured no comparison the base run has');
  const note: Remeasured = {
    command: later.command,
    finishedAt: later.finishedAt,
    commit: later.machine.commit,
    loadAtStart: later.machine.loadAtStart,
    runs: later.runs,
    comparisons: replaced,
  };
  return { ...base, sizes, remeasured: [...(base.remeasured ?? []), note] };
}
