// The Node API (issue 18 item 4, docs/api.md) as a user's project gets it: vouch packed with `npm pack`, the
// tarball installed into a fresh consumer project, and an ESM script there that imports `{ verifyProject,
// verifyBundle }` from 'vouch'. verifyProject against the test registry must return exactly the object
// `vouch verify --format json` prints (a clean signed package: allow; a signature tampered with in the
// registry's storage: the same deny codes), printing nothing; verifyBundle must verify real public-good
// bundles, keyless and keyed, and refuse tampered copies. A consumer .ts file is type-checked against the
// shipped .d.ts with the repository's TypeScript, strict. Needs a built tree (`npm run build`); the tarball
// is packed with --ignore-scripts so no rebuild rewrites dist/ under parallel tests. Dependencies come from
// this machine's npm registry and cache (--prefer-offline).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { npmSucceeded, packInto, runNpm, userNpmEnv } from '../support/npm.js';
import { runProcess, type ProcessResult } from '../support/process.js';
import { writePackage } from '../support/packages.js';
import { writeProject } from '../support/project.js';
import { recordsFile } from '../support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { denied, explain, type ReportJson } from '../support/report.js';
import { runVouch } from '../support/vouch.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const PLAYWRIGHT = { issuer: GITHUB, repository: 'https://github.com/microsoft/playwright-cli', workflow: '.github/workflows/publish.yml' };
const NPM_KEY = 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U';
const fixture = (...parts: string[]) => packagePath('fixtures', 'real', ...parts);

let work: string;
let consumer: string;
let registry: TestRegistry;
let project: string;
/** npm's config for the test registry, with npm's and vouch's caches under a fresh folder (set per test). */
let env: NodeJS.ProcessEnv;

async function freshEnv(): Promise<void> {
  env = await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' });
}

beforeAll(async () => {
  if (!existsSync(packagePath('dist', 'lib', 'api', 'index.d.ts'))) throw new Error('dist/lib/api is missing: run `npm run build` first');
  work = await mkdtemp(join(tmpdir(), 'vouch-api-consumer-'));
  const tarball = await packInto(packagePath(), work);
  consumer = join(work, 'consumer');
  await writeProject(consumer, { type: 'module' });
  npmSucceeded(await runNpm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], consumer, userNpmEnv()), 'npm install <vouch tarball>');
  await writeFile(join(consumer, 'verify.mjs'), CONSUMER_SCRIPT);
  await writeFile(join(consumer, 'consumer.ts'), CONSUMER_TS);

  registry = await startRegistry();
  await registry.publish(await writePackage(await registry.tempDir('packages'), { name: 'api-dep', version: '1.0.0' }));
  project = join(await registry.tempDir('project'), 'p');
  await writeProject(project, { dependencies: { 'api-dep': '1.0.0' } });
  npmSucceeded(
    await registry.npm(['install', '--package-lock-only'], { cwd: project, stateDir: await registry.tempDir('npm-state') }),
    'npm install --package-lock-only',
  );
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function run(command: string, args: string[], cwd: string, childEnv: NodeJS.ProcessEnv = process.env): Promise<ProcessResult> {
  return runProcess(command, args, { cwd, env: childEnv });
}

// ─── the consumer's own files ─────────────────────────────────────────────────────────────

interface BundleRequest {
  bundleFile: string;
  artifactFile?: string;
  options: Record<string, unknown>;
}
type Outcome<T> = { ok: T } | { error: { code: string; exitCode: number; isVouchError: boolean } };
interface ConsumerResults {
  projects: Outcome<ReportJson>[];
  bundles: Outcome<{
    signer: { kind: string; keyid?: string; identity?: { repository?: string } };
    signedTime: { source: string } | null;
    trustRoot: string | null;
  }>[];
}

/** Reads a request file, calls the API as a user would, writes what came back; prints nothing itself. */
const CONSUMER_SCRIPT = `import { readFileSync, writeFileSync } from 'node:fs';
import { verifyBundle, verifyProject, VouchError } from 'vouch';

const [requestFile, resultFile] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestFile, 'utf8'));
const caught = (err) => {
  if (err instanceof VouchError) return { error: { code: err.code, exitCode: err.exitCode, isVouchError: true } };
  throw err;
};
const results = { projects: [], bundles: [] };
for (const dir of request.projects) results.projects.push(await verifyProject(dir).then((ok) => ({ ok }), caught));
for (const b of request.bundles) {
  const options = b.artifactFile ? { ...b.options, artifact: readFileSync(b.artifactFile) } : b.options;
  results.bundles.push(await verifyBundle(readFileSync(b.bundleFile), options).then((ok) => ({ ok }), caught));
}
writeFileSync(resultFile, JSON.stringify(results));
`;

/** Uses the API's types as a TypeScript consumer would; the @ts-expect-error lines fail if the types were \`any\`. */
const CONSUMER_TS = `import { readFileSync } from 'node:fs';
import {
  verifyBundle, verifyProject, VouchError,
  type BundleVerified, type FindingCode, type ReportJson, type VerifyBundleOptions, type VerifyProjectOptions,
} from 'vouch';

export async function gate(dir: string): Promise<number> {
  const options: VerifyProjectOptions = { concurrency: 8, timeoutMs: 10_000, omit: ['dev'], trustedRoots: [], now: new Date() };
  const report: ReportJson = await verifyProject(dir, options);
  const codes: FindingCode[] = report.packages.flatMap((p) => p.findings.map((f) => f.code));
  return report.decision === 'deny' ? 1 : codes.length;
}

export async function signerOf(bundleFile: string, tarball: Buffer): Promise<string> {
  const options: VerifyBundleOptions = {
    artifact: tarball, identity: { issuer: ${JSON.stringify(GITHUB)}, repository: 'https://github.com/acme/widget', ref: 'refs/tags/v*' },
  };
  try {
    const result: BundleVerified = await verifyBundle(readFileSync(bundleFile), options);
    const when: Date | undefined = result.signedTime?.time;
    if (result.content.kind === 'dsse') console.log(result.content.statement.predicateType, when);
    return result.signer.kind === 'certificate' ? result.signer.identity.san : result.signer.keyid;
  } catch (err) {
    if (err instanceof VouchError) return \`\${err.code} \${err.exitCode}\`;
    throw err;
  }
}

export const keyed = (bundle: unknown, pem: string) => verifyBundle(bundle, { digest: { algorithm: 'sha512', hex: 'ab' }, key: { publicKey: pem } });

// @ts-expect-error an artifact is bytes, not a path
void verifyBundle({}, { artifact: 'widget.tgz', identity: { issuer: 'x', san: 'y' } });
// @ts-expect-error the report is typed
void verifyProject('.').then((report) => report.verdicts);
// @ts-expect-error only the entry point and package.json are exported, not the sources
void import('vouch/lib/api/index.js');
`;

async function consumerRun(projects: string[], bundles: BundleRequest[]): Promise<{ results: ConsumerResults; process: ProcessResult }> {
  const requestFile = join(work, `request-${Date.now()}.json`);
  const resultFile = `${requestFile}.result`;
  await writeFile(requestFile, JSON.stringify({ projects, bundles }));
  const result = await run(process.execPath, ['verify.mjs', requestFile, resultFile], consumer, env);
  if (result.code !== 0) throw new Error(`the consumer script failed (${result.code}):\n${result.stderr.slice(-4000)}`);
  return { results: JSON.parse(await readFile(resultFile, 'utf8')) as ConsumerResults, process: result };
}

/** `vouch verify --format json` by the consumer's installed bin (node_modules/.bin/vouch), for comparison. */
async function cliVerify(dir: string): Promise<{ code: number; report: ReportJson; stderr: string }> {
  const result = await runVouch(['verify', '--format', 'json'], { cwd: dir, env, bin: join(consumer, 'node_modules', 'vouch', 'bin', 'vouch.js') });
  if (result.json === undefined) throw new Error(`vouch verify printed no JSON (exit ${result.code}):\n${result.stderr}`);
  return { code: result.code, report: result.json as ReportJson, stderr: result.stderr };
}

const projectReport = (outcome: Outcome<ReportJson> | undefined): ReportJson => {
  if (!outcome || !('ok' in outcome)) throw new Error(`verifyProject threw: ${JSON.stringify(outcome)}`);
  return outcome.ok;
};

// ─── the tests ────────────────────────────────────────────────────────────────────────────

describe("vouch's Node API, imported from the installed tarball", () => {
  it('ships the entry point with its declaration files, and `npm pack` lists them', async () => {
    const installed = join(consumer, 'node_modules', 'vouch');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(manifest.exports['.']).toEqual({ types: './dist/lib/api/index.d.ts', import: './dist/lib/api/index.js' });
    for (const file of ['index.js', 'index.d.ts', 'verify-bundle.d.ts', 'verify-project.d.ts'])
      expect(existsSync(join(installed, 'dist', 'lib', 'api', file))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'lib', 'cli', 'render', 'json.d.ts'))).toBe(true);
  });

  it("resolves the package managers' gates by their export names (vouch/pnpmfile, vouch/yarn-plugin, vouch/bun-scanner)", async () => {
    const script = [
      "const { createRequire } = require('node:module');",
      "const pnpmfile = require('vouch/pnpmfile');",
      "const plugin = require('vouch/yarn-plugin');",
      "import('vouch/bun-scanner').then((m) => console.log(JSON.stringify({",
      '  pnpm: Object.keys(pnpmfile.hooks ?? {}).sort(), yarn: plugin.name, bun: m.scanner?.version,',
      '})));',
    ].join('\n');
    await writeFile(join(consumer, 'gates.cjs'), script);
    const result = await run(process.execPath, ['gates.cjs'], consumer);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ pnpm: ['afterAllResolved', 'preResolution'], yarn: expect.stringContaining('vouch'), bun: '1' });
  });

  it('type-checks a strict TypeScript consumer against the shipped .d.ts (nodenext), typos included as errors', async () => {
    const tsc = packagePath('node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      packagePath('node_modules', '@types'),
      'consumer.ts',
    ];
    const result = await run(process.execPath, args, consumer);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

    // The same file with a field the report does not have: the declarations are real types, not `any`.
    await writeFile(join(consumer, 'typo.ts'), `${CONSUMER_TS}\nexport const n: number = (await verifyProject('.')).summary.packagez;\n`);
    const typo = await run(process.execPath, [...args.slice(0, -1), 'typo.ts'], consumer);
    expect(typo.code).not.toBe(0);
    expect(typo.stdout).toContain('packagez');
  });

  it('verifyProject returns what `vouch verify --format json` prints, prints nothing, and throws VouchError (exit 2) on a bad policy', async () => {
    const badPolicy = join(await registry.tempDir('bad-policy'), 'p');
    await writeProject(badPolicy, { dependencies: { 'api-dep': '1.0.0' } });
    await writeFile(join(badPolicy, 'package-lock.json'), await readFile(join(project, 'package-lock.json')));
    await writeFile(join(badPolicy, 'vouch.policy.json'), '{ "rules": [ }');
    await freshEnv();

    const { results, process: ran } = await consumerRun([project, badPolicy], []);
    expect([ran.stdout, ran.stderr]).toEqual(['', '']);
    const report = projectReport(results.projects[0]);
    expect(report.decision, JSON.stringify(report.packages.map((p) => p.findings))).toBe('allow');
    expect(report.packages.map((p) => [p.name, p.status, p.evidence.signature])).toEqual([
      ['api-dep', 'verified', { kind: 'verified', keyids: [registry.keyid] }],
    ]);
    expect(results.projects[1]).toEqual({ error: { code: 'POLICY_PARSE', exitCode: 2, isVouchError: true } });

    const cli = await cliVerify(project);
    expect(cli.code, explain({ ...cli, json: cli.report })).toBe(0);
    expect(report).toEqual(cli.report);
  });

  it("verifyProject denies a signature tampered with in the registry's storage, with the codes `vouch verify` gives", async () => {
    const file = recordsFile(registry.storage, 'api-dep');
    const records = JSON.parse(await readFile(file, 'utf8')) as { versions: Record<string, { sig: string }> };
    records.versions['1.0.0']!.sig = Buffer.alloc(70, 1).toString('base64');
    await writeFile(file, JSON.stringify(records));

    await freshEnv(); // evidence of immutable versions is cached: the signature must be fetched again
    const { results } = await consumerRun([project], []);
    const report = projectReport(results.projects[0]);
    expect(report.decision).toBe('deny');
    expect(denied(report)).toEqual([['api-dep@1.0.0', ['SIGNATURE_INVALID']]]);
    const cli = await cliVerify(project);
    expect(cli.code).toBe(1);
    expect(denied(cli.report)).toEqual(denied(report));
    expect(report).toEqual(cli.report);
  });

  it('verifyBundle verifies real public-good bundles, keyless and keyed, and refuses tampered copies', async () => {
    const tarball = fixture('bundles', 'tarballs-playwright-cli-0.1.1.tgz');
    const provenance = fixture('bundles', '02-playwright-cli-0.1.1.provenance.sigstore.json');
    const publish = fixture('bundles', '03-playwright-cli-0.1.1.publish.sigstore.json');
    const { keys } = JSON.parse(await readFile(fixture('bundles', 'npm-registry-keys.json'), 'utf8')) as {
      keys: { keyId: string; publicKey: { rawBytes: string } }[];
    };
    const npmKey = keys.find((k) => k.keyId === NPM_KEY)!.publicKey.rawBytes;

    const tampered = join(work, 'tampered');
    await mkdir(tampered);
    const tamperedProvenance = join(tampered, 'provenance.sigstore.json');
    const tamperedPublish = join(tampered, 'publish.sigstore.json');
    await writeFile(tamperedProvenance, await withPayloadByteFlipped(provenance));
    await writeFile(tamperedPublish, await withPayloadByteFlipped(publish));
    const tamperedTarball = join(tampered, 'cli-0.1.1.tgz');
    const bytes = await readFile(tarball);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(tamperedTarball, bytes);

    const keyless = { identity: PLAYWRIGHT };
    const keyed = { key: { publicKey: npmKey, keyid: NPM_KEY } };
    await freshEnv();
    const { results } = await consumerRun(
      [],
      [
        { bundleFile: provenance, artifactFile: tarball, options: keyless },
        { bundleFile: publish, artifactFile: tarball, options: keyed },
        {
          bundleFile: fixture('rekor-v2', 'sigstore-js-v3-hashedrekord-0.0.2.sigstore.json'),
          options: {
            digest: { algorithm: 'sha256', hex: '68e656b251e67e8358bef8483ab0d51c6619f3e7a1a9f0e75838d41ff368f728' },
            identity: { issuer: 'https://github.com/login/oauth', san: 'brian@dehamer.com' },
          },
        },
        { bundleFile: tamperedProvenance, artifactFile: tarball, options: keyless },
        { bundleFile: tamperedPublish, artifactFile: tarball, options: keyed },
        { bundleFile: provenance, artifactFile: tamperedTarball, options: keyless },
        { bundleFile: provenance, artifactFile: tarball, options: { identity: { ...PLAYWRIGHT, repository: 'https://github.com/microsoft/playwright' } } },
      ],
    );
    const [keylessOk, keyedOk, messageOk, ...refused] = results.bundles;
    expect(keylessOk).toMatchObject({
      ok: { signer: { kind: 'certificate', identity: { repository: PLAYWRIGHT.repository } }, signedTime: { source: 'tlog' }, trustRoot: 'public-good' },
    });
    expect(keyedOk).toMatchObject({ ok: { signer: { kind: 'key', keyid: NPM_KEY }, signedTime: { source: 'tlog' } } });
    expect(messageOk).toMatchObject({ ok: { signer: { kind: 'certificate' }, signedTime: { source: 'tsa' } } });
    expect(refused.map((r) => ('error' in r ? [r.error.code, r.error.exitCode] : 'verified'))).toEqual([
      ['BUNDLE_SIGNATURE', 1],
      ['BUNDLE_SIGNATURE', 1],
      ['BUNDLE_DIGEST', 1],
      ['BUNDLE_IDENTITY', 1],
    ]);
  });
});

/** The bundle with one space added to its signed DSSE payload, before the predicate: the same statement, other bytes. */
async function withPayloadByteFlipped(file: string): Promise<string> {
  const bundle = JSON.parse(await readFile(file, 'utf8')) as { dsseEnvelope: { payload: string } };
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
  const at = payload.lastIndexOf('"predicate"');
  const changed = `${payload.slice(0, at)}"predicate" ${payload.slice(at + '"predicate"'.length)}`;
  bundle.dsseEnvelope.payload = Buffer.from(changed).toString('base64');
  return JSON.stringify(bundle);
}
