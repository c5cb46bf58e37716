// `vouch verify --attest` and `vouch verify-summary`: a project installed by the real npm from the signing
// registry is verified and a signed verification summary (SLSA VSA v1, DSSE bundle) written; the summary
// passes the deploy gate only for that project as it is. Each test tampers with one real thing (the
// lockfile, a file in node_modules, the payload, the signature, the key, the policy, the verdict) and sees
// the refusal and its code.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { keygen, maintainerEnv, withoutCi, type MaintainerKey } from '../support/maintainer.js';
import { startSigstoreServers } from '../support/private-sigstore-servers.js';
import { githubIdentity } from '../support/provenance.js';
import { writePackage } from '../support/packages.js';
import { copyProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

interface SummaryJson {
  verified: boolean;
  problems: { code: string; message: string }[];
  signer?: { kind: string; keyid?: string };
  summary?: { verificationResult: string; decision: string; subjects: string[] };
}

interface Statement {
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

let registry: TestRegistry;
let project: string;
let ciKey: MaintainerKey;
let otherKey: MaintainerKey;
/** Signed over the lockfile and node_modules of `project`. */
let summaryFile: string;
/** Signed over the lockfile alone. */
let lockOnlyFile: string;

beforeAll(async () => {
  registry = await startRegistry();
  const packages = await registry.tempDir('packages');
  await registry.publish(await writePackage(packages, { name: 'att-b', version: '1.0.0' }));
  await registry.publish(await writePackage(packages, { name: 'att-a', version: '1.0.0', dependencies: { 'att-b': '^1.0.0' } }));
  await registry.publish(await writePackage(packages, { name: 'att-new', version: '1.0.0' }), undefined, { fresh: true }); // younger than a day: denied
  const keysEnv = await maintainerEnv(registry);
  ciKey = await keygen(registry, keysEnv, 'ci-key');
  otherKey = await keygen(registry, keysEnv, 'other-key');

  project = await installedProject('project', { 'att-a': '1.0.0' });
  const init = await vouch(['policy', 'init'], project); // vouch.policy.json and vouch.lock: both bound by the summary
  expect(init.code, init.stderr).toBe(0);
  summaryFile = join(await registry.tempDir('summaries'), 'summary.json');
  const attested = await vouch(['verify', '--attest', summaryFile, '--attest-tree', '--key', ciKey.privateKeyFile], project);
  expect(attested.code, attested.stdout + attested.stderr).toBe(0);
  expect(attested.stderr).toContain('PASSED');
  lockOnlyFile = join(await registry.tempDir('summaries'), 'lock-only.json');
  const lockOnly = await vouch(['verify', '--attest', lockOnlyFile, '--key', ciKey.privateKeyFile], project);
  expect(lockOnly.code, lockOnly.stdout + lockOnly.stderr).toBe(0);
}, 300_000);

afterAll(() => registry?.stop());

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' }) });
}

/** A project with these dependencies, installed by the real npm (package-lock.json and node_modules). */
async function installedProject(label: string, dependencies: Record<string, string>): Promise<string> {
  const dir = join(await registry.tempDir(label), 'project');
  await writeProject(dir, { dependencies });
  const installed = await registry.npm(['install', '--no-audit', '--no-fund'], {
    cwd: dir,
    stateDir: await registry.tempDir('npm-state'),
    retries: 'npm-default',
  });
  expect(installed.code, installed.stderr).toBe(0);
  return dir;
}

/** `vouch verify-summary FILE --json …` in `cwd`. */
async function gate(file: string, cwd: string, ...args: string[]): Promise<{ result: VouchResult; json: SummaryJson }> {
  const result = await vouch(['verify-summary', file, '--json', ...args], cwd);
  return { result, json: result.json as SummaryJson };
}

async function copy(label: string): Promise<string> {
  return copyProject(project, join(await registry.tempDir(label), 'project'));
}

function statementOf(bundle: { dsseEnvelope: { payload: string } }): Statement {
  return JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as Statement;
}

async function readBundle(file: string): Promise<{ dsseEnvelope: { payload: string; signatures: { sig: string }[] } }> {
  return JSON.parse(await readFile(file, 'utf8')) as { dsseEnvelope: { payload: string; signatures: { sig: string }[] } };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const codes = (json: SummaryJson): string[] => json.problems.map((p) => p.code);

describe('vouch verify --attest', () => {
  it('signs an SLSA VSA v1 statement over the lockfile and node_modules, naming the policy and vouch.lock digests', async () => {
    const statement = statementOf(await readBundle(summaryFile));
    expect(statement.predicateType).toBe('https://slsa.dev/verification_summary/v1');
    expect(statement.subject.map((s) => s.name)).toEqual(['package-lock.json', 'node_modules']);
    const lockfile = await readFile(join(project, 'package-lock.json'));
    expect(statement.subject[0]!.digest).toEqual({ sha256: sha256(lockfile), sha512: createHash('sha512').update(lockfile).digest('hex') });
    const p = statement.predicate;
    expect(p['verificationResult']).toBe('PASSED');
    expect(p['verifier']).toMatchObject({ id: 'https://vouch.dev/verifier' });
    expect(p['resourceUri']).toBe('pkg:npm/consumer@1.0.0');
    expect(p['policy']).toEqual({ uri: 'vouch.policy.json', digest: { sha256: sha256(await readFile(join(project, 'vouch.policy.json'))) } });
    // The registry signs every version; nothing has provenance, so no SLSA build level is claimed.
    expect(p['verifiedLevels']).toEqual(['VOUCH_INTEGRITY_VERIFIED', 'VOUCH_SIGNATURES_VERIFIED']);
    expect(p['dependencyLevels']).toEqual({ SLSA_BUILD_LEVEL_0: 2 });
    const details = p['https://vouch.dev/verification_summary/details/v0.1'] as Record<string, unknown>;
    expect(details['decision']).toBe('allow');
    expect(details['lock']).toEqual({ uri: 'vouch.lock', digest: { sha256: sha256(await readFile(join(project, 'vouch.lock'))) } });
    expect(details['packages']).toMatchObject({ total: 2, allowed: 2, denied: 0 });
  });

  it("refuses key flags without --attest (exit 2): on verify, --key is the summary's signing key", async () => {
    const result = await vouch(['verify', '--key', ciKey.privateKeyFile], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--attest');
  });

  it('refuses --attest without a way to sign, before verifying anything (exit 2)', async () => {
    const result = await vouch(['verify', '--attest', join(await registry.tempDir('x'), 's.json')], project);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('say how to sign');
  });
});

describe('vouch verify-summary', () => {
  it("accepts the summary with the signer's public key, for the project as it was verified (exit 0)", async () => {
    const { result, json } = await gate(summaryFile, project, '--key', ciKey.publicKeyFile!, '--tree');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(json.verified).toBe(true);
    expect(json.problems).toEqual([]);
    expect(json.signer).toEqual({ kind: 'key', keyid: ciKey.keyid });
    expect(json.summary).toMatchObject({ verificationResult: 'PASSED', decision: 'allow', subjects: ['package-lock.json', 'node_modules'] });
    const text = await vouch(['verify-summary', summaryFile, '--key', ciKey.publicKeyFile!], project);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('verified');
  });

  it('refuses a lockfile changed since (SUMMARY_SUBJECT)', async () => {
    const dir = await copy('lockfile-changed');
    const file = join(dir, 'package-lock.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"lockfileVersion": 3', '"lockfileVersion": 3 '));
    const { result, json } = await gate(summaryFile, dir, '--key', ciKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['SUMMARY_SUBJECT']);
    expect(json.problems[0]!.message).toContain('package-lock.json changed');
  });

  it('refuses a file in node_modules changed since, when the summary binds the tree; --tree requires that it does', async () => {
    const dir = await copy('tree-changed');
    const file = join(dir, 'node_modules', 'att-b', 'index.js');
    await writeFile(file, `${await readFile(file, 'utf8')}require('child_process');\n`);
    const bound = await gate(summaryFile, dir, '--key', ciKey.publicKeyFile!);
    expect(bound.result.code).toBe(1);
    expect(codes(bound.json)).toEqual(['SUMMARY_SUBJECT']);
    expect(bound.json.problems[0]!.message).toContain('node_modules changed');
    // The lockfile-only summary says nothing about node_modules: it passes, unless the gate asks for the tree.
    expect((await gate(lockOnlyFile, dir, '--key', ciKey.publicKeyFile!)).result.code).toBe(0);
    const required = await gate(lockOnlyFile, dir, '--key', ciKey.publicKeyFile!, '--tree');
    expect(required.result.code).toBe(1);
    expect(codes(required.json)).toEqual(['SUMMARY_SUBJECT']);
  });

  it('refuses a summary whose payload was changed after signing (BUNDLE_SIGNATURE)', async () => {
    const bundle = await readBundle(summaryFile);
    const statement = statementOf(bundle);
    statement.predicate['verificationResult'] = 'PASSED';
    (statement.predicate['https://vouch.dev/verification_summary/details/v0.1'] as Record<string, unknown>)['decision'] = 'allow';
    statement.subject = statement.subject.slice(0, 1); // drop node_modules: a forger's way around a changed tree
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const forged = join(await registry.tempDir('forged'), 'summary.json');
    await writeFile(forged, JSON.stringify(bundle));
    const { result, json } = await gate(forged, project, '--key', ciKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['BUNDLE_SIGNATURE']);
  });

  it('refuses a summary whose signature was changed (BUNDLE_SIGNATURE)', async () => {
    const bundle = await readBundle(summaryFile);
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 1]! ^= 0x01;
    bundle.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    const forged = join(await registry.tempDir('bad-sig'), 'summary.json');
    await writeFile(forged, JSON.stringify(bundle));
    const { result, json } = await gate(forged, project, '--key', ciKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['BUNDLE_SIGNATURE']);
  });

  it('refuses a summary signed by another key than the one given', async () => {
    const { result, json } = await gate(summaryFile, project, '--key', otherKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['BUNDLE_SIGNER']);
    // The same key id with the other key's bytes: the signature itself does not verify.
    const swapped = join(await registry.tempDir('swapped'), 'summary.json');
    const bundle = JSON.parse(await readFile(summaryFile, 'utf8')) as { verificationMaterial: { publicKey: { hint: string } } };
    bundle.verificationMaterial.publicKey.hint = otherKey.keyid;
    await writeFile(swapped, JSON.stringify(bundle));
    const other = await gate(swapped, project, '--key', otherKey.publicKeyFile!);
    expect(other.result.code).toBe(1);
    expect(codes(other.json)).toEqual(['BUNDLE_SIGNATURE']);
  });

  it('refuses a summary made under another vouch.policy.json (SUMMARY_POLICY)', async () => {
    const dir = await copy('policy-changed');
    const file = join(dir, 'vouch.policy.json');
    const policy = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, `${JSON.stringify({ ...policy, minReleaseAge: 0 }, null, 2)}\n`);
    const { result, json } = await gate(summaryFile, dir, '--key', ciKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['SUMMARY_POLICY']);
  });

  it('refuses the summary of a denied verification (SUMMARY_FAILED), which verify --attest still writes', async () => {
    const dir = await installedProject('denied', { 'att-new': '1.0.0' });
    const file = join(await registry.tempDir('summaries'), 'failed.json');
    const verified = await vouch(['verify', '--attest', file, '--key', ciKey.privateKeyFile], dir);
    expect(verified.code, verified.stdout + verified.stderr).toBe(1);
    expect(verified.stderr).toContain('FAILED');
    const statement = statementOf(await readBundle(file));
    expect(statement.predicate['verificationResult']).toBe('FAILED');
    expect(statement.predicate['verifiedLevels']).toEqual([]);
    const { result, json } = await gate(file, dir, '--key', ciKey.publicKeyFile!);
    expect(result.code).toBe(1);
    expect(codes(json)).toEqual(['SUMMARY_FAILED']);
  });

  it('exits 2 for a summary that is missing or not JSON, and without a signer to check', async () => {
    expect((await vouch(['verify-summary', join(project, 'nope.json'), '--key', ciKey.publicKeyFile!], project)).code).toBe(2);
    const notJson = join(await registry.tempDir('not-json'), 'summary.json');
    await writeFile(notJson, 'not json');
    expect((await vouch(['verify-summary', notJson, '--key', ciKey.publicKeyFile!], project)).code).toBe(2);
    expect((await vouch(['verify-summary', summaryFile], project)).code).toBe(2);
  });
});

describe('keyless summaries', () => {
  it('signs with a Fulcio certificate in CI; the gate checks the workflow identity against the trusted root', async () => {
    const sigstore = await createPrivateSigstore({ seed: 'verify-attest' });
    const servers = await startSigstoreServers(sigstore);
    try {
      const dir = await registry.tempDir('keyless');
      const rootFile = join(dir, 'private.trusted_root.json');
      await writeFile(rootFile, sigstore.trustedRootJSON);
      const identity = githubIdentity('acme/app', { ref: 'refs/heads/main' });
      const env = {
        ...withoutCi(await registry.npmEnv(await registry.tempDir('vouch-state'), { retries: 'npm-default' })),
        SIGSTORE_ID_TOKEN: servers.issueToken(identity),
      };
      const file = join(dir, 'summary.json');
      const signed = await runVouch(['verify', '--attest', file, '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl], {
        cwd: project,
        env,
      });
      expect(signed.code, signed.stdout + signed.stderr).toBe(0);

      const issuer = ['--identity-issuer', 'https://token.actions.githubusercontent.com', '--trusted-root', rootFile];
      const ok = await gate(file, project, ...issuer, '--identity-repository', 'https://github.com/acme/app', '--identity-ref', 'refs/heads/*');
      expect(ok.result.code, ok.result.stdout + ok.result.stderr).toBe(0);
      expect(ok.json.signer?.kind).toBe('certificate');
      const otherRepo = await gate(file, project, ...issuer, '--identity-repository', 'https://github.com/acme/other');
      expect(otherRepo.result.code).toBe(1);
      expect(codes(otherRepo.json)).toEqual(['BUNDLE_IDENTITY']);
      const untrusted = await gate(
        file,
        project,
        '--identity-issuer',
        'https://token.actions.githubusercontent.com',
        '--identity-repository',
        'https://github.com/acme/app',
      );
      expect(untrusted.result.code).toBe(1);
      expect(codes(untrusted.json)).toEqual(['BUNDLE_SIGNATURE']);
      const byKey = await gate(file, project, '--key', ciKey.publicKeyFile!);
      expect(codes(byKey.json)).toEqual(['BUNDLE_SIGNER']);
    } finally {
      await servers.close();
    }
  });
});
