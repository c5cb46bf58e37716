// What one benchmark run produced: plain JSON (kept beside the work folder) that report.ts renders.
import type { TreeKind } from './bench-tree.js';
import type { Machine } from './machine.js';
import type { Remeasured } from './remeasure.js';
import type { MicroResults } from './micro.js';
import type { RegistryRate } from './registry-rate.js';
import type { Run } from './runner.js';
import type { Scenario } from './scenarios.js';
import type { TreeShape } from './tree-shape.js';

/** A scenario's description (scenarios.ts) and what its runs measured. */
export interface ScenarioResult extends Pick<Scenario, 'id' | 'tool' | 'shown' | 'cache' | 'via' | 'kind'> {
  runs: Run[];
}

export interface ComparisonResult {
  id: string;
  title: string;
  scenarios: ScenarioResult[];
}

export interface SizeResult {
  packages: number;
  shapes: Record<TreeKind, TreeShape>;
  generation: { reused: boolean; ms: number };
  /** Packuments per second the registry serves with no client work (measure once per size). */
  registryRate: RegistryRate;
  comparisons: ComparisonResult[];
}

export interface BenchResults {
  /** The exact command, as typed. */
  command: string;
  machine: Machine;
  runs: number;
  /** Rounds for sizes above 1,000 when --large-runs differed. */
  largeRuns?: number;
  latencyMs: number;
  seed: number;
  sizes: SizeResult[];
  micro: MicroResults | null;
  startedAt: string;
  finishedAt: string;
  /** Comparisons a later run measured again and replaced (bench/remeasure.ts). */
  remeasured?: Remeasured[];
}
