// `vouch sign --keyless` and `--rekor-url` through the real @sigstore/sign clients (FulcioSigner,
// RekorWitness) against a private Sigstore deployment served on 127.0.0.1 (test/support/
// private-sigstore-servers.ts), verified by lib/verify and by @sigstore/verify with its trusted root.
// Public-good Fulcio and Rekor cannot be reached from here; this is the same code path with other URLs.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { statementOf } from '../../lib/sign/index.js';
import {
  AttestationVerifier,
  PREDICATE_PUBLISHER,
  PREDICATE_SLSA_V1,
  checkAttestations,
  publicGoodRoot,
  trustRootFromBytes,
  trustRootSet,
  type AttestationResult,
} from '../../lib/verify/index.js';
import { npmEnv } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { pastPublishTime } from '../support/registry-storage.js';
import { startSigstoreServers, type SigstoreServers } from '../support/private-sigstore-servers.js';
import { githubIdentity } from '../support/provenance.js';
import { runVouch } from '../support/vouch.js';
import { withoutCi } from '../support/maintainer.js';

let sigstore: PrivateSigstore;
let servers: SigstoreServers;
let work: string;
let baseEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  sigstore = await createPrivateSigstore();
  servers = await startSigstoreServers(sigstore);
  work = await mkdtemp(join(tmpdir(), 'vouch-keyless-'));
  baseEnv = withoutCi(await npmEnv(join(work, 'npm-state')));
});

afterAll(async () => {
  await servers?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const identity = githubIdentity('acme/widget', { ref: 'refs/tags/v3.1.0', runId: '4242' });

describe('vouch sign --keyless against a private Fulcio and Rekor', () => {
  it('gets a certificate for the GitHub Actions token, logs the signature, and lib/verify reads the identity from the certificate', async () => {
    const dir = await fresh('gha', { name: '@acme/widget', version: '3.1.0' });
    const env = { ...baseEnv, ...servers.githubEnv(identity) };
    const signed = await runVouch(['sign', '.', '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl, '--json'], { cwd: dir, env });
    expect(signed.code, signed.stderr).toBe(0);
    const summary = signed.json as { bundle: string; tarball: string; predicateType: string; logIndex?: string };
    expect(summary.predicateType).toBe(PREDICATE_SLSA_V1);
    expect(summary.logIndex).toBeDefined();
    expect(servers.requests.token).toBeGreaterThan(0);

    const bundleJson: unknown = JSON.parse(await readFile(summary.bundle, 'utf8'));
    const tarball = await readFile(summary.tarball);
    const result = verifyBundle(bundleJson, '@acme/widget', '3.1.0', tarball);
    expect(result.kind).toBe('verified');
    const provenance = result.kind === 'verified' ? result.provenance : undefined;
    expect(provenance?.identity).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
      repository: 'https://github.com/acme/widget',
      repositoryId: identity.repositoryId,
      ownerId: identity.ownerId,
      ref: 'refs/tags/v3.1.0',
      workflow: '.github/workflows/release.yml',
    });
    expect(provenance?.integratedTime).toBeInstanceOf(Date);

    // The statement is npm's GitHub Actions SLSA v1 statement, over the tarball's exact sha512.
    const statement = statementOf(bundleJson as Parameters<typeof statementOf>[0]);
    expect(statement.subject).toEqual([{ name: 'pkg:npm/%40acme/widget@3.1.0', digest: { sha512: sha512Hex(tarball) } }]);
    expect(statement.predicate).toMatchObject({
      buildDefinition: {
        externalParameters: { workflow: { ref: 'refs/tags/v3.1.0', repository: 'https://github.com/acme/widget', path: '.github/workflows/release.yml' } },
      },
      runDetails: { metadata: { invocationId: 'https://github.com/acme/widget/actions/runs/4242/attempts/1' } },
    });

    // And @sigstore/verify alone accepts it with the private trusted root (no SCTs: ctlogThreshold 0).
    const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot)), { ctlogThreshold: 0 });
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(bundleJson)), {
      subjectAlternativeName: '^https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@refs/tags/v3\\.1\\.0$',
      extensions: { issuer: 'https://token.actions.githubusercontent.com' },
    });
    expect(signer.identity?.subjectAlternativeName).toBe('https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v3.1.0');
  });

  it('takes the token from SIGSTORE_ID_TOKEN (GitLab CI id_tokens) and writes the GitLab build as SLSA v1', async () => {
    const dir = await fresh('gitlab', { name: 'gl-widget', version: '1.0.0' });
    const env = {
      ...baseEnv,
      CI: 'true',
      GITLAB_CI: 'true',
      CI_PROJECT_URL: 'https://gitlab.com/acme/gl-widget',
      CI_RUNNER_ID: '77',
      CI_COMMIT_SHA: identity.commit,
      CI_JOB_NAME: 'publish',
      CI_JOB_URL: 'https://gitlab.com/acme/gl-widget/-/jobs/9',
      SIGSTORE_ID_TOKEN: servers.issueToken(identity),
    };
    const signed = await runVouch(['sign', '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl, '--json'], { cwd: dir, env });
    expect(signed.code, signed.stderr).toBe(0);
    const summary = signed.json as { bundle: string; tarball: string };
    const bundleJson: unknown = JSON.parse(await readFile(summary.bundle, 'utf8'));
    expect(verifyBundle(bundleJson, 'gl-widget', '1.0.0', await readFile(summary.tarball)).kind).toBe('verified');
    expect(statementOf(bundleJson as Parameters<typeof statementOf>[0]).predicate).toMatchObject({
      buildDefinition: {
        buildType: 'https://github.com/npm/cli/gitlab/v0alpha1',
        resolvedDependencies: [{ uri: 'git+https://gitlab.com/acme/gl-widget', digest: { gitCommit: identity.commit } }],
      },
      runDetails: {
        builder: { id: 'https://gitlab.com/acme/gl-widget/-/runners/77' },
        metadata: { invocationId: 'https://gitlab.com/acme/gl-widget/-/jobs/9' },
      },
    });
  });

  it('fails with SIGN_FAILED and writes no bundle when Fulcio refuses the token, without printing the token', async () => {
    const dir = await fresh('refused', { name: 'refused-widget', version: '1.0.0' });
    const token = servers.issueToken(identity, { foreign: true });
    const env = { ...baseEnv, ...servers.githubEnv(identity), SIGSTORE_ID_TOKEN: token };
    const before = servers.requests.fulcio;
    const signed = await runVouch(['sign', '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl], { cwd: dir, env });
    expect(signed.code).toBe(1);
    expect(signed.stderr).toContain('SIGN_FAILED');
    expect(servers.requests.fulcio).toBe(before);
    expect(existsSync(join(dir, 'refused-widget-1.0.0.sigstore'))).toBe(false);
    const output = signed.stdout + signed.stderr;
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split('.')[2]!);
  });

  it('refuses --keyless outside CI (no build to describe), exit 2', async () => {
    const dir = await fresh('no-ci', { name: 'no-ci-widget', version: '1.0.0' });
    const signed = await runVouch(['sign', '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl], {
      cwd: dir,
      env: { ...baseEnv, SIGSTORE_ID_TOKEN: servers.issueToken(identity) },
    });
    expect(signed.code).toBe(2);
    expect(signed.stderr).toContain('USAGE');
  });
});

describe('vouch sign --key with --rekor-url (a witness binds the signature to a time)', () => {
  it('logs the key signature; lib/verify reports the signed log time with the private root, and refuses it without that root', async () => {
    const dir = await fresh('witnessed', { name: 'witnessed', version: '2.0.0' });
    const keys = join(work, 'witness-keys');
    expect((await runVouch(['keygen', '--out', keys, '--type', 'p256'], { cwd: work, env: baseEnv })).code).toBe(0);
    const signed = await runVouch(['sign', '--key', join(keys, 'vouch-publisher.key'), '--rekor-url', servers.rekorUrl, '--json'], { cwd: dir, env: baseEnv });
    expect(signed.code, signed.stderr).toBe(0);
    const summary = signed.json as { bundle: string; tarball: string; keyid: string; predicateType: string };
    expect(summary.predicateType).toBe(PREDICATE_PUBLISHER);
    const bundleJson: unknown = JSON.parse(await readFile(summary.bundle, 'utf8'));
    const tarball = await readFile(summary.tarball);

    const result = verifyBundle(bundleJson, 'witnessed', '2.0.0', tarball);
    expect(result.kind).toBe('verified');
    const publisher = result.kind === 'verified' ? result.publisher : undefined;
    expect(publisher?.keyid).toBe(summary.keyid);
    expect(publisher?.integratedTime).toBeInstanceOf(Date);
    expect(Math.abs(publisher!.integratedTime!.getTime() - Date.now())).toBeLessThan(120_000);

    // A log no trusted root lists is not a time anyone vouches for.
    const untrusted = verifyBundle(bundleJson, 'witnessed', '2.0.0', tarball, false);
    expect(untrusted).toMatchObject({ kind: 'failed', code: 'ATTESTATION_INVALID' });
  });
});

describe('vouch publish --keyless to the registry, installed with an identity policy', () => {
  let registry: TestRegistry;
  let past: SigstoreServers;
  let env: NodeJS.ProcessEnv;
  let rootFile: string;
  const repo = githubIdentity('acme/keyless-lib');

  beforeAll(async () => {
    registry = await startRegistry();
    env = withoutCi(await registry.npmEnv(await registry.tempDir('npm-state')));
    // Published a month ago, as an installed dependency is: Fulcio and Rekor of a deployment whose clock
    // is in the past (the log time is the release time vouch's default minReleaseAge reads), and the
    // registry's publish time dated back the same way.
    const pastSigstore = await createPrivateSigstore({ clock: () => pastPublishTime() });
    past = await startSigstoreServers(pastSigstore);
    rootFile = join(work, 'private.trusted_root.json');
    await writeFile(rootFile, pastSigstore.trustedRootJSON);
    const dir = await writePackage(await registry.tempDir('pkg'), { name: 'keyless-lib', version: '1.0.0' });
    const published = await runVouch(['publish', dir, '--keyless', '--fulcio-url', past.fulcioUrl, '--rekor-url', past.rekorUrl], {
      cwd: work,
      env: { ...env, ...past.githubEnv(repo) },
    });
    expect(published.code, published.stderr).toBe(0);
    await registry.backdate('keyless-lib', ['1.0.0']);
  });

  afterAll(async () => {
    await past?.close();
    await registry?.stop();
  });

  async function install(label: string, repository: string) {
    const project = await registry.tempDir(label);
    await writeProject(project, { dependencies: { 'keyless-lib': '1.0.0' } });
    await writeFile(
      join(project, 'vouch.policy.json'),
      JSON.stringify({
        rules: [
          {
            packages: 'keyless-lib',
            provenance: 'require',
            identity: { issuer: 'https://token.actions.githubusercontent.com', repository, workflow: '.github/workflows/release.yml' },
          },
        ],
      }),
    );
    return runVouch(['install', '--trusted-root', rootFile, '--format', 'json'], { cwd: project, env });
  }

  it('allows it when the policy names the repository and workflow in the certificate', async () => {
    const result = await install('consumer-ok', 'https://github.com/acme/keyless-lib');
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const pkg = (result.json as { packages: { name: string; decision: string }[] }).packages.find((p) => p.name === 'keyless-lib');
    expect(pkg?.decision).toBe('allow');
  });

  it('denies it with IDENTITY_MISMATCH when the policy names another repository', async () => {
    const result = await install('consumer-other', 'https://github.com/acme/other-lib');
    expect(result.code).toBe(1);
    const pkg = (result.json as { packages: { name: string; decision: string; findings: { code: string }[] }[] }).packages.find(
      (p) => p.name === 'keyless-lib',
    );
    expect(pkg?.decision).toBe('deny');
    expect(pkg?.findings.map((f) => f.code)).toContain('IDENTITY_MISMATCH');
  });
});

function verifyBundle(bundle: unknown, name: string, version: string, tarball: Buffer, withPrivateRoot = true): AttestationResult {
  const roots = [publicGoodRoot(), ...(withPrivateRoot ? [trustRootFromBytes('private', sigstore.trustedRootJSON)] : [])];
  const predicateType = statementOf(bundle as Parameters<typeof statementOf>[0]).predicateType;
  return checkAttestations({
    name,
    version,
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    advertised: { url: `/-/npm/v1/attestations/${name}@${version}`, provenance: { predicateType } },
    response: { kind: 'found', body: { attestations: [{ predicateType, bundle }] } },
    keys: [],
    verifier: new AttestationVerifier(trustRootSet(roots)),
    now: new Date(),
  });
}

async function fresh(label: string, spec: { name: string; version: string }): Promise<string> {
  const root = join(work, label);
  await mkdir(root, { recursive: true });
  return writePackage(root, spec);
}

function sha512Hex(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('hex');
}
