// `vouch log verify` against a real vouch registry: an audit pins the log key, reads only new entries,
// checks every logged signature with the registry's keys, and catches a log that was rewritten (an
// operator who deletes the log and starts again under the same key), a shrunk log, and a changed entry.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePackage } from '../support/packages.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

const running: TestRegistry[] = [];
const roots: string[] = [];
afterAll(async () => {
  for (const r of running) await r.stop();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function makeRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vouch-log-audit-'));
  roots.push(root);
  return root;
}

interface AuditJson {
  size: number;
  previousSize: number;
  checked: number;
  consistent: boolean;
  findings: { code: string; message: string }[];
}

async function audit(registry: TestRegistry, state: string, cwd: string) {
  const result = await runVouch(['log', 'verify', registry.url, '--state', state, '--format', 'json'], { cwd });
  return { code: result.code, report: result.json as AuditJson | undefined, stderr: result.stderr };
}

async function start(storage: string, port?: number): Promise<TestRegistry> {
  const registry = await startRegistry({ storage, ...(port ? { port } : {}) });
  running.push(registry);
  return registry;
}

describe('vouch log verify', () => {
  it('audits incrementally, then catches a rewritten and a shrunk log without advancing its state', async () => {
    const home = await makeRoot();
    const storage = join(home, 'storage');
    const state = join(home, 'audit.json');
    let registry = await start(storage);
    const packages = await registry.tempDir('packages');
    for (const version of ['1.0.0', '1.1.0']) await registry.publish(await writePackage(packages, { name: 'audited', version }));

    const first = await audit(registry, state, home);
    expect(first.code, first.stderr).toBe(0);
    // The log's first entry is the key-added of the registry's key, logged at its first start.
    expect(first.report).toMatchObject({ size: 3, previousSize: 0, checked: 3, consistent: true });
    await registry.publish(await writePackage(packages, { name: 'audited', version: '1.2.0' }));
    const second = await audit(registry, state, home);
    expect(second.report).toMatchObject({ size: 4, previousSize: 3, checked: 1, consistent: true });
    const stateAfterGood = await readFile(state, 'utf8');

    // The operator throws the log away and starts again under the same log key: a new history.
    await registry.stop();
    await rename(join(storage, '.vouch', 'log'), join(storage, '.vouch', 'log.old'));
    registry = await start(storage, Number(new URL(registry.url).port)); // the same URL: the same audit state
    for (const version of ['2.0.0', '2.1.0', '2.2.0', '2.3.0']) await registry.publish(await writePackage(packages, { name: 'audited', version }));
    const rewritten = await audit(registry, state, home);
    expect(rewritten.code, rewritten.stderr).toBe(1);
    expect(rewritten.report?.findings.map((f) => f.code)).toEqual(['LOG_INCONSISTENT']);
    expect(rewritten.report?.findings[0]?.message).toContain('does not extend the 4 this audit saw before');
    expect(rewritten.report?.findings[0]?.message).toContain('last checkpoint seen:');
    expect(await readFile(state, 'utf8')).toBe(stateAfterGood);

    // Shrunk: an audit that had seen more than the log now holds.
    const bigger = JSON.parse(stateAfterGood) as { size: number };
    await writeFile(state, JSON.stringify({ ...bigger, size: 10 }));
    const shrunk = await audit(registry, state, home);
    expect(shrunk.code).toBe(1);
    expect(shrunk.report?.findings[0]?.message).toContain('the log shrank from 10 to 5 entries');
  });

  it('catches an entry changed in storage, on a fresh audit', async () => {
    const registry = await start(join(await makeRoot(), 'storage'));
    const packages = await registry.tempDir('packages');
    for (const version of ['1.0.0', '1.1.0']) await registry.publish(await writePackage(packages, { name: 'changed', version }));
    const home = await registry.tempDir('home');
    expect((await audit(registry, join(home, 'a.json'), home)).code).toBe(0);
    const bundleFile = join(registry.storage, '.vouch', 'log', 'tile', 'entries', '000.p', '3');
    const bundle = await readFile(bundleFile, 'utf8');
    await writeFile(bundleFile, bundle.replace('"version":"1.1.0"', '"version":"1.1.1"'));
    const fresh = await audit(registry, join(home, 'b.json'), home);
    expect(fresh.code).toBe(1);
    expect(fresh.report?.findings.map((f) => f.code)).toEqual(['LOG_ENTRY_INVALID']);
    expect(fresh.report?.findings[0]?.message).toContain('changed@1.1.1: the signature does not verify');
  });

  it("vouch log show lists one package's signing events, from the whole log checked against its checkpoint", async () => {
    const registry = await start(join(await makeRoot(), 'storage'));
    const packages = await registry.tempDir('packages');
    for (const [name, version] of [
      ['shown', '1.0.0'],
      ['other', '1.0.0'],
      ['shown', '1.1.0'],
    ] as const) {
      await registry.publish(await writePackage(packages, { name, version }));
    }
    const home = await registry.tempDir('home');
    const state = join(home, 'state.json');
    const json = await runVouch(['log', 'show', registry.url, 'shown', '--state', state, '--format', 'json'], { cwd: home });
    expect(json.code, json.stderr).toBe(0);
    const report = json.json as {
      size: number;
      consistent: boolean;
      events: { index: number; type: string; name: string; version: string; keyid: string; source: string }[];
    };
    expect(report).toMatchObject({ size: 4, consistent: true }); // entry 0: the key-added of the registry's key
    expect(report.events.map((e) => [e.index, e.type, e.version, e.source])).toEqual([
      [1, 'version-signed', '1.0.0', 'publish'],
      [3, 'version-signed', '1.1.0', 'publish'],
    ]);
    expect(report.events.every((e) => e.keyid.startsWith('SHA256:'))).toBe(true);
    const text = await runVouch(['log', 'show', registry.url, 'shown', '--state', state], { cwd: home });
    expect(text.stdout).toContain('2 signing event(s) of shown among 4 entries (checkpoint verified');
    expect(text.stdout).toMatch(/#3 {2}version-signed {2}shown@1\.1\.0 {2}SHA256:\S+ {2}publish/);
    await expect(readFile(state)).rejects.toThrow(); // show never writes the audit state
    const usage = await runVouch(['log', 'show', registry.url], { cwd: home });
    expect(usage.code).toBe(2);
  });

  it('says a registry without a signing log has none (exit 2)', async () => {
    const registry = await start(join(await makeRoot(), 'storage'));
    const result = await runVouch(['log', 'verify', `${registry.url}nested/path/`], { cwd: await registry.tempDir('cwd') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not found');
  });

  it('vouch verify denies a registry whose log was rewritten since its last run (LOG_INCONSISTENT), changing nothing', async () => {
    const home = await makeRoot();
    const storage = join(home, 'storage');
    let registry = await start(storage);
    const packages = await registry.tempDir('packages');
    await registry.publish(await writePackage(packages, { name: 'dep', version: '1.0.0' }));
    const project = join(home, 'project');
    await writeProject(project, { dependencies: { dep: '^1.0.0' } });
    expect((await registry.npm(['install', '--package-lock-only'], { cwd: project })).code).toBe(0);
    const vouchState = join(home, 'vouch-state');
    const verify = async () => runVouch(['verify', '--format', 'json'], { cwd: project, env: await registry.npmEnv(vouchState, { retries: 'npm-default' }) });
    const first = await verify();
    expect(first.code, first.stdout + first.stderr).toBe(0);

    await registry.stop();
    await rename(join(storage, '.vouch', 'log'), join(storage, '.vouch', 'log.old'));
    registry = await start(storage, Number(new URL(registry.url).port));
    for (const version of ['1.0.0', '1.1.0']) await registry.publish(await writePackage(packages, { name: 'other', version }));
    const before = await snapshotProject(project);
    const second = await verify();
    expect(second.code, second.stdout + second.stderr).toBe(1);
    const report = second.json as { registries: { findings: { code: string; message: string }[] }[]; packages: { decision: string }[] };
    expect(report.registries.flatMap((r) => r.findings.map((f) => f.code))).toEqual(['LOG_INCONSISTENT']);
    expect(report.registries[0]!.findings[0]!.message).toContain('does not extend the 2 this audit saw before');
    expect(await snapshotProject(project)).toEqual(before);
  });
});
