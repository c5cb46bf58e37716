// `vouch verify` on pnpm-lock.yaml, yarn.lock (Berry) and bun.lock written by the real pnpm, Yarn and Bun
// for one project against the test registry: the same verdicts as on the package-lock.json the real npm
// writes for it, when everything verifies, when a signature is forged in the registry, and when a lockfile
// is edited to pin other bytes.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureManager, LOCKFILE_OF, MANAGERS, writeLockfile, type Manager } from '../support/managers.js';
import { writePackage } from '../support/packages.js';
import { snapshotTree, writeProject } from '../support/project.js';
import { recordsFile } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import type { ReportJson } from '../support/report.js';
import { runVouch } from '../support/vouch.js';

type Kind = 'npm' | Manager;
interface SarifLog {
  runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
}
const KINDS: readonly Kind[] = ['npm', ...MANAGERS];

let registry: TestRegistry;
const projects = new Map<Kind, string>();

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  for (const spec of [
    { name: 'lk-dep', version: '1.0.0' },
    { name: 'lk-dep', version: '2.0.0' },
    { name: 'lk-app', version: '1.0.0', dependencies: { 'lk-dep': '^1.0.0' } },
    { name: 'lk-dev', version: '1.0.0' },
    { name: 'lk-opt', version: '1.0.0' },
    { name: '@lk/scoped', version: '1.0.0', dependencies: { 'lk-dep': '^2.0.0' } },
  ])
    await registry.publish(await writePackage(root, spec));
  const manifest = {
    dependencies: { 'lk-app': '^1.0.0', 'lk-dep': '^2.0.0', 'lk-alias': 'npm:lk-dep@^1.0.0', '@lk/scoped': '^1.0.0' },
    devDependencies: { 'lk-dev': '^1.0.0' },
    optionalDependencies: { 'lk-opt': '^1.0.0' },
  };
  for (const kind of KINDS) {
    const dir = await registry.tempDir(`project-${kind}`);
    await writeProject(dir, manifest);
    if (kind === 'npm') {
      const npm = await registry.npm(['install', '--package-lock-only'], { cwd: dir, retries: 'npm-default' });
      expect(npm.code, npm.stderr).toBe(0);
    } else {
      const env = await configureManager(kind, dir, registry.url, await registry.tempDir(`${kind}-state`));
      const written = await writeLockfile(kind, dir, env);
      expect(written.code, written.stdout + written.stderr).toBe(0);
    }
    projects.set(kind, dir);
  }
}, 300_000);

afterAll(() => registry?.stop());

/** `vouch verify --format json` in the project of `kind`, with a fresh npm state against the test registry. */
async function verify(kind: Kind, extra: string[] = []): Promise<{ code: number; report: ReportJson; stderr: string }> {
  const env = await registry.npmEnv(await registry.tempDir(`vouch-${kind}`), { retries: 'npm-default' });
  const result = await runVouch(['verify', '--format', 'json', ...extra], { cwd: projects.get(kind)!, env, timeoutMs: 120_000 });
  return { code: result.code, report: result.json as ReportJson, stderr: result.stderr };
}

/** name@version → decision and finding codes, over every registry package of the report. */
function verdicts(report: ReportJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of report.packages)
    out[`${p.name}@${p.version}`] = `${p.decision} ${p.findings
      .map((f) => f.code)
      .sort()
      .join(',')}`.trim();
  return out;
}

const EXPECTED_PACKAGES = ['@lk/scoped@1.0.0', 'lk-app@1.0.0', 'lk-dep@1.0.0', 'lk-dep@2.0.0', 'lk-dev@1.0.0', 'lk-opt@1.0.0'];

describe('vouch verify on the lockfiles of npm, pnpm, Yarn and Bun', () => {
  it('detects each lockfile and gives the same verdicts as on package-lock.json (all allowed)', async () => {
    const npm = await verify('npm');
    expect(npm.code, npm.stderr).toBe(0);
    expect(Object.keys(verdicts(npm.report)).sort()).toEqual(EXPECTED_PACKAGES);
    for (const kind of MANAGERS) {
      const result = await verify(kind);
      expect(result.code, `${kind}: ${result.stderr}`).toBe(0);
      expect(verdicts(result.report), kind).toEqual(verdicts(npm.report));
      expect(result.report.notices.join('\n'), kind).toContain(`verified ${LOCKFILE_OF[kind]} (${kind})`);
    }
  }, 300_000);

  it('denies a version whose registry signature is forged, with the same finding on every lockfile', async () => {
    const file = recordsFile(registry.storage, 'lk-dep');
    const original = await readFile(file, 'utf8');
    const records = JSON.parse(original) as { versions: Record<string, { sig?: string }> };
    records.versions['1.0.0']!.sig = Buffer.alloc(72, 7).toString('base64');
    await writeFile(file, JSON.stringify(records));
    try {
      const npm = await verify('npm');
      expect(npm.code, npm.stderr).toBe(1);
      expect(verdicts(npm.report)['lk-dep@1.0.0']).toMatch(/^deny .*SIGNATURE_INVALID/);
      for (const kind of MANAGERS) {
        const before = await snapshotTree(projects.get(kind)!);
        const result = await verify(kind);
        expect(result.code, `${kind}: ${result.stderr}`).toBe(1);
        expect(verdicts(result.report), kind).toEqual(verdicts(npm.report));
        expect(await snapshotTree(projects.get(kind)!)).toEqual(before);
        // SARIF points code scanning at the manager's lockfile, on the line that names the version.
        const env = await registry.npmEnv(await registry.tempDir(`vouch-sarif-${kind}`), { retries: 'npm-default' });
        const sarif = await runVouch(['verify', '--format', 'sarif'], { cwd: projects.get(kind)!, env, timeoutMs: 120_000 });
        const location = (sarif.json as SarifLog).runs[0]!.results.find((r) => r.ruleId === 'SIGNATURE_INVALID')!.locations[0]!.physicalLocation;
        expect(location.artifactLocation.uri).toBe(LOCKFILE_OF[kind]);
        const line = (await readFile(join(projects.get(kind)!, LOCKFILE_OF[kind]), 'utf8')).split('\n')[location.region.startLine - 1]!;
        expect(line, kind).toMatch(/lk-dep@(npm:)?1\.0\.0/);
      }
    } finally {
      await writeFile(file, original);
    }
  }, 300_000);

  it('denies a lockfile edited to pin other bytes for a version (pnpm, Bun: its integrity; Yarn: its checksum removed)', async () => {
    const other = (await verify('npm')).report.packages.find((p) => p.name === 'lk-opt')!;
    expect(other).toBeDefined();
    for (const kind of MANAGERS) {
      const dir = await registry.tempDir(`edited-${kind}`);
      await mkdir(dir, { recursive: true });
      await cp(projects.get(kind)!, dir, { recursive: true });
      const lockfile = join(dir, LOCKFILE_OF[kind]);
      const text = await readFile(lockfile, 'utf8');
      const edited = kind === 'yarn' ? dropYarnChecksum(text, 'lk-dev') : swapIntegrity(text, 'lk-dev', 'lk-opt');
      expect(edited).not.toBe(text);
      await writeFile(lockfile, edited);
      const env = await registry.npmEnv(await registry.tempDir(`vouch-edited-${kind}`), { retries: 'npm-default' });
      const result = await runVouch(['verify', '--format', 'json'], { cwd: dir, env, timeoutMs: 120_000 });
      expect(result.code, `${kind}: ${result.stderr}`).toBe(1);
      const report = result.json as ReportJson;
      expect(verdicts(report)['lk-dev@1.0.0'], kind).toMatch(kind === 'yarn' ? /^deny .*INTEGRITY_MISSING/ : /^deny .*INTEGRITY_MISMATCH/);
    }
  }, 300_000);
});

/** The lockfile with `from`'s sha512 replaced by `to`'s (both as the lockfile writes them). */
function swapIntegrity(text: string, from: string, to: string): string {
  const sha = (name: string): string => {
    const line =
      text.split('\n').find((l) => l.includes(`${name}@1.0.0`) && l.includes('sha512-')) ??
      text
        .split('\n')
        .slice(text.split('\n').findIndex((l) => l.includes(`${name}@1.0.0`)))
        .find((l) => l.includes('sha512-'))!;
    return /sha512-[A-Za-z0-9+/=]+/.exec(line)![0];
  };
  return text.split(sha(from)).join(sha(to));
}

/** A Yarn Berry lockfile whose entry for `name` carries no checksum (Yarn then installs it unchecked). */
function dropYarnChecksum(text: string, name: string): string {
  const blocks = text.split('\n\n');
  return blocks
    .map((b) =>
      b.startsWith(`"${name}@`)
        ? b
            .split('\n')
            .filter((l) => !l.trim().startsWith('checksum:'))
            .join('\n')
        : b,
    )
    .join('\n\n');
}
