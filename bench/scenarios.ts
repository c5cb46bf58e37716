// What is measured: each comparison is a set of commands run alternately on the same project and
// registry, each with its own npm state folder (npmrc + cache; vouch keeps its evidence cache beside
// npm's). "cold" empties that cache before every run; "warm" keeps what the untimed warm-up run and
// the earlier runs left. Every run is checked (exit code and the counts it reports) before it counts.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { npmEnv } from '../test/support/npm.js';
import { VOUCH_BIN } from '../test/support/vouch.js';
import type { BenchTree, TreeKind } from './bench-tree.js';
import type { LatencyProxy, ProxyCounts } from './latency-proxy.js';
import type { Command, Sample } from './measure.js';

export type Tool = 'vouch' | 'npm';

export interface Scenario {
  id: string;
  tool: Tool;
  /** The command as a user types it (for the report). */
  shown: string;
  /** State: 'cold' (empty caches every run) or 'warm'. */
  cache: 'cold' | 'warm';
  via: 'loopback' | 'proxy';
  kind: TreeKind;
  command: Command;
  /** Untimed, before each run. */
  reset(): Promise<void>;
  /** Throws when the run did not do the whole job (wrong exit code or counts, traffic off the proxy). */
  check(sample: Sample, traffic: ProxyCounts | undefined): void;
}

export interface Comparison {
  id: string;
  title: string;
  scenarios: Scenario[];
  proxy?: LatencyProxy;
}

export interface ScenarioContext {
  tree: BenchTree;
  proxy: LatencyProxy;
  /** Per-N run folder: project copies and npm state folders. */
  runDir: string;
}

/** `--concurrency` of the extra `vouch verify` run through the latency proxy: npm's socket count, near enough. */
export const NARROW_CONCURRENCY = 16;

export const COMPARISON_IDS = [
  'verify-cold',
  'verify-cold-proxy',
  'verify-warm',
  'verify-warm-proxy',
  'verify-provenance',
  'ci-cold',
  'ci-warm',
  'ci-cold-sig',
  'ci-warm-sig',
] as const;
export type ComparisonId = (typeof COMPARISON_IDS)[number];

/** `vouch ci` on the signatures-only tree runs by default up to this size (it keeps the 5,000 run under two hours). */
export const SIG_CI_UP_TO = 1000;

/** The comparisons a size runs: the ones asked for with --only, else all (sig-tree ci only up to SIG_CI_UP_TO). */
export function comparisonsFor(packages: number, only: readonly ComparisonId[] | undefined): ComparisonId[] {
  if (only) return [...only];
  return COMPARISON_IDS.filter((id) => !(id.startsWith('ci-') && id.endsWith('-sig') && packages > SIG_CI_UP_TO));
}

/** Builds the comparisons (project copies with vouch.lock, the installed tree npm audits). */
export async function buildComparisons(ctx: ScenarioContext, only: readonly ComparisonId[]): Promise<Comparison[]> {
  // Installed once by prepare.ts (npm audit signatures audits node_modules), one per registry URL.
  const sigInstalled = join(ctx.runDir, 'projects', 'sig-installed');
  const sigInstalledProxy = join(ctx.runDir, 'projects', 'sig-installed-proxy');
  const provVerify = await copyProject(ctx, 'prov', 'prov-verify');
  const make = async (id: ComparisonId): Promise<Comparison> => {
    switch (id) {
      case 'verify-cold':
        return {
          id,
          title: '`vouch verify` vs `npm audit signatures`, cold, loopback',
          scenarios: [await audit(ctx, id, sigInstalled, 'cold', 'loopback'), await verify(ctx, id, sigInstalled, 'sig', 'cold', 'loopback')],
        };
      case 'verify-cold-proxy':
        // Also with about as many requests in flight as npm's 15 sockets: what vouch's default of 64 buys on a remote registry.
        return {
          id,
          title: `\`vouch verify\` vs \`npm audit signatures\`, cold, +${ctx.proxy.delayMs} ms per request`,
          proxy: ctx.proxy,
          scenarios: [
            await audit(ctx, id, sigInstalledProxy, 'cold', 'proxy'),
            await verify(ctx, id, sigInstalledProxy, 'sig', 'cold', 'proxy'),
            await verify(ctx, id, sigInstalledProxy, 'sig', 'cold', 'proxy', ['--concurrency', String(NARROW_CONCURRENCY)]),
          ],
        };
      case 'verify-warm':
        return {
          id,
          title: '`vouch verify` vs `npm audit signatures`, warm, loopback',
          scenarios: [await audit(ctx, id, sigInstalled, 'warm', 'loopback'), await verify(ctx, id, sigInstalled, 'sig', 'warm', 'loopback')],
        };
      case 'verify-warm-proxy':
        return {
          id,
          title: `\`vouch verify\` vs \`npm audit signatures\`, warm, +${ctx.proxy.delayMs} ms per request`,
          proxy: ctx.proxy,
          scenarios: [await audit(ctx, id, sigInstalledProxy, 'warm', 'proxy'), await verify(ctx, id, sigInstalledProxy, 'sig', 'warm', 'proxy')],
        };
      case 'verify-provenance':
        return {
          id,
          title: '`vouch verify`: signatures only vs ~30% with provenance, loopback',
          scenarios: [
            await verify(ctx, id, sigInstalled, 'sig', 'cold', 'loopback'),
            await verify(ctx, id, provVerify, 'prov', 'cold', 'loopback'),
            await verify(ctx, id, provVerify, 'prov', 'warm', 'loopback'),
          ],
        };
      case 'ci-cold':
      case 'ci-warm':
      case 'ci-cold-sig':
      case 'ci-warm-sig': {
        // The prov tree is the whole job; the sig tree shows the same without provenance crypto.
        const cache = id.startsWith('ci-cold') ? 'cold' : 'warm';
        const kind: TreeKind = id.endsWith('-sig') ? 'sig' : 'prov';
        const what = kind === 'prov' ? '~30% with provenance' : 'signatures only';
        return {
          id,
          title: `\`vouch ci\` vs \`npm ci\`, ${cache}, loopback, ${kind} tree (${what})`,
          scenarios: [
            await ci(ctx, id, 'npm', cache, kind, await copyProject(ctx, kind, `${id}-npm`)),
            await ci(ctx, id, 'vouch', cache, kind, await copyProject(ctx, kind, `${id}-vouch`)),
          ],
        };
      }
    }
  };
  const out: Comparison[] = [];
  for (const id of only) out.push(await make(id));
  return out;
}

async function audit(ctx: ScenarioContext, group: string, project: string, cache: 'cold' | 'warm', via: 'loopback' | 'proxy'): Promise<Scenario> {
  const state = await stateFor(ctx, `${group}-npm`, via);
  const entries = ctx.tree.projects.sig.shape.lockfileEntries;
  return {
    id: `${group}:npm`,
    tool: 'npm',
    shown: 'npm audit signatures',
    cache,
    via,
    kind: 'sig',
    command: { file: 'npm', args: ['audit', 'signatures'], cwd: project, env: state.env },
    reset: cache === 'cold' ? state.clearCache : async () => {},
    check(sample, traffic) {
      expectExit(sample, 0);
      expectText(sample, `audited ${entries} packages`);
      expectText(sample, `${entries} packages have verified registry signatures`);
      if (traffic) expectTraffic(traffic, ctx.tree.projects.sig.shape.names, cache);
    },
  };
}

async function verify(
  ctx: ScenarioContext,
  group: string,
  project: string,
  kind: TreeKind,
  cache: 'cold' | 'warm',
  via: 'loopback' | 'proxy',
  flags: string[] = [],
): Promise<Scenario> {
  const variant = `${kind}-${cache}${flags.length > 0 ? `-${flags.join('').replace(/\W+/g, '')}` : ''}`;
  const state = await stateFor(ctx, `${group}-vouch-${variant}`, via);
  const shape = ctx.tree.projects[kind].shape;
  return {
    id: `${group}:vouch-${variant}`,
    tool: 'vouch',
    shown: ['vouch verify', ...flags].join(' '),
    cache,
    via,
    kind,
    command: { file: process.execPath, args: [VOUCH_BIN, 'verify', ...flags, '--trusted-root', ctx.tree.trustedRoot], cwd: project, env: state.env },
    reset: cache === 'cold' ? state.clearCache : async () => {},
    check(sample, traffic) {
      expectExit(sample, 0);
      expectVouchSummary(sample, shape.versions, shape.withProvenance);
      if (traffic) expectTraffic(traffic, shape.names, cache);
    },
  };
}

async function ci(ctx: ScenarioContext, group: string, tool: Tool, cache: 'cold' | 'warm', kind: TreeKind, project: string): Promise<Scenario> {
  const state = await stateFor(ctx, `${group}-${tool}`, 'loopback');
  const shape = ctx.tree.projects[kind].shape;
  const command =
    tool === 'npm'
      ? { file: 'npm', args: ['ci'], cwd: project, env: state.env }
      : { file: process.execPath, args: [VOUCH_BIN, 'ci', '--trusted-root', ctx.tree.trustedRoot], cwd: project, env: state.env };
  const clearModules = () => rm(join(project, 'node_modules'), { recursive: true, force: true });
  return {
    id: `${group}:${tool}`,
    tool,
    shown: tool === 'npm' ? 'npm ci' : 'vouch ci',
    cache,
    via: 'loopback',
    kind,
    command,
    // Both start from no node_modules; cold also from an empty npm cache (and vouch evidence cache).
    reset: async () => {
      await clearModules();
      if (cache === 'cold') await state.clearCache();
    },
    check(sample) {
      expectExit(sample, 0);
      if (tool === 'npm') expectText(sample, `added ${shape.lockfileEntries} packages`);
      else expectVouchSummary(sample, shape.versions, shape.withProvenance);
    },
  };
}

/**
 * A copy of a tree's consumer project (package.json, package-lock.json, vouch.lock). Via the proxy, its
 * lockfile resolves at the proxy's origin, as a project's lockfile names the registry it uses.
 */
export async function copyProject(ctx: ScenarioContext, kind: TreeKind, label: string, via: 'loopback' | 'proxy' = 'loopback'): Promise<string> {
  const dir = join(ctx.runDir, 'projects', label);
  await rm(dir, { recursive: true, force: true });
  await cp(ctx.tree.projects[kind].template, dir, { recursive: true });
  if (via === 'proxy') {
    const lockfile = join(dir, 'package-lock.json');
    await writeFile(lockfile, (await readFile(lockfile, 'utf8')).replaceAll(`"${ctx.tree.registry.url}`, `"${ctx.proxy.url}`));
  }
  return dir;
}

/** An npm state folder (npmrc pointing at the registry or the proxy, cache) for one tool in one comparison. */
export async function stateFor(
  ctx: ScenarioContext,
  label: string,
  via: 'loopback' | 'proxy',
): Promise<{ env: NodeJS.ProcessEnv; clearCache: () => Promise<void> }> {
  const dir = join(ctx.runDir, 'state', label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const url = via === 'proxy' ? ctx.proxy.url : ctx.tree.registry.url;
  const env = await npmEnv(dir, { url, token: ctx.tree.registry.token });
  // npm's cache is <dir>/cache (cacache in _cacache); vouch's evidence cache is <dir>/cache/_vouch.
  return { env, clearCache: () => rm(join(dir, 'cache'), { recursive: true, force: true }) };
}

function expectExit(sample: Sample, code: number): void {
  if (sample.code !== code) throw new Error(`exit ${sample.code}, expected ${code}\n${sample.stderr.slice(-2000)}\n${sample.stdout.slice(-2000)}`);
}

function expectText(sample: Sample, text: string): void {
  if (!sample.stdout.includes(text)) throw new Error(`output lacks "${text}":\n${sample.stdout.slice(-2000)}`);
}

function expectVouchSummary(sample: Sample, versions: number, withProvenance: number): void {
  expectText(sample, `${versions} packages checked: ${versions} allowed, 0 denied`);
  if (!new RegExp(`\\b${versions} verified registry signatures`).test(sample.stdout))
    throw new Error(`vouch did not verify ${versions} signatures:\n${sample.stdout}`);
  if (!new RegExp(`\\b${withProvenance} verified provenance`).test(sample.stdout))
    throw new Error(`vouch did not verify ${withProvenance} provenance bundles:\n${sample.stdout}`);
}

/** A cold run fetched every packument through the proxy; a warm one at least asked it for the keys. */
function expectTraffic(traffic: ProxyCounts, names: number, cache: 'cold' | 'warm'): void {
  if (traffic.errors > 0) throw new Error(`${traffic.errors} requests failed through the proxy`);
  if (cache === 'cold' && traffic.packumentNames.size !== names) {
    throw new Error(`a cold run fetched ${traffic.packumentNames.size} of ${names} packuments through the proxy`);
  }
  if (traffic.keys < 1) throw new Error('the run did not fetch the registry keys through the proxy');
}
