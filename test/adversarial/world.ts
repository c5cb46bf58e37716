// The shared setting of the adversarial suites: a real signing registry (Verdaccio + the vouch plugin),
// the hostile registry in front of it (test/support/hostile-registry.ts), and helpers to run vouch
// against the hostile one with a fresh npm cache, so no earlier run's cache hides a fault.
//
// API
//   startWorld(label, registryOptions?) → World (one per test file; world.stop() in afterAll); registryOptions
//                                         go to startRegistry (e.g. `keys` for a rotated key ring).
//   world.registry / hostile / work      the real registry, the proxy in front of it, a scratch folder.
//   world.stateDir()                    → a fresh npm state folder (npmrc, cache) for one run.
//   world.env(stateDir?, extra?)        → npm env on the hostile registry with the publisher's token
//                                         (so every request carries an Authorization header to leak).
//   world.vouch(args, cwd, opts?)       → runVouch with that env; opts.stateDir reuses a cache;
//                                         opts.onSpawn(pid) to watch the process (RSS).
//   world.project(label, manifest?)     → an empty consumer project folder with package.json.
//   jsonReport(result)                  → the `--format json` report (throws when stdout is not one).
//   reportPackage(report, name, version?) → that package's entry (throws when absent).
//   findingCodes(report, name, version?) → every finding code of a package (or [] when absent).
//   peakRss(pid)                        → samples /proc/<pid>/status VmHWM until the process exits.
//   withoutSigningLog(world, project)   the registry as one without a signing log (a plain signing registry, a
//                                         mirror that drops the log): the proxy answers 404 under /-/vouch/log/,
//                                         the registry's publish attestations come without their log entry (as a
//                                         registry without a log issues them: bundle v0.2, untimed), and the
//                                         project's vouch.lock forgets the log it pinned (a project that never saw
//                                         one). For attacks the log itself would stop.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmEnv } from '../support/npm.js';
import { writeProject } from '../support/project.js';
import { startHostileRegistry, type HostileRegistry } from '../support/hostile-registry.js';
import { startRegistry, type StartOptions, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

export interface World {
  registry: TestRegistry;
  hostile: HostileRegistry;
  work: string;
  stateDir(): Promise<string>;
  env(stateDir?: string, extra?: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv>;
  vouch(args: readonly string[], cwd: string, opts?: VouchRunOptions): Promise<TimedResult>;
  project(label: string, manifest?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export interface VouchRunOptions {
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  onSpawn?: (pid: number) => void;
}

export interface TimedResult extends VouchResult {
  ms: number;
}

export async function startWorld(label: string, registryOptions: StartOptions = {}): Promise<World> {
  const registry = await startRegistry(registryOptions);
  const hostile = await startHostileRegistry(registry.url);
  const work = await mkdtemp(join(tmpdir(), `vouch-adv-${label}-`));
  let n = 0;
  const stateDir = async () => {
    const dir = join(work, `npm-state-${++n}`);
    await mkdir(dir, { recursive: true });
    return dir;
  };
  const env = async (dir?: string, extra: NodeJS.ProcessEnv = {}) => {
    const base = await npmEnv(dir ?? (await stateDir()), { url: hostile.url, token: registry.token });
    return { ...base, NO_COLOR: '1', CI: '', ...extra };
  };
  return {
    registry,
    hostile,
    work,
    stateDir,
    env,
    vouch: async (args, cwd, opts = {}) => runTimed(args, cwd, opts.env ?? (await env(opts.stateDir)), opts),
    project: async (name, manifest = {}) => {
      const dir = join(work, `${name}-${++n}`);
      await writeProject(dir, manifest);
      return dir;
    },
    stop: async () => {
      await hostile.close();
      await registry.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** runVouch (test/support/vouch.ts), plus the wall time. */
async function runTimed(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, opts: VouchRunOptions): Promise<TimedResult> {
  const started = Date.now();
  const result = await runVouch(args, { cwd, env, timeoutMs: opts.timeoutMs, onSpawn: opts.onSpawn });
  return { ...result, ms: Date.now() - started };
}

export interface ReportFinding {
  code: string;
  severity: string;
  message: string;
}
export interface ReportPackage {
  name: string;
  version: string;
  aliases: string[];
  status: string;
  decision: string;
  findings: ReportFinding[];
  evidence: {
    unverifiable: { code: string; message: string } | null;
    registryIntegrity: string | null;
    integrity: { kind: string; code?: string } | null;
    signature: { kind: string; code?: string } | null;
    attestations: { kind: string; code?: string; provenance?: { identity: { repository?: string } } | null } | null;
  };
}
export interface JsonReport {
  decision: string;
  packages: ReportPackage[];
  registries: { url: string; keys: string; keyids: string[] }[];
}

export function jsonReport(result: VouchResult): JsonReport {
  if (result.json === undefined) throw new Error(`vouch printed no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result.json as JsonReport;
}

export function reportPackage(report: JsonReport, name: string, version?: string): ReportPackage {
  const found = report.packages.find((p) => p.name === name && (version === undefined || p.version === version));
  if (!found) throw new Error(`the report has no ${name}${version ? `@${version}` : ''}: ${report.packages.map((p) => `${p.name}@${p.version}`).join(', ')}`);
  return found;
}

export function findingCodes(report: JsonReport, name: string, version?: string): string[] {
  return report.packages.filter((p) => p.name === name && (version === undefined || p.version === version)).flatMap((p) => p.findings.map((f) => f.code));
}

/** The child's peak resident set (VmHWM, bytes), sampled every 25 ms until it exits. */
export function peakRss(pid: number): { done: Promise<number> } {
  let peak = 0;
  const done = new Promise<number>((resolve) => {
    const timer = setInterval(() => {
      readFile(`/proc/${pid}/status`, 'utf8').then(
        (status) => {
          const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
          if (kb * 1024 > peak) peak = kb * 1024;
        },
        () => {
          clearInterval(timer);
          resolve(peak);
        },
      );
    }, 25);
  });
  return { done };
}

/** See the header: the registry serves no signing log, and `project` never pinned one. */
export async function withoutSigningLog(world: World, project: string): Promise<void> {
  world.hostile.on(/^\/-\/vouch\/log\//, { kind: 'status', status: 404 });
  world.hostile.on(/^\/-\/npm\/v1\/attestations\//, {
    kind: 'json',
    rewrite: (body) => {
      const doc = body as { attestations: { predicateType: string; bundle: Record<string, unknown> & { verificationMaterial: { tlogEntries: unknown[] } } }[] };
      for (const { predicateType, bundle } of doc.attestations) {
        if (predicateType !== 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1') continue;
        bundle['mediaType'] = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
        bundle.verificationMaterial.tlogEntries = [];
      }
      return doc;
    },
  });
  const file = join(project, 'vouch.lock');
  const lock = JSON.parse(await readFile(file, 'utf8')) as { registries?: Record<string, { log?: unknown }> };
  for (const registry of Object.values(lock.registries ?? {})) delete registry.log;
  await writeFile(file, `${JSON.stringify(lock, null, 2)}\n`);
}
