// From per-case results to the report's summary: counts per mutation kind, and every violation,
// over-blocking, vouch ci difference, contacted source and harness error listed with its case.
import { kindById } from './mutations/index.js';
import type { CaseRef, CaseResult, KindSummary, RunRecord, SoundnessResults, Tally } from './results.js';

export type CaseLists = Pick<SoundnessResults, 'kinds' | 'violations' | 'overBlocking' | 'ciDifferences' | 'contacted' | 'harnessErrors'>;

export function summarizeCases(results: readonly CaseResult[], seed: number): CaseLists {
  const kinds = new Map<string, KindSummary>();
  const out: CaseLists = { kinds: [], violations: [], overBlocking: [], ciDifferences: [], contacted: [], harnessErrors: [] };
  for (const r of [...results].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const ref = caseRef(r, seed);
    if (r.harnessError) {
      out.harnessErrors.push({ ...ref, error: r.harnessError });
      continue;
    }
    const k = kinds.get(r.kind) ?? emptyKind(r);
    kinds.set(r.kind, k);
    k.cases++;
    tally(k.verify, r.verify);
    if (r.ci) tally(k.ci, r.ci);
    if (r.npm.code === 0) k.npm.installed++;
    else k.npm.failed++;
    k.violations += r.violations.length > 0 ? 1 : 0;
    k.overBlocking += r.overBlocking.length > 0 ? 1 : 0;
    k.ciDifferences += r.ciDifference ? 1 : 0;
    for (const v of r.violations) out.violations.push({ ...v, ...ref });
    for (const o of r.overBlocking) out.overBlocking.push({ ...ref, ...o });
    if (r.ciDifference) out.ciDifferences.push({ ...ref, paths: r.ciDifference });
    if (r.foreignContacts) out.contacted.push({ ...ref, requests: r.foreignContacts });
  }
  out.kinds = [...kinds.values()];
  return out;
}

function tally(t: Tally, run: RunRecord): void {
  if (run.code === 0) t.allowed++;
  else if (run.code === 1) t.denied++;
  else if (run.code === 2) t.exit2++;
  else if (run.code === 3) t.exit3++;
  else t.other++;
}

const zero = (): Tally => ({ allowed: 0, denied: 0, exit2: 0, exit3: 0, other: 0 });

function emptyKind(r: CaseResult): KindSummary {
  return {
    kind: r.kind,
    field: r.field,
    describe: kindById(r.kind).describe,
    cases: 0,
    verify: zero(),
    npm: { installed: 0, failed: 0 },
    ci: zero(),
    violations: 0,
    overBlocking: 0,
    ciDifferences: 0,
  };
}

function caseRef(r: CaseResult, seed: number): CaseRef {
  return {
    case: r.id,
    seed,
    kind: r.kind,
    tree: r.tree,
    cache: r.cache,
    omit: r.omit,
    verify: `exit ${r.verify.code}: ${r.verify.summary}`,
    npm: `exit ${r.npm.code}: ${r.npm.summary}`,
    ci: r.ci ? `exit ${r.ci.code}: ${r.ci.summary}` : null,
  };
}
