// The maintainer round trip on the real plugin-enabled Verdaccio: vouch keygen → vouch publish (sign,
// then PUT with the .sigstore attachment) → `vouch install` in a fresh project whose vouch.policy.json
// pins publisher keys (rules[].publisherKeys), judged by the same lib/verify + lib/policy consumers use.
// Also: the bundle verifies with @sigstore/verify alone, its subject is the sha512 of `npm pack`'s
// tarball, a bundle over another tarball is denied, and no output carries key material or the token.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, type TrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPublishBody, readTarball, statementOf } from '../../lib/sign/index.js';
import { PREDICATE_PUBLISHER, PREDICATE_SLSA_V1, PUBLISHER_KEY_BYPRODUCT } from '../../lib/verify/index.js';
import { packTarball } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { githubActionsEnv } from '../support/private-sigstore-servers.js';
import { writeProject } from '../support/project.js';
import { githubIdentity } from '../support/provenance.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';
import { withoutCi } from '../support/maintainer.js';

interface KeyInfo {
  keyid: string;
  privateKeyFile: string;
  publicKeyFile: string;
}
interface ReportPackage {
  name: string;
  version: string;
  decision: string;
  findings: { code: string; severity: string; message: string }[];
}

let registry: TestRegistry;
let env: NodeJS.ProcessEnv;
let work: string;
let keyA: KeyInfo;
let keyB: KeyInfo;
const outputs: VouchResult[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  work = await registry.tempDir('maintainer');
  env = withoutCi(await registry.npmEnv(await registry.tempDir('npm-state')));
  keyA = await keygen('key-a', 'ed25519');
  keyB = await keygen('key-b', 'p256');
});

afterAll(() => registry?.stop());

describe('keygen', () => {
  it('writes the private key 0600 as PKCS#8 PEM and refuses to overwrite it (exit 2)', async () => {
    expect((await stat(keyA.privateKeyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(keyA.privateKeyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const before = await readFile(keyA.privateKeyFile);
    const again = await vouch(['keygen', '--out', join(work, 'key-a')], work);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('KEY_FILE');
    expect(await readFile(keyA.privateKeyFile)).toEqual(before);
  });
});

describe('publish → install with pinned publisher keys', () => {
  let published: { bundle: string; tarball: string; keyid: string; predicateType: string };
  let pkgDir: string;

  beforeAll(async () => {
    pkgDir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/signed-lib', version: '1.0.0', files: { 'lib/data.txt': 'signed\n' } });
    const result = await vouch(['publish', pkgDir, '--key', keyA.privateKeyFile, '--json', '--', '--access', 'public'], work);
    expect(result.code, result.stderr).toBe(0);
    published = result.json as typeof published;
    await registry.backdate('@acme/signed-lib', ['1.0.0']); // installed below as a release of some age is
  });

  it('publishes the tarball with a publisher attestation the registry serves next to its own', async () => {
    expect(published.predicateType).toBe(PREDICATE_PUBLISHER);
    expect(published.keyid).toBe(keyA.keyid);
    // Named as npm pack names the tarball (scope flattened), the bundle beside it.
    expect(published.tarball).toBe(join(work, 'acme-signed-lib-1.0.0.tgz'));
    expect(published.bundle).toBe(join(work, 'acme-signed-lib-1.0.0.sigstore'));
    const packument = await registry.get('@acme%2fsigned-lib');
    const dist = (packument.json as { versions: Record<string, { dist: { integrity: string; attestations?: { url: string } } }> }).versions['1.0.0']!.dist;
    expect(dist.integrity).toBe(
      `sha512-${createHash('sha512')
        .update(await readFile(published.tarball))
        .digest('base64')}`,
    );
    expect(dist.attestations?.url).toContain('/-/npm/v1/attestations/');
    const served = await registry.get('-/npm/v1/attestations/%40acme%2fsigned-lib@1.0.0');
    const types = (served.json as { attestations: { predicateType: string }[] }).attestations.map((a) => a.predicateType).sort();
    expect(types).toContain(PREDICATE_PUBLISHER);
    // Served byte for byte as signed.
    const entry = (served.json as { attestations: { predicateType: string; bundle: unknown }[] }).attestations.find(
      (a) => a.predicateType === PREDICATE_PUBLISHER,
    );
    expect(entry?.bundle).toEqual(JSON.parse(await readFile(published.bundle, 'utf8')));
  });

  it('signs the exact tarball npm pack produces, and @sigstore/verify alone verifies the bundle with the publisher key', async () => {
    const npmPacked = await packTarball(pkgDir);
    expect(await readFile(published.tarball)).toEqual(npmPacked);
    const bundleJson: unknown = JSON.parse(await readFile(published.bundle, 'utf8'));
    const statement = statementOf(bundleJson as Parameters<typeof statementOf>[0]);
    expect(statement.subject).toEqual([{ name: 'pkg:npm/%40acme/signed-lib@1.0.0', digest: { sha512: createHash('sha512').update(npmPacked).digest('hex') } }]);

    const publicKey = createPublicKey(await readFile(keyA.publicKeyFile, 'utf8'));
    const material: TrustMaterial = {
      certificateAuthorities: [],
      timestampAuthorities: [],
      tlogs: [],
      ctlogs: [],
      publicKey: (hint) => {
        if (hint !== keyA.keyid) throw new Error(`unknown key ${hint}`);
        return { publicKey, validFor: () => true };
      },
    };
    const verifier = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    expect(verifier.verify(toSignedEntity(bundleFromJSON(bundleJson))).key.equals(publicKey)).toBe(true);

    // The same bundle with one byte of the statement changed does not verify.
    const tampered = structuredClone(bundleJson) as { dsseEnvelope: { payload: string } };
    tampered.dsseEnvelope.payload = Buffer.from(
      Buffer.from(tampered.dsseEnvelope.payload, 'base64').toString('utf8').replace('signed-lib', 'signed-lid'),
    ).toString('base64');
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tampered)))).toThrow();
  });

  it('vouch install allows it when the policy pins the signing key, and records the key in vouch.lock', async () => {
    const project = await consumer('allowed', '@acme/signed-lib', [keyA.keyid]);
    const result = await vouch(['install', '--format', 'json'], project);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(packageOf(result, '@acme/signed-lib').decision).toBe('allow');
    expect(existsSync(join(project, 'node_modules', '@acme', 'signed-lib', 'lib', 'data.txt'))).toBe(true);
    expect(await readFile(join(project, 'vouch.lock'), 'utf8')).toContain(keyA.keyid);
  });

  it('vouch install denies it with PUBLISHER_KEY_MISMATCH naming both key ids when another key is pinned, and installs nothing', async () => {
    const project = await consumer('other-key', '@acme/signed-lib', [keyB.keyid]);
    const result = await vouch(['install', '--format', 'json'], project);
    expect(result.code).toBe(1);
    const pkg = packageOf(result, '@acme/signed-lib');
    expect(pkg.decision).toBe('deny');
    const finding = pkg.findings.find((f) => f.code === 'PUBLISHER_KEY_MISMATCH');
    expect(finding?.severity).toBe('deny');
    expect(finding?.message).toContain(keyA.keyid);
    expect(finding?.message).toContain(keyB.keyid);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('denies a version whose published tarball is not the one the bundle signed (ATTESTATION_SUBJECT)', async () => {
    // Sign one tarball, then publish different bytes of the same name@version with that bundle attached.
    const signedDir = await writePackage(await registry.tempDir('swap-a'), { name: 'swapped-lib', version: '1.0.0', files: { 'x.js': 'good\n' } });
    const signed = await vouch(['sign', signedDir, '--key', keyA.privateKeyFile, '--json'], work);
    expect(signed.code, signed.stderr).toBe(0);
    const bundle = JSON.parse(await readFile((signed.json as { bundle: string }).bundle, 'utf8')) as Parameters<typeof buildPublishBody>[0]['bundle'];
    const otherDir = await writePackage(await registry.tempDir('swap-b'), { name: 'swapped-lib', version: '1.0.0', files: { 'x.js': 'evil\n' } });
    const otherFile = join(work, 'swapped-other.tgz');
    await writeFile(otherFile, await packTarball(otherDir));
    const other = await readTarball(otherFile, {});
    const put = await registry.put(
      'swapped-lib',
      buildPublishBody({ manifest: other.manifest, tarball: other.tarball, bundle, registry: registry.url, tag: 'latest', access: null }),
    );
    expect(put.status).toBe(201);

    const project = await consumer('swapped', 'swapped-lib', [keyA.keyid]);
    const result = await vouch(['install', '--format', 'json'], project);
    expect(result.code).toBe(1);
    const pkg = packageOf(result, 'swapped-lib');
    expect(pkg.decision).toBe('deny');
    expect(pkg.findings.map((f) => f.code)).toContain('ATTESTATION_SUBJECT');
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('a key-signed build in GitHub Actions publishes SLSA v1 carrying the key, and the pin allows it', async () => {
    const dir = await writePackage(await registry.tempDir('gha'), { name: 'ci-signed-lib', version: '2.0.0' });
    const ciEnv = { ...env, ...githubActionsEnv(githubIdentity('acme/ci-signed-lib')), VOUCH_TEST_KEY: await readFile(keyB.privateKeyFile, 'utf8') };
    const result = await runVouch(['publish', dir, '--key-env', 'VOUCH_TEST_KEY', '--json'], { cwd: work, env: ciEnv });
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    const summary = result.json as { predicateType: string; bundle: string; keyid: string };
    expect(summary.predicateType).toBe(PREDICATE_SLSA_V1);
    expect(summary.keyid).toBe(keyB.keyid);
    const statement = statementOf(JSON.parse(await readFile(summary.bundle, 'utf8')) as Parameters<typeof statementOf>[0]);
    expect((statement.predicate as { runDetails: { byproducts: { name: string }[] } }).runDetails.byproducts.map((b) => b.name)).toEqual([
      PUBLISHER_KEY_BYPRODUCT,
    ]);
    await registry.backdate('ci-signed-lib', ['2.0.0']);

    const project = await consumer('ci-signed', 'ci-signed-lib', [keyB.keyid]);
    const install = await vouch(['install', '--format', 'json'], project);
    expect(install.code, install.stderr + install.stdout).toBe(0);
    expect(packageOf(install, 'ci-signed-lib').decision).toBe('allow');
  });
});

describe('publish -- --dry-run', () => {
  it('signs but uploads nothing', async () => {
    const dir = await writePackage(await registry.tempDir('dry'), { name: 'dry-lib', version: '1.0.0' });
    const result = await vouch(['publish', dir, '--key', keyA.privateKeyFile, '--json', '--', '--dry-run'], work);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ published: false, keyid: keyA.keyid });
    expect(existsSync(join(work, 'dry-lib-1.0.0.sigstore'))).toBe(true);
    expect((await registry.get('dry-lib')).status).toBe(404);
  });
});

describe('a key packed by mistake', () => {
  it('refuses to publish a package whose tarball contains the signing key: exit 1, nothing uploaded, no tarball left', async () => {
    const dir = await writePackage(await registry.tempDir('leaky'), {
      name: 'leaky-lib',
      version: '1.0.0',
      files: { 'keys/publisher.key': await readFile(keyA.privateKeyFile, 'utf8') },
    });
    const result = await vouch(['publish', dir, '--key', keyA.privateKeyFile], work);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SIGN_FAILED');
    expect((await registry.get('leaky-lib')).status).toBe(404);
    expect(existsSync(join(work, 'leaky-lib-1.0.0.tgz'))).toBe(false);
  });
});

describe('secrets', () => {
  it('no output of keygen, sign or publish carries private key material or the registry token', async () => {
    expect(outputs.length).toBeGreaterThan(4);
    const text = outputs.map((o) => o.stdout + o.stderr).join('\n');
    for (const key of [keyA, keyB]) {
      const pem = await readFile(key.privateKeyFile, 'utf8');
      const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
      const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
      const secret = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).d!, 'base64url');
      for (const needle of [
        body,
        body.slice(0, 40),
        body.slice(-40),
        der.toString('base64'),
        der.toString('hex'),
        secret.toString('base64'),
        secret.toString('base64url'),
        secret.toString('hex'),
      ]) {
        expect(text).not.toContain(needle);
      }
    }
    expect(text).not.toContain(registry.token);
  });
});

async function keygen(label: string, type: string): Promise<KeyInfo> {
  const result = await vouch(['keygen', '--out', join(work, label), '--type', type, '--json'], work);
  expect(result.code, result.stderr).toBe(0);
  return result.json as KeyInfo;
}

/** A fresh consumer project depending on `name`, with a policy pinning `keyids` for it. */
async function consumer(label: string, name: string, keyids: string[]): Promise<string> {
  const dir = await registry.tempDir(`consumer-${label}`);
  await writeProject(dir, { dependencies: { [name]: '*' } });
  await writeFile(
    join(dir, 'vouch.policy.json'),
    `${JSON.stringify(
      {
        rules: [{ packages: name, publisherKeys: keyids.map((keyid) => ({ keyid })) }],
      },
      null,
      2,
    )}\n`,
  );
  return dir;
}

function packageOf(result: VouchResult, name: string): ReportPackage {
  const report = result.json as { packages?: ReportPackage[] } | undefined;
  const pkg = report?.packages?.find((p) => p.name === name);
  if (!pkg) throw new Error(`no report entry for ${name}:\n${result.stdout}\n${result.stderr}`);
  return pkg;
}

async function vouch(args: string[], cwd: string): Promise<VouchResult> {
  const result = await runVouch(args, { cwd, env });
  outputs.push(result);
  return result;
}
