// What the deep check of `vouch verify --installed` (and of the admission preload) costs against a plain
// read of the same files: every package folder of an installed node_modules compared with its verified
// tarball's file list (lib/installed), next to reading every one of those files and doing nothing with
// them, with the same number of reads in flight. A focused script, not a bench/run-bench.ts comparison:
// it needs an installed tree and the npm cache vouch installed it with (the bench's `ci-warm-sig-vouch`
// project and state are one), and reads both without writing to them.
//
// It also times the admission preload on the same tree (`node --import …/admit/preload.js`), cold and
// warm, against a bare `node` start. Results go to docs/benchmarks.installed-files.json and their section
// of docs/benchmarks.md (bench/installed-files-report.ts; render-report keeps it).
//
//   node dist/bench/installed-files.js --project DIR --cache DIR [--runs 7] [--out docs/benchmarks.md]
//     --project  a project whose node_modules vouch installed (node_modules/.package-lock.json and vouch.lock)
//     --cache    npm's cache folder used for that install (the folder holding _cacache and _vouch)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packagePath } from '../lib/config/package-root.js';
import { checkInstalledFolders, ManifestStore, manifestFor, type FileManifest, type FolderCache, type FolderSnapshot } from '../lib/installed/index.js';
import { limitConcurrency } from '../lib/concurrency/index.js';
import { installedFilesSection, spliceInstalledFiles, type InstalledFilesResults } from './installed-files-report.js';
import { describeMachine } from './machine.js';

const { values } = parseArgs({
  options: { project: { type: 'string' }, cache: { type: 'string' }, runs: { type: 'string', default: '7' }, out: { type: 'string' } },
});
if (!values.project || !values.cache) throw new Error('usage: installed-files --project DIR --cache DIR [--runs N] [--out FILE.md]');
const machine = describeMachine();
const project = values.project;
const npmCacheDir = join(values.cache, '_cacache');
const runs = Number(values.runs);
const out = values.out ?? packagePath('docs', 'benchmarks.md');
const READS_IN_FLIGHT = 16; // lib/installed's default

const lock = JSON.parse(await readFile(join(project, 'node_modules', '.package-lock.json'), 'utf8')) as {
  packages: Record<string, { integrity?: string; link?: boolean; inBundle?: boolean }>;
};
const expected = Object.entries(lock.packages)
  .filter(([location, e]) => location.includes('node_modules/') && typeof e.integrity === 'string' && !e.link && !e.inBundle)
  .map(([location, e]) => ({ location, integrity: e.integrity! }));

// File lists made once, from the verified tarballs, into a scratch cache (the cache given is only read).
const scratch = await mkdtemp(join(tmpdir(), 'vouch-bench-installed-'));
const scratchCache = join(scratch, 'cache');
const store = ManifestStore.beside(join(scratchCache, '_cacache'));
const made = performance.now();
const manifests = new Map<string, FileManifest | null>();
for (const { integrity } of expected) if (!manifests.has(integrity)) manifests.set(integrity, await manifestFor(integrity, npmCacheDir, store));
const madeMs = performance.now() - made;
const lacking = [...manifests.values()].filter((m) => m === null).length;
if (lacking > 0) throw new Error(`${lacking} verified tarballs are not in ${values.cache}: not the cache this tree was installed with`);

const files = await listFiles();
const bytes = files.reduce((sum, f) => sum + f.size, 0);

async function listFiles(): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  for (const { location } of expected) {
    const walk = async (dir: string, top: boolean): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (top && entry.name === 'node_modules') continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path, false);
        else if (entry.isFile()) found.push({ path, size: (await stat(path)).size });
      }
    };
    await walk(join(project, location), true);
  }
  return found;
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
for (let i = 0; i < runs; i++) {
  // alternated, so drift in the machine's load spreads over all three
  samples.plain.push(await time(plainRead));
  samples.deep.push(await time(() => deepCheck()));
  samples.warm.push(await time(() => deepCheck(warmCache)));
}

// The preload as an app starts it: a bare `node` start subtracted, cold (no remembered folders) and warm.
const app = join(scratch, 'app.cjs');
await writeFile(app, 'process.exitCode = 0;\n');
const admitFile = join(scratch, 'admit.json');
const env = { ...process.env, npm_config_cache: scratchCache, VOUCH_ADMIT_ROOT: project, VOUCH_ADMIT_CACHE: admitFile };
const startMs = (args: string[]): number => {
  const start = performance.now();
  const child = spawnSync(process.execPath, [...args, app], { cwd: project, env, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  return performance.now() - start;
};
const preload = ['--import', packagePath('dist', 'lib', 'admit', 'preload.js')];
const admission = { bare: [] as number[], cold: [] as number[], warm: [] as number[] };
for (let i = 0; i < runs; i++) {
  admission.bare.push(startMs([]));
  await rm(admitFile, { force: true });
  admission.cold.push(startMs(preload));
  admission.warm.push(startMs(preload));
}
await rm(scratch, { recursive: true, force: true });

const bare = median(admission.bare);
const results: InstalledFilesResults = {
  machine,
  tree: { packages: expected.length, files: files.length, bytes },
  runs,
  readsInFlight: READS_IN_FLIGHT,
  fileListsMs: Math.round(madeMs),
  plainReadMs: Math.round(median(samples.plain)),
  deepCheckMs: Math.round(median(samples.deep)),
  warmMs: Math.round(median(samples.warm)),
  ratio: +(median(samples.deep) / median(samples.plain)).toFixed(2),
  admission: { coldMs: Math.round(median(admission.cold) - bare), warmMs: Math.round(median(admission.warm) - bare), runs },
};
await writeFile(out.replace(/\.md$/, '.installed-files.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(out, spliceInstalledFiles(existsSync(out) ? readFileSync(out, 'utf8') : '', installedFilesSection(results)));
process.stdout.write(`${installedFilesSection(results)}\nwrote ${out}\n`);
