// What the deep check of `vouch verify --installed` (and of the admission preload) costs against a plain
// read of the same files: every package folder of an installed node_modules compared with its verified
// tarball's file list (lib/installed), next to reading every one of those files and doing nothing with
// them, with the same number of reads in flight. A focused script, not a bench/run-bench.ts comparison:
// it needs an installed tree and the npm cache vouch installed it with (the bench's `ci-warm-sig-vouch`
// project and state are one), and reads both without writing to them.
//
//   node dist/bench/installed-files.js --project DIR --cache DIR [--runs 5]
//     --project  a project whose node_modules vouch installed (node_modules/.package-lock.json lists it)
//     --cache    npm's cache folder used for that install (the folder holding _cacache and _vouch)
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkInstalledFolders, ManifestStore, manifestFor, type FileManifest, type FolderCache, type FolderSnapshot } from '../lib/installed/index.js';
import { limitConcurrency } from '../lib/registry/concurrency.js';

const { values } = parseArgs({ options: { project: { type: 'string' }, cache: { type: 'string' }, runs: { type: 'string', default: '5' } } });
if (!values.project || !values.cache) throw new Error('usage: installed-files --project DIR --cache DIR [--runs N]');
const project = values.project;
const npmCacheDir = join(values.cache, '_cacache');
const runs = Number(values.runs);
const READS_IN_FLIGHT = 16; // lib/installed's default

const lock = JSON.parse(await readFile(join(project, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string; link?: boolean; inBundle?: boolean }> };
const expected = Object.entries(lock.packages)
  .filter(([location, e]) => location.includes('node_modules/') && typeof e.integrity === 'string' && !e.link && !e.inBundle)
  .map(([location, e]) => ({ location, integrity: e.integrity! }));

// File lists made once, from the verified tarballs, into a scratch store (the cache given is only read).
const scratch = await mkdtemp(join(tmpdir(), 'vouch-bench-manifests-'));
const store = new ManifestStore(scratch);
const made = performance.now();
const manifests = new Map<string, FileManifest | null>();
for (const { integrity } of expected) if (!manifests.has(integrity)) manifests.set(integrity, await manifestFor(integrity, npmCacheDir, store));
const madeMs = performance.now() - made;
const lacking = [...manifests.values()].filter((m) => m === null).length;
if (lacking > 0) throw new Error(`${lacking} verified tarballs are not in ${values.cache}: not the cache this tree was installed with`);

const files = await listFiles();
const bytes = files.reduce((sum, f) => sum + f.size, 0);

async function listFiles(): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  for (const { location } of expected) {
    const walk = async (dir: string, top: boolean): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (top && entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path, false);
        else if (entry.isFile()) out.push({ path, size: (await readFile(path)).length });
      }
    };
    await walk(join(project, location), true);
  }
  return out;
}

/** The baseline: every file of every package folder read once, nothing computed, READS_IN_FLIGHT at a time. */
async function plainRead(): Promise<void> {
  const read = limitConcurrency((path: string) => readFile(path), READS_IN_FLIGHT);
  await Promise.all(files.map((f) => read(f.path)));
}

async function deepCheck(cache?: FolderCache): Promise<void> {
  const checks = await checkInstalledFolders(project, expected, { manifestOf: async (i) => manifests.get(i) ?? null, ...(cache ? { cache } : {}) });
  const bad = checks.filter((c) => c.kind !== 'match');
  if (bad.length > 0) throw new Error(`the tree does not match its tarballs: ${JSON.stringify(bad.slice(0, 3))}`);
}

/** The admission preload's cache (lib/admit/matched-folders.ts), kept in memory. */
function memoryCache(): FolderCache {
  const seen = new Map<string, string>();
  const key = (integrity: string, snapshot: FolderSnapshot) => `${integrity} ${JSON.stringify([...snapshot])}`;
  return { matches: (dir, i, s) => seen.get(dir) === key(i, s), remember: (dir, i, s) => void seen.set(dir, key(i, s)) };
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await plainRead(); // untimed: the page cache holds the tree for every run after this, as on a warm machine
const warmCache = memoryCache();
await deepCheck(warmCache);
const samples = { plain: [] as number[], deep: [] as number[], warm: [] as number[] };
for (let i = 0; i < runs; i++) { // alternated, so drift in the machine's load spreads over all three
  samples.plain.push(await time(plainRead));
  samples.deep.push(await time(() => deepCheck()));
  samples.warm.push(await time(() => deepCheck(warmCache)));
}
await rm(scratch, { recursive: true, force: true });

const result = {
  date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown',
  packages: expected.length, files: files.length, megabytes: +(bytes / 1e6).toFixed(1), runs,
  fileListsFromTarballsMs: Math.round(madeMs),
  plainReadMs: Math.round(median(samples.plain)),
  deepCheckMs: Math.round(median(samples.deep)),
  warmStatsOnlyMs: Math.round(median(samples.warm)),
  ratio: +(median(samples.deep) / median(samples.plain)).toFixed(2),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
