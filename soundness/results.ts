// What a soundness run produced: per case (kept whole in the work folder) and the summary the report is
// rendered from (docs/soundness.results.json beside docs/soundness.md).
import type { Machine } from '../bench/machine.js';
import type { CacheState, MutationCase, MutationField, OmitFlag } from './mutations/index.js';

export type Tool = 'vouch verify' | 'vouch ci' | 'npm ci';

export interface RunRecord {
  /** Exit code; -1 when killed at the time bound. */
  code: number;
  ms: number;
  timedOut: boolean;
  /** What it said, in one line: vouch's decision and first denials, or npm's error code. */
  summary: string;
  /** The last lines of stderr. */
  stderrTail: string;
}

export type ViolationClass = 'unverified-bytes' | 'this-is-a-bug' | 'ci-wrote-on-deny';

export interface Violation {
  class: ViolationClass;
  /** Whose allow (or output) it is: vouch verify's allow judged on npm ci's install, or vouch ci's own. */
  tool: 'vouch verify' | 'vouch ci';
  path: string;
  reason: string;
}

/** A case as generated (its id, tree, kind, target, params, cache state and omit flag), and what each tool did. */
export interface CaseResult extends Omit<MutationCase, 'ci'> {
  verify: RunRecord;
  npm: RunRecord;
  ci: RunRecord | null;
  violations: Violation[];
  /** Denied although npm's install was harmless: only registry-signed bytes, in their places. */
  overBlocking: { tool: 'vouch verify' | 'vouch ci'; code: number; summary: string }[];
  /** vouch ci allowed and its project differs from npm ci's: the first differing paths. */
  ciDifference: string[] | null;
  /** Requests vouch made to the foreign host a watched source lives on (null when not watched). */
  foreignContacts: number | null;
  ms: number;
  /** Set when the harness itself failed on this case (the case then counts nowhere else). */
  harnessError?: string;
}

export interface Tally {
  allowed: number;
  denied: number;
  exit2: number;
  exit3: number;
  other: number;
}

export interface KindSummary {
  kind: string;
  field: MutationField;
  describe: string;
  cases: number;
  verify: Tally;
  npm: { installed: number; failed: number };
  ci: Tally;
  violations: number;
  overBlocking: number;
  ciDifferences: number;
}

export interface SoundnessResults {
  command: string;
  machine: Machine;
  seed: number;
  /** --sample N, or null for a --mutations run. */
  sample: number | null;
  workers: number;
  retrySettings: Readonly<Record<string, string>>;
  corpus: { trees: { name: string; description: string; entries: number }[]; tarballs: number; realTarballBytes: number; madeTarballBytes: number };
  generated: number;
  ran: number;
  startedAt: string;
  finishedAt: string;
  setupMs: number;
  runMs: number;
  kinds: KindSummary[];
  /** Every violation, whole, with its case. */
  violations: (Violation & CaseRef)[];
  overBlocking: (CaseRef & { tool: string; code: number; summary: string })[];
  ciDifferences: (CaseRef & { paths: string[] })[];
  contacted: (CaseRef & { requests: number })[];
  harnessErrors: (CaseRef & { error: string })[];
}

export interface CaseRef {
  case: string;
  /** The generator seed the case id belongs to (`--seed`). */
  seed: number;
  kind: string;
  tree: string;
  cache: CacheState;
  omit: OmitFlag;
  verify: string;
  npm: string;
  ci: string | null;
}
