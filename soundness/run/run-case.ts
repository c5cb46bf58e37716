// One case, start to finish: apply the mutation to fresh copies of the tree's project, give each tool
// its own copy of the same npm cache state, install the registry-side edits on the worker's proxy, run
// vouch verify, npm ci and (for a subset) vouch ci, then judge what npm and vouch ci wrote.
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AttackerTarballs } from '../corpus/attacker.js';
import type { Corpus } from '../corpus/load.js';
import { walkEntries } from '../install/file-hashes.js';
import { cloneLock } from '../lockfile.js';
import { kindById, type MutationCase, type MutationEffect } from '../mutations/index.js';
import type { CaseResult, RunRecord } from '../results.js';
import { judgeCase, type InstallRun } from './judge.js';
import { toolEnv } from './npm-config.js';
import { installServeRules } from './serve-rules.js';
import { npmRecord, vouchRecord } from './summaries.js';
import { runNpm, runVouch, type ToolRun } from './tools.js';
import type { Worker, WorkerTree } from './worker.js';

export interface CaseContext {
  worker: Worker;
  corpus: Corpus;
  attacker: AttackerTarballs;
  /** Keep the case folder (debugging a single case). */
  keep: boolean;
}

type Label = 'verify' | 'npm' | 'ci';

export async function runCase(ctx: CaseContext, c: MutationCase): Promise<CaseResult> {
  const started = performance.now();
  const { worker } = ctx;
  const wt = worker.trees.get(c.tree);
  if (!wt) throw new Error(`unknown tree ${c.tree}`);
  const dir = join(worker.root, 'cases', c.id.replace(/[^\w.-]+/g, '_').slice(-150));
  await rm(dir, { recursive: true, force: true });
  const labels: Label[] = c.ci ? ['verify', 'npm', 'ci'] : ['verify', 'npm'];
  try {
    const effect = await kindById(c.kind).apply(
      {
        lock: cloneLock(wt.lock),
        registryUrl: worker.proxy.url,
        foreignUrl: worker.proxy.foreign.url,
        catalog: ctx.corpus.catalog,
        attacker: ctx.attacker,
      },
      { target: c.target, params: c.params },
    );
    const projects = await prepareProjects(dir, wt, effect, labels);
    const caches = await prepareCaches(dir, c, wt, effect, labels, worker);
    await installServeRules(worker.proxy, effect.serve ?? []);
    const env = (label: Label) => toolEnv(worker.config, caches[label]);
    const omit = c.omit === 'none' ? [] : [`--omit=${c.omit}`];

    const foreignBefore = worker.proxy.foreign.requests.length;
    const verify = await runVouch(['verify', '--format', 'json', ...omit], projects.verify, env('verify'));
    let foreign = worker.proxy.foreign.requests.length - foreignBefore;
    const npm = await installRun(projects.npm, () => runNpm(['ci', ...omit], projects.npm, env('npm')));
    let ci: InstallRun | null = null;
    if (c.ci) {
      const before = worker.proxy.foreign.requests.length;
      ci = await installRun(projects.ci, () => runVouch(['ci', '--update-lock', '--format', 'json', ...omit], projects.ci, env('ci')));
      foreign += worker.proxy.foreign.requests.length - before;
    }
    const verdict = judgeCase({
      corpus: ctx.corpus,
      baseline: wt.lock,
      mutated: effect.lock,
      verify,
      npm,
      ci,
      failClosed: kindById(c.kind).failClosed ?? false,
    });
    const records = { verify: vouchRecord(verify), npm: npmRecord(npm.run), ci: ci ? vouchRecord(ci.run) : null };
    return {
      ...caseFields(c),
      ...records,
      ...verdict,
      overBlocking: verdict.overBlocking.map((o) => ({ ...o, summary: (o.tool === 'vouch ci' ? records.ci : records.verify)?.summary ?? '' })),
      foreignContacts: effect.watchForeign ? foreign : null,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    return {
      ...caseFields(c),
      ...emptyRuns(),
      harnessError: err instanceof Error ? (err.stack ?? err.message) : String(err),
      ms: Math.round(performance.now() - started),
    };
  } finally {
    worker.proxy.reset();
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function installRun(project: string, run: () => Promise<ToolRun>): Promise<InstallRun> {
  const before = await walkEntries(project);
  const result = await run();
  return { run: result, project, before, after: await walkEntries(project) };
}

/** A copy of the template per tool, with the mutated lockfile and the mutation's extra files. */
async function prepareProjects(dir: string, wt: WorkerTree, effect: MutationEffect, labels: readonly Label[]): Promise<Record<Label, string>> {
  const out = {} as Record<Label, string>;
  for (const label of labels) {
    const project = join(dir, label);
    await cp(wt.template, project, { recursive: true, verbatimSymlinks: true });
    await writeFile(join(project, 'package-lock.json'), `${JSON.stringify(effect.lock, null, 2)}\n`);
    for (const [path, text] of Object.entries(effect.files ?? {})) await writeAt(join(project, path), text);
    for (const [path, source] of Object.entries(effect.copies ?? {})) {
      await mkdir(dirname(join(project, path)), { recursive: true });
      await cp(source, join(project, path));
    }
    out[label] = project;
  }
  return out;
}

/**
 * The same cache state for every tool: empty (cold); the warm cache plus the attacker's bytes the mutation
 * names (warm); or an empty cache holding only those bytes (poisoned).
 */
async function prepareCaches(
  dir: string,
  c: MutationCase,
  wt: WorkerTree,
  effect: MutationEffect,
  labels: readonly Label[],
  worker: Worker,
): Promise<Record<Label, string>> {
  const out = {} as Record<Label, string>;
  const extra = c.cache === 'cold' ? [] : (effect.cacheTarballs ?? []);
  let base = c.cache === 'warm' ? wt.warmCache : null;
  if (extra.length > 0) {
    const seeded = join(dir, 'cache-base');
    if (base) await cp(base, seeded, { recursive: true });
    else await mkdir(seeded, { recursive: true });
    for (const file of extra) {
      const added = await runNpm(['cache', 'add', file], dir, toolEnv(worker.config, seeded));
      if (added.code !== 0) throw new Error(`npm cache add ${file} failed: ${added.stderr.slice(-1000)}`);
    }
    base = seeded;
  }
  for (const label of labels) {
    const cache = join(dir, `cache-${label}`);
    if (base) await cp(base, cache, { recursive: true });
    else await mkdir(cache, { recursive: true });
    out[label] = cache;
  }
  return out;
}

async function writeAt(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

function caseFields(c: MutationCase): Pick<CaseResult, 'id' | 'tree' | 'kind' | 'field' | 'target' | 'params' | 'cache' | 'omit'> {
  return { id: c.id, tree: c.tree, kind: c.kind, field: c.field, target: c.target, params: c.params, cache: c.cache, omit: c.omit };
}

function emptyRuns(): Pick<CaseResult, 'verify' | 'npm' | 'ci' | 'violations' | 'overBlocking' | 'ciDifference' | 'foreignContacts'> {
  const none: RunRecord = { code: -1, ms: 0, timedOut: false, summary: 'not run', stderrTail: '' };
  return { verify: none, npm: none, ci: null, violations: [], overBlocking: [], ciDifference: null, foreignContacts: null };
}
