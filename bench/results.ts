// What one benchmark run produced: plain JSON (kept beside the work folder) that report.ts renders.
import type { TreeKind } from './bench-tree.js';
import type { Machine } from './machine.js';
import type { MicroResults } from './micro.js';
import type { RegistryRate } from './registry-rate.js';
import type { Run } from './runner.js';
import type { Tool } from './scenarios.js';
import type { TreeShape } from './tree-shape.js';

export interface ScenarioResult {
  id: string;
  tool: Tool;
  shown: string;
  cache: 'cold' | 'warm';
  via: 'loopback' | 'proxy';
  kind: TreeKind;
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
  latencyMs: number;
  seed: number;
  sizes: SizeResult[];
  micro: MicroResults | null;
  finishedAt: string;
}
