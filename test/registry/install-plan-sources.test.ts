// Issue 14, sources nothing signs (measured on main before the fix): a `file:` directory dependency, which vouch
// linked and ran without judging it, and git and remote-tarball dependencies deeper in the tree, which vouch
// let arborist contact (git ls-remote, an HTTP GET) before it denied them. Each is judged by vouch.policy.json
// before anything is contacted, linked or run. Real Verdaccio + the signing plugin behind the hostile proxy
// (test/support/install-plan.ts), the real npm, the built CLI, a `git` on PATH that only logs, and an HTTP
// server of this file that serves the remote tarball and records every request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CACHES, expectAllowed, expectDenied, nodeModules, startPlanWorld, type Cache, type PlanVouchResult, type PlanWorld } from '../support/install-plan.js';
import { packTarball } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { snapshotProject, snapshotTree, writeProject } from '../support/project.js';
import type { ReportJson } from '../support/report.js';

let plan: PlanWorld;
/** A folder holding `local/` (package local@1.0.0, with a postinstall) and `project/` ("local": "file:../local"). */
let directoryBase: string;
/** The remote tarball's host: serves remote-x@1.0.0 for any path, logs every request. */
let remote: { server: Server; url: string; requests: string[] };
/** deep-git@1.0.0 and its git dependency x, locked by hand (the real npm cannot resolve it: no git host). */
let gitLockProject: string;
/** deep-remote@1.0.0 and its remote dependency y, locked by the real npm (which fetched y from the remote host). */
let remoteLockProject: string;

const CI = ['ci', '--update-lock'];
const GIT_SPEC = 'git+https://127.0.0.1:1/never.git';

beforeAll(async () => {
  plan = await startPlanWorld();

  directoryBase = await plan.registry.tempDir('directory');
  await mkdir(join(directoryBase, 'local'));
  await writeFile(join(directoryBase, 'local', 'package.json'), `${JSON.stringify(plan.fixture({ name: 'local', version: '1.0.0' }), null, 2)}\n`);
  await writeFile(join(directoryBase, 'local', 'index.js'), 'module.exports = "local";\n');
  await writeProject(join(directoryBase, 'project'), { dependencies: { local: 'file:../local' } });
  await plan.lock(join(directoryBase, 'project'));

  remote = await startRemoteHost(
    await packTarball(await writePackage(await plan.registry.tempDir('remote-x'), plan.fixture({ name: 'remote-x', version: '1.0.0' }))),
  );
  await plan.publish({ name: 'deep-git', version: '1.0.0', dependencies: { x: GIT_SPEC } });
  await plan.publish({ name: 'deep-remote', version: '1.0.0', dependencies: { y: `${remote.url}x.tgz` } });
  remoteLockProject = await plan.project('remote-lock', { dependencies: { 'deep-remote': '1.0.0' } });
  await plan.lock(remoteLockProject);
  gitLockProject = await plan.project('git-lock', { dependencies: { 'deep-git': '1.0.0' } });
  await writeGitLockfile(gitLockProject);
}, 300_000);

afterAll(async () => {
  remote?.server.closeAllConnections();
  await new Promise((done) => (remote ? remote.server.close(done) : done(undefined)));
  await plan?.stop();
});

beforeEach(async () => {
  await plan.reset();
  remote.requests.length = 0;
});

describe('a file: directory dependency ("local": "file:../local", locked by the real npm)', () => {
  it('is linked by real npm ci, which runs its postinstall (the oracle)', async () => {
    const npm = await plan.npmInstall(directoryBase, ['ci'], 'directory', 'project');
    expect(npm.result.code, npm.result.stderr).toBe(0);
    expect(await nodeModules(npm.dir)).toEqual([{ path: 'local', kind: 'link', target: '../../local' }]);
    expect(npm.ran).toEqual(['local']);
  });

  for (const command of [CI, ['install'], ['verify']]) {
    it(`is denied by vouch ${command.join(' ')} with SOURCE_NOT_ALLOWED on a directory source, nothing written or run, without a vouch.policy.json`, async () => {
      const base = await plan.copy(directoryBase, 'directory');
      const project = join(base, 'project');
      const before = await snapshotProject(project);
      const local = await snapshotTree(join(base, 'local'));
      const run = await plan.vouch(command, project, await plan.state('cold'));
      await expectDenied(plan, run, 'SOURCE_NOT_ALLOWED', project, before);
      expect(sourceFindings(run.report, 'directory')).toEqual([['local', ['SOURCE_NOT_ALLOWED']]]);
      expect(await snapshotTree(join(base, 'local'))).toEqual(local);
    });

    it(`is allowed by vouch ${command.join(' ')} when vouch.policy.json lists it under sources.directory`, async () => {
      const npm = await plan.npmInstall(directoryBase, ['ci'], 'directory', 'project');
      const base = await plan.copy(directoryBase, 'directory');
      const project = join(base, 'project');
      await writeFile(join(project, 'vouch.policy.json'), `${JSON.stringify({ sources: { directory: ['local'] } }, null, 2)}\n`);
      const run = await plan.vouch(command, project, await plan.state('cold'));
      expectAllowed(run);
      if (command[0] !== 'verify') expect(await nodeModules(project)).toEqual(await nodeModules(npm.dir));
    });
  }
});

describe(`a git dependency deeper in the tree (deep-git depends on "x": "${GIT_SPEC}")`, () => {
  for (const cache of CACHES) {
    it(`is denied by vouch install deep-git with SOURCE_NOT_ALLOWED before git runs (${cache} npm cache)`, async () => {
      await expectDeniedUncontacted(await plan.project('deep-git'), ['install', 'deep-git'], ['install', 'deep-git'], cache, 'git');
    });

    it(`is denied by vouch ci from a lockfile holding it, with SOURCE_NOT_ALLOWED before git runs (${cache} npm cache)`, async () => {
      await expectDeniedUncontacted(gitLockProject, ['ci'], CI, cache, 'git');
    });
  }

  it('is denied by vouch verify from a lockfile holding it, with SOURCE_NOT_ALLOWED before git runs', async () => {
    await expectDeniedUncontacted(gitLockProject, ['ci'], ['verify'], 'cold', 'git');
  });
});

describe('a remote tarball dependency deeper in the tree (deep-remote depends on "y": "http://127.0.0.1:PORT/x.tgz")', () => {
  for (const cache of CACHES) {
    it(`is denied by vouch install deep-remote with SOURCE_NOT_ALLOWED before the remote host gets a request (${cache} npm cache)`, async () => {
      await expectDeniedUncontacted(await plan.project('deep-remote'), ['install', 'deep-remote'], ['install', 'deep-remote'], cache, 'remote');
    });

    it(`is denied by vouch ci from the real npm's lockfile with SOURCE_NOT_ALLOWED before the remote host gets a request (${cache} npm cache)`, async () => {
      await expectDeniedUncontacted(remoteLockProject, ['ci'], CI, cache, 'remote');
    });
  }

  it("is denied by vouch verify from the real npm's lockfile with SOURCE_NOT_ALLOWED before the remote host gets a request", async () => {
    await expectDeniedUncontacted(remoteLockProject, ['ci'], ['verify'], 'cold', 'remote');
  });
});

// ---- helpers ---------------------------------------------------------------------------------------

/**
 * vouch `command` on a copy of `source` denies its `kind` source (x or y) with SOURCE_NOT_ALLOWED, writes nothing,
 * runs nothing and contacts nothing. The npm cache is cold, or filled by a real `npm <npmArgs>` on another copy
 * (which runs git or fetches y itself: the git log and the remote host's log start empty again after it).
 */
async function expectDeniedUncontacted(source: string, npmArgs: string[], command: string[], cache: Cache, kind: 'git' | 'remote'): Promise<void> {
  const npm = await plan.npmInstall(source, npmArgs, 'warm');
  await plan.reset();
  remote.requests.length = 0;
  const project = await plan.copy(source, 'project');
  const before = await snapshotProject(project);
  const run: PlanVouchResult = await plan.vouch(command, project, await plan.cacheFor(cache, npm.state));
  await expectDenied(plan, run, 'SOURCE_NOT_ALLOWED', project, before);
  expect(await plan.gitCalls(), 'git ran').toEqual([]);
  expect(remote.requests, 'the remote host got requests').toEqual([]);
  expect(sourceFindings(run.report, kind)).toEqual([[kind === 'git' ? 'x' : 'y', ['SOURCE_NOT_ALLOWED']]]);
}

/** [name, finding codes] of every source of `kind` in the report. */
function sourceFindings(report: ReportJson | undefined, kind: string): [string, string[]][] {
  return (report?.sources ?? []).filter((s) => s.kind === kind).map((s) => [s.name, s.findings.map((f) => f.code).sort()]);
}

/** package.json and package-lock.json for deep-git@1.0.0, with x locked at a commit of GIT_SPEC (as npm would lock it). */
async function writeGitLockfile(project: string): Promise<void> {
  const packument = (await (await fetch(new URL('deep-git', plan.hostile.url))).json()) as {
    versions: Record<string, { dist: { tarball: string; integrity: string } }>;
  };
  const dist = packument.versions['1.0.0']!.dist;
  const lock = {
    name: 'consumer',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'consumer', version: '1.0.0', dependencies: { 'deep-git': '1.0.0' } },
      'node_modules/deep-git': {
        version: '1.0.0',
        resolved: dist.tarball,
        integrity: dist.integrity,
        hasInstallScript: true,
        license: 'MIT',
        dependencies: { x: GIT_SPEC },
      },
      'node_modules/x': { version: '1.0.0', resolved: `${GIT_SPEC}#0123456789abcdef0123456789abcdef01234567`, hasInstallScript: true, license: 'MIT' },
    },
  };
  await writeFile(join(project, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

/** An HTTP server on 127.0.0.1 answering every GET with `tarball`, logging "METHOD path". */
async function startRemoteHost(tarball: Buffer): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
    res.end(tarball);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}
