// `npm run bench -- --packages 1000[,5000]`: vouch against npm on generated registries of N packages,
// then docs/benchmarks.md regenerated from what was measured (never typed by hand).
//
// Flags
//   --packages N[,M…]   tree sizes (default 1000); each gets its own generated registry
//   --runs R            timed rounds per comparison, after one untimed warm-up (default 5)
//   --large-runs R      the same for sizes above 1,000 (default: --runs)
//   --latency MS        delay the proxy adds per request (default 40)
//   --seed S            generator seed (default 1)
//   --work DIR          generated registries, project copies and raw results (default $TMPDIR/vouch-bench)
//   --fresh             regenerate the registries even when a matching one exists
//   --only a,b          run only these comparisons (scenarios.ts COMPARISON_IDS); default all, with `vouch ci`
//                       on the signatures-only tree up to 1,000 packages (SIG_CI_UP_TO)
//   --large-only a,b    the comparisons for sizes above 1,000 (default: as --only); a 5,000 run of all takes ~70 min here
//   --no-micro          skip the microbenchmarks
//   --out FILE          the report (default docs/benchmarks.md)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packagePath } from '../lib/config/package-root.js';
import { openBenchTree } from './bench-tree.js';
import { checkProxyUrls, startLatencyProxy } from './latency-proxy.js';
import { describeMachine } from './machine.js';
import type { MicroResults } from './micro.js';
import { prepareProjects } from './prepare.js';
import { measureRegistryRate } from './registry-rate.js';
import { withInstalledFiles } from './installed-files-report.js';
import { withLogScale } from './log-scale-report.js';
import { renderReport } from './report.js';
import type { BenchResults, SizeResult } from './results.js';
import { runComparison } from './runner.js';
import { buildComparisons, COMPARISON_IDS, comparisonsFor, type ComparisonId } from './scenarios.js';

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      packages: { type: 'string', default: '1000' },
      runs: { type: 'string', default: '5' },
      latency: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      work: { type: 'string', default: join(tmpdir(), 'vouch-bench') },
      fresh: { type: 'boolean', default: false },
      only: { type: 'string' },
      'large-only': { type: 'string' },
      'large-runs': { type: 'string' },
      'no-micro': { type: 'boolean', default: false },
      out: { type: 'string', default: packagePath('docs', 'benchmarks.md') },
    },
  });
  const sizes = values.packages.split(',').map((n) => positive('packages', n));
  const runs = positive('runs', values.runs);
  const latencyMs = positive('latency', values.latency);
  const seed = positive('seed', values.seed);
  const largeRuns = values['large-runs'] ? positive('large-runs', values['large-runs']) : runs;
  const only = comparisonList('only', values.only);
  const largeOnly = comparisonList('large-only', values['large-only']) ?? only;
  const work = resolve(values.work);
  const machine = describeMachine();
  log(`load average at start ${machine.loadAtStart.map((l) => l.toFixed(2)).join(' ')}; work folder ${work}`);

  const results: BenchResults = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    runs,
    ...(largeRuns !== runs ? { largeRuns } : {}),
    latencyMs,
    seed,
    sizes: [],
    micro: null,
    startedAt: new Date().toISOString(),
    finishedAt: '',
  };
  if (!values['no-micro']) {
    log('microbenchmarks (one process, one thread)');
    results.micro = await runMicroChild();
  }
  // The report is rewritten after each size: a long run stopped part-way still leaves what it measured.
  for (const packages of sizes) {
    const large = packages > LARGE_ABOVE;
    results.sizes.push(await benchSize(work, packages, seed, large ? largeRuns : runs, latencyMs, large ? largeOnly : only, values.fresh));
    results.finishedAt = new Date().toISOString();
    const raw = join(work, `results-${results.startedAt.replace(/[:.]/g, '-')}.json`);
    await writeFile(raw, JSON.stringify(results, null, 2));
    // Beside the report too (docs/benchmarks.results.json), which links it: bench/render-report.ts re-renders from it.
    await writeFile(values.out.replace(/\.md$/, '') + '.results.json', `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(values.out, withInstalledFiles(withLogScale(renderReport(results), values.out), values.out));
    log(`wrote ${values.out} (${results.sizes.map((r) => r.packages).join(', ')} packages; raw results: ${raw})`);
  }
}

/** Sizes above this take --large-runs and --large-only. */
const LARGE_ABOVE = 1000;

function comparisonList(flag: string, value: string | undefined): ComparisonId[] | undefined {
  const ids = value?.split(',') as ComparisonId[] | undefined;
  for (const id of ids ?? []) if (!COMPARISON_IDS.includes(id)) throw new Error(`--${flag}: unknown comparison ${id} (${COMPARISON_IDS.join(', ')})`);
  return ids;
}

async function benchSize(
  work: string,
  packages: number,
  seed: number,
  runs: number,
  latencyMs: number,
  only: ComparisonId[] | undefined,
  fresh: boolean,
): Promise<SizeResult> {
  log(`== ${packages} packages`);
  if (fresh) await rm(join(work, `n${packages}-seed${seed}`), { recursive: true, force: true });
  const tree = await openBenchTree(work, packages, seed, log);
  const proxy = await startLatencyProxy({ target: tree.registry.url, delayMs: latencyMs });
  try {
    const runDir = join(work, `n${packages}-seed${seed}`, 'run');
    await rm(runDir, { recursive: true, force: true });
    await mkdir(runDir, { recursive: true });
    const ctx = { tree, proxy, runDir };
    await prepareProjects(ctx, log);
    await checkProxyUrls(proxy, firstPackage(tree.projects.prov.template));
    const registryRate = await measureRegistryRate(tree.registry.url, tree.projects.sig.template);
    log(`the registry alone serves ${registryRate.perSecond.toFixed(0)} packuments/s`);
    const result: SizeResult = {
      packages,
      shapes: { sig: tree.projects.sig.shape, prov: tree.projects.prov.shape },
      generation: tree.generation,
      registryRate,
      comparisons: [],
    };
    for (const comparison of await buildComparisons(ctx, comparisonsFor(packages, only))) {
      log(`${comparison.title}: ${runs} rounds`);
      const measured = await runComparison(comparison, runs, log);
      result.comparisons.push({
        id: comparison.id,
        title: comparison.title,
        scenarios: comparison.scenarios.map((s) => ({
          id: s.id,
          tool: s.tool,
          shown: s.shown,
          cache: s.cache,
          via: s.via,
          kind: s.kind,
          runs: measured.get(s.id) ?? [],
        })),
      });
    }
    return result;
  } finally {
    await proxy.close();
    await tree.registry.stop();
  }
}

/** Some package of the project (any will do for the proxy URL check). */
function firstPackage(project: string): string {
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const key = Object.keys(lock.packages).find((k) => k.startsWith('node_modules/'));
  if (!key) throw new Error(`${project}: the lockfile lists no package`);
  return key.slice('node_modules/'.length);
}

/** The microbenchmarks in a process of their own, so nothing else shares the thread or the heap. */
function runMicroChild(): Promise<MicroResults> {
  const script = fileURLToPath(new URL('./micro.js', import.meta.url));
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(JSON.parse(out) as MicroResults) : fail(new Error(`micro benchmarks exited ${code}`))));
  });
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
