// The GitHub Action (action.yml → ci/github/vouch-action.sh) and the GitLab CI template
// (ci/gitlab/vouch.gitlab-ci.yml → ci/gitlab/vouch-job.sh), run here as those CIs run them: the real
// scripts, with the environment each CI sets, over projects installed from the real signing registry.
// A clean project passes with an empty SARIF; a package whose tarball was swapped in the registry's storage
// fails the job with exit 1, after the SARIF and the Code Quality report naming it were written.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log, Result } from 'sarif';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { FINGERPRINT_KEY, type CodeQualityIssue } from '../../lib/cli/render/index.js';
import { packTarball } from '../support/npm.js';
import { writePackage, writePackages } from '../support/packages.js';
import { copyProject, writeProject } from '../support/project.js';
import { runProcess, type ProcessResult } from '../support/process.js';
import { storedTarball } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { sarifValidator } from '../support/schemas.js';
import { runVouch, VOUCH_BIN } from '../support/vouch.js';

const ACTION_SCRIPT = packagePath('ci', 'github', 'vouch-action.sh');
const GITLAB_SCRIPT = packagePath('ci', 'gitlab', 'vouch-job.sh');

let registry: TestRegistry;
/** Installed by vouch (package-lock.json and vouch.lock), no node_modules; depends on cis-a and cis-b. */
let clean: string;
/** The same with cis-tamper, whose registry tarball is swapped after the install. */
let tampered: string;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const dirs = await writePackages(root, [
    { name: 'cis-a', version: '1.0.0' },
    { name: 'cis-b', version: '1.0.0', dependencies: { 'cis-a': '^1.0.0' } },
    { name: 'cis-tamper', version: '1.0.0' },
  ]);
  for (const dir of dirs) await registry.publish(dir);
  clean = await installedProject('clean', { 'cis-b': '^1.0.0' });
  tampered = await installedProject('tampered', { 'cis-b': '^1.0.0', 'cis-tamper': '^1.0.0' });
  const evil = await writePackage(await registry.tempDir('evil'), { name: 'cis-tamper', version: '1.0.0', files: { 'evil.js': 'steal()\n' } });
  await writeFile(storedTarball(registry.storage, 'cis-tamper', '1.0.0'), await packTarball(evil));
}, 180_000);

afterAll(() => registry?.stop());

describe('the GitHub Action script', () => {
  it('installs a clean project with vouch ci: exit 0, an empty valid SARIF, the outputs, the summary and the evidence where the cache step looks', async () => {
    const gh = await githubRunner('clean');
    const project = await copyProject(clean, join(gh.workspace, 'app'));
    const env: NodeJS.ProcessEnv = { ...gh.env, VOUCH_WORKING_DIRECTORY: 'app', VOUCH_BIN };

    const cache = await run(ACTION_SCRIPT, ['cache'], env);
    expect(cache.code, cache.stderr).toBe(0);
    const cacheOutputs = await gh.outputs();
    expect(cacheOutputs['path']).toBe(join(env['npm_config_cache'] ?? '', '_vouch'));
    expect(cacheOutputs['key']).toMatch(/^vouch-evidence-Linux-[0-9a-f]{64}$/);
    expect(cacheOutputs['restore-key']).toBe('vouch-evidence-Linux-');

    const result = await run(ACTION_SCRIPT, ['run'], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const outputs = await gh.outputs();
    expect(outputs).toMatchObject({ decision: 'allow', 'exit-code': '0' });
    const sarif = await readSarif(outputs['sarif-file']);
    expect(sarif.runs[0]?.results).toEqual([]); // uploaded, it closes earlier alerts
    expect(outputs['sarif-file']?.startsWith(gh.runnerTemp)).toBe(true);
    expect(JSON.parse(await readFile(outputs['report-file'] ?? '', 'utf8'))).toMatchObject({ decision: 'allow' });
    const summary = await readFile(gh.summary, 'utf8');
    expect(summary).toMatch(/^### vouch ci: allowed\n\n````text\n[^]*2 packages[^]*````\n$/);
    expect(existsSync(join(project, 'node_modules', 'cis-b', 'package.json'))).toBe(true);
    // The evidence vouch gathered sits where the cache step's path points, so actions/cache saves it.
    expect(existsSync(join(cacheOutputs['path'] ?? '', 'evidence-v2.json'))).toBe(true);
  });

  it('exits 1 on a tampered package after writing the SARIF result on its lockfile line (path from the repository root) and the summary', async () => {
    const gh = await githubRunner('tampered');
    const project = await copyProject(tampered, join(gh.workspace, 'app'));
    await git(gh.workspace, ['init', '--quiet']);
    const result = await run(ACTION_SCRIPT, ['run'], { ...gh.env, VOUCH_WORKING_DIRECTORY: 'app', VOUCH_BIN });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('::error title=vouch ci::denied (exit 1)');
    const outputs = await gh.outputs();
    expect(outputs).toMatchObject({ decision: 'deny', 'exit-code': '1' });
    const denied = deniedResults(await readSarif(outputs['sarif-file']));
    expect(denied.map((r) => r.ruleId)).toEqual(['TARBALL_MISMATCH']);
    const location = denied[0]?.locations?.[0]?.physicalLocation;
    expect(location?.artifactLocation?.uri).toBe('app/package-lock.json');
    expect(location?.region?.startLine).toBe(await lockfileLine(project, 'node_modules/cis-tamper'));
    expect(await readFile(gh.summary, 'utf8')).toContain('### vouch ci: denied');
    expect(existsSync(join(project, 'node_modules'))).toBe(false); // verify before reify
  });

  it("runs the action's own checkout, passes VOUCH_ARGS to vouch, and refuses a command other than ci or verify (exit 2, nothing run)", async () => {
    const gh = await githubRunner('args');
    await copyProject(tampered, join(gh.workspace, 'app'));
    const env = { ...gh.env, VOUCH_WORKING_DIRECTORY: 'app', VOUCH_BIN, VOUCH_COMMAND: 'verify' };
    // verify reads the lockfile and the signatures, not the tarballs: the swap shows only with --tarballs.
    // Without VOUCH_BIN the action runs its own checkout (GITHUB_ACTION_PATH), here already built.
    const { VOUCH_BIN: _bin, ...fromActionPath } = env;
    expect((await run(ACTION_SCRIPT, ['run'], fromActionPath)).code).toBe(0);
    await gh.outputs();
    const verify = await run(ACTION_SCRIPT, ['run'], { ...env, VOUCH_ARGS: '--tarballs\n--concurrency 4' });
    expect(verify.code, verify.stdout + verify.stderr).toBe(1);
    expect(deniedResults(await readSarif((await gh.outputs())['sarif-file'])).map((r) => r.ruleId)).toEqual(['TARBALL_MISMATCH']);

    const refused = await run(ACTION_SCRIPT, ['run'], { ...gh.env, VOUCH_BIN, VOUCH_COMMAND: 'install' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('must be ci or verify');
  });
});

describe('the GitLab CI job script', () => {
  it('exits 0 on a clean project with an empty Code Quality report and a valid SARIF', async () => {
    const gl = await gitlabRunner('clean', clean);
    const result = await run(GITLAB_SCRIPT, [], { ...gl.env, VOUCH_BIN });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('vouch verify: decision allow, exit 0; reports in vouch-reports/');
    expect(JSON.parse(await readFile(join(gl.reports, 'gl-code-quality-report.json'), 'utf8'))).toEqual([]);
    expect((await readSarif(join(gl.reports, 'vouch.sarif'))).runs[0]?.results).toEqual([]);
  });

  it('exits 1 on a tampered package after writing the Code Quality issue and the SARIF result, fingerprinted alike', async () => {
    const gl = await gitlabRunner('tampered', tampered);
    const result = await run(GITLAB_SCRIPT, [], { ...gl.env, VOUCH_BIN, VOUCH_ARGS: '--tarballs' });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const issues = JSON.parse(await readFile(join(gl.reports, 'gl-code-quality-report.json'), 'utf8')) as CodeQualityIssue[];
    const critical = issues.filter((i) => i.severity === 'critical');
    expect(critical.map((i) => i.check_name)).toEqual(['TARBALL_MISMATCH']);
    expect(critical[0]?.location).toEqual({ path: 'package-lock.json', lines: { begin: await lockfileLine(gl.project, 'node_modules/cis-tamper') } });
    expect(critical[0]?.description).toContain('cis-tamper@1.0.0');
    const denied = deniedResults(await readSarif(join(gl.reports, 'vouch.sarif')));
    expect(denied.map((r) => r.partialFingerprints?.[FINGERPRINT_KEY])).toEqual([critical[0]?.fingerprint]);
  });
});

describe('installing vouch from VOUCH_PACKAGE', () => {
  // A stand-in vouch (no dependencies, so nothing but itself is installed): it records its arguments and
  // writes each --report-file. What is tested is how the scripts pack, install and find it.
  let standIn: string;
  beforeAll(async () => {
    standIn = join(await registry.tempDir('stand-in'), 'vouch');
    await mkdir(join(standIn, 'bin'), { recursive: true });
    await writeFile(join(standIn, 'package.json'), `${JSON.stringify({ name: 'vouch', version: '0.0.0-stand-in', bin: { vouch: 'bin/vouch.js' } })}\n`);
    await writeFile(
      join(standIn, 'bin', 'vouch.js'),
      [
        '#!/usr/bin/env node',
        "const fs = require('fs'); const args = process.argv.slice(2);",
        "args.forEach((a, i) => { if (a === '--report-file') { const [f, file] = args[i + 1].split(/=(.*)/s); fs.writeFileSync(file, f === 'json' ? JSON.stringify({ decision: 'allow' }) : '{}'); } });",
        "console.log('stand-in vouch ' + args.join(' '));",
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await cp(packagePath('ci'), join(standIn, 'ci'), { recursive: true }); // the package ships its CI scripts
  });

  it('the Action script packs and installs it under RUNNER_TEMP, then runs it', async () => {
    const gh = await githubRunner('package');
    await copyProject(clean, join(gh.workspace, 'app'));
    const result = await run(ACTION_SCRIPT, ['run'], { ...gh.env, VOUCH_WORKING_DIRECTORY: 'app', VOUCH_PACKAGE: standIn, VOUCH_COMMAND: 'verify' });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^stand-in vouch verify --report-file sarif=/m);
    expect(existsSync(join(gh.runnerTemp, 'vouch-tool', 'bin', 'vouch'))).toBe(true);
    expect(await gh.outputs()).toMatchObject({ decision: 'allow', 'exit-code': '0' });
  });

  it("the GitLab template's before_script installs it globally and its script line runs the job script it ships", async () => {
    const template = parse(await readFile(packagePath('ci', 'gitlab', 'vouch.gitlab-ci.yml'), 'utf8')) as Record<string, GitlabJob>;
    const job = template['.vouch'];
    const gl = await gitlabRunner('package', clean);
    const prefix = join(gl.project, '..', 'npm-global');
    // No vouch on PATH but the one installed (vitest's PATH has node_modules/.bin, where this repository's is).
    const path = [join(prefix, 'bin'), ...(process.env['PATH'] ?? '').split(':').filter((d) => !d.includes('node_modules'))].join(':');
    const env = {
      ...gl.env,
      ...job?.variables,
      CI_PROJECT_DIR: gl.project,
      npm_config_cache: join(gl.project, '.npm'),
      VOUCH_PACKAGE: standIn,
      npm_config_prefix: prefix,
      PATH: path,
    };
    const result = await run('-c', [[...(job?.before_script ?? []), ...(job?.script ?? [])].join('\n')], env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^stand-in vouch verify --report-file codequality=/m);
    expect(result.stdout).toContain('vouch verify: decision allow, exit 0; reports in vouch-reports/');
    expect(existsSync(join(gl.reports, 'gl-code-quality-report.json'))).toBe(true);
  });
});

describe('action.yml and the GitLab template', () => {
  it('action.yml runs the script for the cache key and the gate, passes every input, and uploads the SARIF after a deny too', async () => {
    const action = parse(await readFile(packagePath('action.yml'), 'utf8')) as ActionYaml;
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    const byId = (id: string) => steps.find((s) => s.id === id);
    expect(byId('cache-key')?.run).toBe('"$GITHUB_ACTION_PATH/ci/github/vouch-action.sh" cache');
    expect(byId('vouch')?.run).toBe('"$GITHUB_ACTION_PATH/ci/github/vouch-action.sh" run');
    expect(byId('vouch')?.env).toEqual({
      VOUCH_COMMAND: '${{ inputs.command }}',
      VOUCH_ARGS: '${{ inputs.args }}',
      VOUCH_WORKING_DIRECTORY: '${{ inputs.working-directory }}',
      VOUCH_PACKAGE: '${{ inputs.vouch-package }}',
    });
    for (const step of steps.filter((s) => s.run !== undefined)) {
      expect(step.run).not.toContain('${{'); // inputs reach the shell as environment, never as script text
      expect(step.shell).toBe('bash');
    }
    const cache = steps.find((s) => s.uses?.startsWith('actions/cache@'));
    expect(cache?.with).toEqual({
      path: '${{ steps.cache-key.outputs.path }}',
      key: '${{ steps.cache-key.outputs.key }}',
      'restore-keys': '${{ steps.cache-key.outputs.restore-key }}',
    });
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.if).toMatch(/^always\(\) && inputs\.sarif == 'true' && steps\.vouch\.outputs\.sarif-file != ''$/);
    expect(upload?.with).toEqual({ sarif_file: '${{ steps.vouch.outputs.sarif-file }}', category: '${{ inputs.sarif-category }}' });
    expect(action.inputs['command']?.default).toBe('ci');
    expect(action.inputs['sarif-category']?.default).toBe('vouch');
    expect(Object.keys(action.outputs)).toEqual(['decision', 'exit-code', 'sarif-file', 'report-file']);
  });

  it('the GitLab template runs the job script and publishes the files it writes, and caches where npm_config_cache puts the evidence', async () => {
    const template = parse(await readFile(packagePath('ci', 'gitlab', 'vouch.gitlab-ci.yml'), 'utf8')) as Record<string, GitlabJob>;
    const job = template['.vouch'];
    expect(template['vouch']?.extends).toBe('.vouch');
    expect(job?.script).toEqual(['bash "${VOUCH_JOB_SCRIPT:-$(dirname "$(realpath "${VOUCH_BIN:-$(command -v vouch)}")")/../ci/gitlab/vouch-job.sh}"']);
    expect(job?.artifacts.reports.codequality).toBe('vouch-reports/gl-code-quality-report.json');
    expect(job?.artifacts.paths).toEqual(['vouch-reports/']);
    expect(job?.artifacts.when).toBe('always');
    expect(job?.variables['npm_config_cache']).toBe('$CI_PROJECT_DIR/.npm');
    expect(job?.cache).toEqual({ key: { files: ['package-lock.json'], prefix: 'vouch-evidence' }, paths: ['.npm/_vouch/'] });
    expect(job?.variables['VOUCH_COMMAND']).toBe('verify');
    // The package that installs vouch globally carries the job script.
    const manifest = JSON.parse(await readFile(packagePath('package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).toContain('ci/');
  });
});

interface ActionStep {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface ActionYaml {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}
interface GitlabJob {
  extends?: string;
  variables: Record<string, string>;
  cache: unknown;
  before_script: string[];
  script: string[];
  artifacts: { when: string; paths: string[]; reports: { codequality: string } };
}

/** A project with package-lock.json and vouch.lock written by `vouch install` (node_modules removed). */
async function installedProject(label: string, dependencies: Record<string, string>): Promise<string> {
  const dir = await registry.tempDir(label);
  await writeProject(dir, { dependencies });
  const installed = await runVouch(['install'], { cwd: dir, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
  expect(installed.code, installed.stdout + installed.stderr).toBe(0);
  await rm(join(dir, 'node_modules'), { recursive: true, force: true });
  return dir;
}

/** The environment a GitHub-hosted Linux runner gives a composite action's step, over a fresh workspace. */
async function githubRunner(label: string) {
  const root = await registry.tempDir(`gh-${label}`);
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  const summary = join(runnerTemp, '_runner_file_commands', 'step_summary');
  const output = join(runnerTemp, '_runner_file_commands', 'set_output');
  await Promise.all([workspace, join(runnerTemp, '_runner_file_commands')].map((d) => mkdir(d, { recursive: true })));
  await Promise.all([summary, output].map((f) => writeFile(f, '')));
  const env: NodeJS.ProcessEnv = {
    ...(await registry.npmEnv(join(root, 'npm-state'), { retries: 'npm-default' })),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION_PATH: packagePath(),
    GITHUB_ACTION: 'vouch',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: 'pull_request',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
  };
  return {
    workspace,
    runnerTemp,
    summary,
    env,
    /** GITHUB_OUTPUT as the runner reads it (name=value lines); read, then emptied as for the next step. */
    outputs: async (): Promise<Record<string, string>> => {
      const text = await readFile(output, 'utf8');
      await writeFile(output, '');
      return Object.fromEntries(
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    },
  };
}

/** The environment a GitLab runner gives a job, with the project checked out at CI_PROJECT_DIR. */
async function gitlabRunner(label: string, from: string) {
  const root = await registry.tempDir(`gl-${label}`);
  const project = await copyProject(from, join(root, 'builds', 'acme', 'app'));
  await git(project, ['init', '--quiet']);
  const env: NodeJS.ProcessEnv = {
    ...(await registry.npmEnv(join(root, 'npm-state'), { retries: 'npm-default' })),
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PROJECT_DIR: project,
    CI_JOB_NAME: 'vouch',
    CI_JOB_STAGE: 'test',
    CI_PROJECT_PATH: 'acme/app',
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_SERVER: 'yes',
  };
  return { project, env, reports: join(project, 'vouch-reports') };
}

async function readSarif(file: string | undefined): Promise<Log> {
  expect(file).toBeTruthy();
  const log = JSON.parse(await readFile(file ?? '', 'utf8')) as Log;
  const validate = sarifValidator();
  expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
  return log;
}

function deniedResults(log: Log): Result[] {
  return (log.runs[0]?.results ?? []).filter((r) => r.level === 'error');
}

async function lockfileLine(project: string, key: string): Promise<number> {
  const lines = (await readFile(join(project, 'package-lock.json'), 'utf8')).split('\n');
  const line = lines.findIndex((l) => l.trimStart().startsWith(`${JSON.stringify(key)}:`)) + 1;
  expect(line).toBeGreaterThan(1);
  return line;
}

/** `bash script args…` (or `bash -c text`), as a CI runner starts a step. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runProcess('bash', [script, ...args], { cwd: packagePath(), env });
}

async function git(cwd: string, args: string[]): Promise<void> {
  const result = await new Promise<number>((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  expect(result).toBe(0);
}
