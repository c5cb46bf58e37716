// The shared setting of the install-plan suites (issue 14: the set vouch verifies is the set npm writes):
// a real signing registry, the hostile registry in front of it (every npm and vouch run goes through the
// proxy, so lockfiles and packuments point at it and a test can log, rewrite or un-cache any request),
// npm's DEFAULT retry settings for the real npm and for vouch (what users have; the harness's
// fetch-retries=0 once hid a 140 s hang), a folder the fixtures' postinstall scripts write markers into,
// and a `git` first on PATH that only logs its calls and fails.
//
//   let plan: PlanWorld;
//   beforeAll(async () => { plan = await startPlanWorld(); … }, 300_000);
//   afterAll(() => plan?.stop());
//   beforeEach(() => plan.reset());
//
// API
//   startPlanWorld()                  → PlanWorld, one per test file.
//   plan.registry / plan.hostile       the real registry and the proxy in front of it (hostile.url is the registry
//                                      of every run below).
//   plan.markers                       the folder markers land in: `<markers>/<marker name>` = "name@version".
//   plan.fixture(spec, marker?)        → spec with a postinstall writing `<markers>/<marker ?? spec.name>`.
//   plan.publish(spec, marker?)        → the package folder: written with that postinstall, then `npm publish`ed.
//   plan.publishRaw(dir, manifestExtra?) → packs a folder and publishes it by a raw PUT (publishBody): for what
//                                      `npm publish` would not send (a tarball whose package.json names another
//                                      package, registry fields such as `_hasShrinkwrap`). → the tarball's integrity
//   plan.project(label, manifest?)     → a fresh consumer project (package.json only), in its own temp folder.
//   plan.copy(dir, label)              → a copy of a folder (symlinks kept) at `<fresh temp>/<basename>`.
//   plan.state(label)                  → a fresh npm state folder (npmrc, cache): a cold npm cache.
//   plan.cacheFor(cache, filled)       → plan.state() for 'cold'; for 'warm' a copy of `filled`, a state folder a real
//                                      npm run filled (its cache holds what that npm downloaded).
//   plan.env(stateDir)                 → env of both npm and vouch: npmrc on hostile.url with the publisher's token,
//                                      npm's default retries (npmEnv retries: 'npm-default'), the logging git on PATH.
//   plan.npm(args, cwd, stateDir)      → NpmResult of the real npm.
//   plan.lock(dir, args?)              → `npm install --package-lock-only …args` with a fresh cache; throws on failure.
//   plan.npmInstall(dir, args, label, within?) → a real npm run on a copy of `dir` (in its subfolder `within`, e.g.
//                                      the project beside a `file:` dependency) with a fresh cache: { dir (where npm
//                                      ran), state, result, ran (markers written) }, then clears the markers. The
//                                      oracle for what npm installs, and the warm cache (`state`) for vouch.
//   plan.vouch(args, cwd, stateDir, timeoutMs?) → runVouch with `--format json` appended, plus { ms, report, codes }:
//                                      report undefined when stdout is not a JSON report; codes = every finding code
//                                      of every package and source, sorted (duplicates kept).
//   plan.ran()                         → marker names present, sorted: which install scripts ran.
//   plan.gitCalls()                    → the logging git's calls, one line each.
//   plan.reset()                       drops the hostile rules and request log, the markers and the git log.
//   plan.stop()
//   expectDenied(plan, run, code, project, before) asserts a deny as issue 14 defines it: no BUG on stderr, exit 1,
//                                      `code` among the report's finding codes (null: any deny finding, where the
//                                      issue names no code), snapshotProject(project) equal to `before`, no install
//                                      script ran (no marker).
//   expectAllowed(run)                 asserts no BUG on stderr and exit 0.
//   BUG                                what vouch prints for an internal error; no run may print it.
//   CACHES                             ['cold', 'warm'].
//   installedPackages(project)         → sorted "name@version" of every folder npm's hidden lockfile
//                                        (node_modules/.package-lock.json) lists; links excluded.
//   nodeModules(project)               → snapshotTree of <project>/node_modules without .package-lock.json.
//   tarballPath(name, version)         → `/<name>/-/<unscoped>-<version>.tgz`, as requested through the proxy.
//   noStoreTarballs(hostile)           every tarball the proxy answers from now on (until reset) carries
//                                      Cache-Control: no-store, as some registries and CDNs send.
//   lockPackages(project)              → package-lock.json's `packages`.
//   editLock(project, edit)            rewrites package-lock.json's `packages` in place (a lockfile-only pull request).
import { createHash } from 'node:crypto';
import { chmod, cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { startHostileRegistry, type HostileRegistry } from './hostile-registry.js';
import { npmEnv, packTarball, runNpm, type NpmResult } from './npm.js';
import { markerScript, publishBody, writePackage, type PackageSpec } from './packages.js';
import { readJson, snapshotProject, snapshotTree, writeProject, type FileEntry } from './project.js';
import { startRegistry, type TestRegistry } from './registry.js';
import { expect } from 'vitest';
import { explain, type ReportJson } from './report.js';
import { runVouch, type VouchResult } from './vouch.js';

export const BUG = 'internal error (exit 70)';
export const CACHES = ['cold', 'warm'] as const;
export type Cache = (typeof CACHES)[number];

export interface PlanVouchResult extends VouchResult {
  ms: number;
  report: ReportJson | undefined;
  codes: string[];
}

export interface NpmRun {
  dir: string;
  state: string;
  result: NpmResult;
  ran: string[];
}

export interface PlanWorld {
  registry: TestRegistry;
  hostile: HostileRegistry;
  markers: string;
  fixture(spec: PackageSpec, marker?: string): PackageSpec;
  publish(spec: PackageSpec, marker?: string): Promise<string>;
  publishRaw(dir: string, manifestExtra?: Record<string, unknown>): Promise<string>;
  project(label: string, manifest?: Record<string, unknown>): Promise<string>;
  copy(dir: string, label: string): Promise<string>;
  state(label: string): Promise<string>;
  cacheFor(cache: Cache, filled: string): Promise<string>;
  env(stateDir: string): Promise<NodeJS.ProcessEnv>;
  npm(args: string[], cwd: string, stateDir: string): Promise<NpmResult>;
  lock(dir: string, args?: string[]): Promise<void>;
  npmInstall(dir: string, args: string[], label: string, within?: string): Promise<NpmRun>;
  vouch(args: string[], cwd: string, stateDir: string, timeoutMs?: number): Promise<PlanVouchResult>;
  ran(): Promise<string[]>;
  gitCalls(): Promise<string[]>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPlanWorld(): Promise<PlanWorld> {
  const registry = await startRegistry();
  const hostile = await startHostileRegistry(registry.url);
  const markers = await registry.tempDir('markers');
  const sources = await registry.tempDir('packages');
  const gitBin = await registry.tempDir('logging-git');
  const gitLog = join(gitBin, 'git.log');
  await writeFile(join(gitBin, 'git'), `#!/bin/sh\necho "$@" >> '${gitLog}'\nexit 128\n`);
  await chmod(join(gitBin, 'git'), 0o755);
  await writeFile(gitLog, '');

  const fixture = (spec: PackageSpec, marker?: string): PackageSpec => ({
    ...spec,
    scripts: { postinstall: markerScript(join(markers, marker ?? spec.name)), ...spec.scripts },
  });
  const env = async (stateDir: string): Promise<NodeJS.ProcessEnv> => {
    const base = await npmEnv(stateDir, { url: hostile.url, token: registry.token }, { retries: 'npm-default' });
    return { ...base, PATH: `${gitBin}:${base['PATH'] ?? ''}`, NO_COLOR: '1' };
  };
  const npm = async (args: string[], cwd: string, stateDir: string) => runNpm(args, cwd, await env(stateDir));
  const state = (label: string) => registry.tempDir(`npm-state-${label}`);
  const copy = async (dir: string, label: string) => {
    const to = join(await registry.tempDir(label), basename(dir));
    await cp(dir, to, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
    return to;
  };
  const ran = async () => (await readdir(markers)).sort();
  const clearMarkers = async () => {
    for (const name of await readdir(markers)) await rm(join(markers, name), { force: true });
  };

  return {
    registry,
    hostile,
    markers,
    fixture,
    env,
    npm,
    state,
    copy,
    ran,
    publish: async (spec, marker) => {
      const dir = await writePackage(sources, fixture(spec, marker));
      await registry.publish(dir);
      return dir;
    },
    publishRaw: async (dir, manifestExtra = {}) => {
      const tarball = await packTarball(dir);
      const manifest = { ...((await readJson(join(dir, 'package.json'))) as Record<string, unknown>), ...manifestExtra };
      const name = String(manifest['name']);
      const version = String(manifest['version']);
      const body = publishBody({ name, version, tarball, registry: registry.url, manifest });
      const put = await registry.put(encodeURIComponent(name), body);
      if (put.status !== 201) throw new Error(`raw publish of ${name}@${version} failed: ${put.status} ${put.text}`);
      return `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    },
    project: async (label, manifest = {}) => {
      const dir = join(await registry.tempDir(label), 'project');
      await writeProject(dir, manifest);
      return dir;
    },
    cacheFor: async (cache, filled) => {
      if (cache === 'cold') return state('cold');
      const to = join(await registry.tempDir('npm-state-warm'), 'state');
      await cp(filled, to, { recursive: true, verbatimSymlinks: true });
      return to;
    },
    lock: async (dir, args = []) => {
      const result = await npm(['install', '--package-lock-only', ...args], dir, await state('lock'));
      if (result.code !== 0) throw new Error(`npm install --package-lock-only in ${dir} failed (${result.code}):\n${result.stderr}`);
    },
    npmInstall: async (dir, args, label, within = '.') => {
      const work = join(await copy(dir, `npm-${label}`), within);
      const stateDir = await state(`npm-${label}`);
      const result = await npm(args, work, stateDir);
      const written = await ran();
      await clearMarkers();
      return { dir: work, state: stateDir, result, ran: written };
    },
    vouch: async (args, cwd, stateDir, timeoutMs) => {
      const started = Date.now();
      const result = await runVouch([...args, '--format', 'json'], { cwd, env: await env(stateDir), ...(timeoutMs ? { timeoutMs } : {}) });
      const ms = Date.now() - started;
      const report = isReport(result.json) ? result.json : undefined;
      return { ...result, ms, report, codes: report ? findingCodes(report) : [] };
    },
    gitCalls: async () => (await readFile(gitLog, 'utf8')).split('\n').filter(Boolean),
    reset: async () => {
      hostile.reset();
      await clearMarkers();
      await writeFile(gitLog, '');
    },
    stop: async () => {
      await hostile.close();
      await registry.stop();
    },
  };
}

function isReport(json: unknown): json is ReportJson {
  return typeof json === 'object' && json !== null && Array.isArray((json as ReportJson).packages) && Array.isArray((json as ReportJson).sources);
}

function denyFindings(report: ReportJson | undefined): string[] {
  return [...(report?.packages ?? []), ...(report?.sources ?? [])].flatMap((v) => v.findings.filter((f) => f.severity === 'deny').map((f) => f.code));
}

function findingCodes(report: ReportJson): string[] {
  return [...report.packages, ...report.sources].flatMap((v) => v.findings.map((f) => f.code)).sort();
}

export async function installedPackages(project: string): Promise<string[]> {
  const hidden = (await readJson(join(project, 'node_modules', '.package-lock.json'))) as
    | { packages?: Record<string, { name?: string; version?: string; link?: boolean }> }
    | undefined;
  return Object.entries(hidden?.packages ?? {})
    .filter(([location, entry]) => location.startsWith('node_modules/') && !entry.link)
    .map(([location, entry]) => `${entry.name ?? location.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'}`)
    .sort();
}

export function nodeModules(project: string): Promise<FileEntry[]> {
  return snapshotTree(join(project, 'node_modules'), { ignore: ['.package-lock.json'] });
}

export function tarballPath(name: string, version: string): string {
  return `/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
}

export async function expectDenied(plan: PlanWorld, run: PlanVouchResult, code: string | null, project: string, before: FileEntry[]): Promise<void> {
  expect(run.stderr, 'vouch reported an internal error').not.toContain(BUG);
  expect(run.code, explain(run)).toBe(1);
  if (code !== null) expect(run.codes, explain(run)).toContain(code);
  else expect(denyFindings(run.report), explain(run)).not.toEqual([]);
  expect(await snapshotProject(project), 'the project changed').toEqual(before);
  expect(await plan.ran(), 'an install script ran').toEqual([]);
}

export function expectAllowed(run: PlanVouchResult): void {
  expect(run.stderr, 'vouch reported an internal error').not.toContain(BUG);
  expect(run.code, explain(run)).toBe(0);
}

export function noStoreTarballs(hostile: HostileRegistry): void {
  hostile.on(/\.tgz$/, { kind: 'headers', headers: { 'cache-control': 'no-store' } });
}

export type LockPackages = Record<string, Record<string, unknown>>;

export async function lockPackages(project: string): Promise<LockPackages> {
  return (JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as { packages: LockPackages }).packages;
}

export async function editLock(project: string, edit: (packages: LockPackages) => void): Promise<void> {
  const file = join(project, 'package-lock.json');
  const lock = JSON.parse(await readFile(file, 'utf8')) as { packages: LockPackages };
  edit(lock.packages);
  await writeFile(file, `${JSON.stringify(lock, null, 2)}\n`);
}
