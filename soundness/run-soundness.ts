// `npm run soundness -- [--mutations N] [--sample N --seed S] [--out docs/soundness.md]`: a differential
// harness against the real npm. Hostile mutations of real lockfiles (fixtures/soundness/), served by the
// test registry; per case vouch verify, npm ci and (one in five) vouch ci on identical inputs; the
// invariant checked on what npm (and vouch ci) wrote. docs/soundness.md is generated from the results.
//
// Flags
//   --mutations N   run the first N cases of the seeded, kind-stratified order (default: every generated case)
//   --sample N      the same, reported as a sample (CI runs `--sample 100 --seed 1`)
//   --seed S        generator and order seed (default 1)
//   --workers W     cases in parallel, each worker with its own proxy, projects and npm caches (default 2)
//   --only TEXT     only cases whose id contains TEXT (after --mutations/--sample); for reproducing one
//   --keep          keep each case's folders (projects, caches) under the work folder
//   --list          print the selected case ids and exit
//   --work DIR      registry storage, attacker tarballs, workers' folders, raw results (default $TMPDIR/vouch-soundness)
//   --out FILE      the report (default docs/soundness.md; the results JSON goes beside it)
// Exit: 0 when no case violated the invariant, 1 when one did (or vouch reported an internal error), 2 when the
// harness itself failed on a case or could not start.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from '../bench/machine.js';
import { packagePath } from '../lib/config/package-root.js';
import { attackerTarballs } from './corpus/attacker.js';
import { loadCorpus, type Corpus } from './corpus/load.js';
import { startCorpusRegistry } from './corpus/publish.js';
import { generateCases, stratifiedOrder, type MutationCase } from './mutations/index.js';
import { renderReport } from './report.js';
import type { CaseResult, SoundnessResults } from './results.js';
import { RETRY_SETTINGS } from './run/npm-config.js';
import { runCase } from './run/run-case.js';
import { startWorker, type Worker } from './run/worker.js';
import { summarizeCorpus } from './corpus/describe.js';
import { summarizeCases } from './summarize.js';

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Options {
  mutations: number | null;
  sample: number | null;
  seed: number;
  workers: number;
  only: string | null;
  keep: boolean;
  list: boolean;
  work: string;
  out: string;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  await mkdir(opts.work, { recursive: true });
  const corpus = await loadCorpus(opts.work);
  const generated = generateCases(corpus.trees, opts.seed);
  const cases = selectCases(generated, opts);
  if (opts.list) {
    process.stdout.write(`${cases.map((c) => c.id).join('\n')}\n`);
    return 0;
  }
  log(`${generated.length} cases generated (seed ${opts.seed}); running ${cases.length} on ${opts.workers} workers; work folder ${opts.work}`);
  const setupStarted = performance.now();
  const registry = await startCorpusRegistry(join(opts.work, `registry-${corpusKey(corpus)}`), corpus.tarballs, log);
  const workers: Worker[] = [];
  let results: CaseResult[] = [];
  let runMs = 0;
  let setupMs = 0;
  try {
    workers.push(
      ...(await Promise.all(Array.from({ length: opts.workers }, (_, i) => startWorker(i, join(opts.work, `worker-${i}`), registry, corpus.trees)))),
    );
    setupMs = performance.now() - setupStarted;
    log(`set up in ${(setupMs / 1000).toFixed(0)} s (registry, ${opts.workers} proxies, warm caches of ${corpus.trees.length} trees)`);
    const runStarted = performance.now();
    results = await runAll(cases, workers, corpus, opts);
    runMs = performance.now() - runStarted;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await registry.stop();
  }
  const summary: SoundnessResults = {
    command: ['npm run soundness', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine,
    seed: opts.seed,
    sample: opts.sample,
    workers: opts.workers,
    retrySettings: RETRY_SETTINGS,
    corpus: await summarizeCorpus(corpus),
    generated: generated.length,
    ran: results.length,
    startedAt,
    finishedAt: new Date().toISOString(),
    setupMs: Math.round(setupMs),
    runMs: Math.round(runMs),
    ...summarizeCases(results, opts.seed),
  };
  await writeFile(join(opts.work, `results-${startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify(results, null, 1));
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out.replace(/\.md$/, '.results.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(opts.out, renderReport(summary));
  log(
    `wrote ${opts.out}: ${results.length} cases, ${summary.violations.length} violations, ${summary.overBlocking.length} over-blocking, ${summary.harnessErrors.length} harness errors`,
  );
  if (summary.violations.length > 0) return 1;
  return summary.harnessErrors.length > 0 ? 2 : 0;
}

/** The workers take cases from one queue; each result is also appended to the work folder as it lands. */
async function runAll(cases: readonly MutationCase[], workers: readonly Worker[], corpus: Corpus, opts: Options): Promise<CaseResult[]> {
  const attacker = attackerTarballs(opts.work, corpus.store);
  const results: CaseResult[] = [];
  const progress = join(opts.work, 'progress.jsonl');
  await writeFile(progress, '');
  const started = performance.now();
  let next = 0;
  let violating = 0;
  const loop = async (worker: Worker): Promise<void> => {
    for (let c = cases[next++]; c; c = cases[next++]) {
      const result = await runCase({ worker, corpus, attacker, keep: opts.keep }, c);
      results.push(result);
      if (result.violations.length > 0) violating++;
      await appendFile(progress, `${JSON.stringify(result)}\n`);
      if (result.harnessError) log(`harness error in ${c.id}: ${result.harnessError.split('\n')[0]}`);
      if (results.length % 25 === 0 || results.length === cases.length) {
        const perMin = results.length / ((performance.now() - started) / 60_000);
        log(
          `${results.length}/${cases.length} cases, ${perMin.toFixed(1)}/min, ${violating} with violations, eta ${((cases.length - results.length) / perMin).toFixed(0)} min`,
        );
      }
    }
  };
  await Promise.all(workers.map(loop));
  return results;
}

function selectCases(generated: readonly MutationCase[], opts: Options): MutationCase[] {
  const ordered = stratifiedOrder(generated, opts.seed);
  const count = opts.sample ?? opts.mutations ?? ordered.length;
  const chosen = ordered.slice(0, count);
  return opts.only ? chosen.filter((c) => c.id.includes(opts.only as string)) : chosen;
}

/**
 * What the registry storage a run made depends on besides the corpus: 2 since the registry's records name their
 * signing-log entries (an older storage's signatures are not in its log, SIGNATURE_NOT_LOGGED throughout).
 */
const STORAGE_FORMAT = 2;

/** Registry storage is reused across runs while the corpus tarballs and the storage format stay the same. */
function corpusKey(corpus: Corpus): string {
  return createHash('sha256')
    .update(
      `${STORAGE_FORMAT}\n${corpus.tarballs
        .map((t) => t.integrity)
        .sort()
        .join('\n')}`,
    )
    .digest('hex')
    .slice(0, 12);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      mutations: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string', default: '2' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      work: { type: 'string', default: join(tmpdir(), 'vouch-soundness') },
      out: { type: 'string', default: packagePath('docs', 'soundness.md') },
    },
  });
  if (values.mutations && values.sample) throw new Error('--mutations and --sample are two names for one count: give one');
  return {
    mutations: values.mutations ? positive('mutations', values.mutations) : null,
    sample: values.sample ? positive('sample', values.sample) : null,
    seed: positive('seed', values.seed),
    workers: positive('workers', values.workers),
    only: values.only ?? null,
    keep: values.keep,
    list: values.list,
    work: resolve(values.work),
    out: resolve(values.out),
  };
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soundness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
