// `--signer-command`: a small script stands in for a KMS/HSM client. It reads the bytes to sign on stdin,
// signs them with a key vouch never sees, and prints the signature in the encodings real KMS tools use.
// The bundles go through lib/verify; a wrong key or a failing signer stops `vouch publish` before upload.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttestationVerifier, PREDICATE_PUBLISHER, checkAttestations, trustRootSet, type AttestationResult } from '../../lib/verify/index.js';
import { writePackage } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

// The stand-in KMS: KMS_KEY_FILE holds the private key; KMS_OUTPUT picks how the signature is printed.
const KMS_SCRIPT = `
import { readFileSync } from 'node:fs';
import { createHash, createPrivateKey, sign } from 'node:crypto';
const data = readFileSync(0);
if (process.env.VOUCH_SIGN_SHA256 !== createHash('sha256').update(data).digest('hex')) { console.error('digest env mismatch'); process.exit(4); }
if (process.env.KMS_OUTPUT === 'fail') { console.error('kms: access denied for this role'); process.exit(3); }
const key = createPrivateKey(readFileSync(process.env.KMS_KEY_FILE, 'utf8'));
const ed = key.asymmetricKeyType === 'ed25519';
switch (process.env.KMS_OUTPUT) {
  case 'raw-p1363': process.stdout.write(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })); break;
  case 'raw': process.stdout.write(sign(ed ? null : 'sha256', data, key)); break;
  default: process.stdout.write(sign(ed ? null : 'sha256', data, key).toString('base64') + '\\n');
}
`;

interface KeyInfo {
  keyid: string;
  privateKeyFile: string;
  publicKeyFile: string;
}

let registry: TestRegistry;
let env: NodeJS.ProcessEnv;
let work: string;
let script: string;
let p256: KeyInfo;
let ed25519: KeyInfo;
let other: KeyInfo;
const outputs: VouchResult[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  work = await registry.tempDir('kms');
  env = await registry.npmEnv(await registry.tempDir('npm-state'));
  for (const k of Object.keys(env)) if (/^(GITHUB_ACTIONS|GITLAB_CI)$/.test(k)) delete env[k];
  script = join(work, 'kms.mjs');
  await writeFile(script, KMS_SCRIPT);
  p256 = await keygen('p256', 'p256');
  ed25519 = await keygen('ed25519', 'ed25519');
  other = await keygen('other', 'p256');
});

afterAll(() => registry?.stop());

describe('vouch sign --signer-command', () => {
  for (const [label, key, output] of [
    ['P-256, base64 DER (AWS/GCP KMS, openssl)', () => p256, 'base64-der'],
    ['P-256, raw r||s bytes (PKCS#11, Azure Key Vault)', () => p256, 'raw-p1363'],
    ['Ed25519, raw bytes', () => ed25519, 'raw'],
  ] as const) {
    it(`round-trips a signature from an external signer: ${label}`, async () => {
      const dir = await writePackage(await registry.tempDir(`sign-${output}`), { name: `kms-${output}`, version: '1.0.0' });
      const result = await sign(dir, key(), { KMS_KEY_FILE: key().privateKeyFile, KMS_OUTPUT: output });
      expect(result.code, result.stderr).toBe(0);
      const summary = result.json as { bundle: string; tarball: string; keyid: string; predicateType: string };
      expect(summary.keyid).toBe(key().keyid);
      expect(summary.predicateType).toBe(PREDICATE_PUBLISHER);
      const verified = verifyBundle(JSON.parse(await readFile(summary.bundle, 'utf8')), `kms-${output}`, await readFile(summary.tarball));
      expect(verified.kind).toBe('verified');
      expect(verified.kind === 'verified' ? verified.publisher?.keyid : undefined).toBe(key().keyid);
    });
  }

  it('fails with SIGN_FAILED and writes no bundle when the command signs with another key than --public-key', async () => {
    const dir = await writePackage(await registry.tempDir('wrong-key'), { name: 'kms-wrong', version: '1.0.0' });
    const result = await sign(dir, p256, { KMS_KEY_FILE: other.privateKeyFile, KMS_OUTPUT: 'base64-der' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SIGN_FAILED');
    expect(existsSync(join(work, 'kms-wrong-1.0.0.sigstore'))).toBe(false);
  });
});

describe('vouch publish --signer-command', () => {
  it('publishes with the external signature, and the registry serves the publisher attestation', async () => {
    const dir = await writePackage(await registry.tempDir('publish-ok'), { name: 'kms-published', version: '1.0.0' });
    const result = await run(['publish', dir, '--signer-command', `node ${JSON.stringify(script)}`, '--public-key', p256.publicKeyFile, '--json'], {
      KMS_KEY_FILE: p256.privateKeyFile,
    });
    expect(result.code, result.stderr).toBe(0);
    const served = await registry.get('-/npm/v1/attestations/kms-published@1.0.0');
    expect(served.status).toBe(200);
    const entries = (served.json as { attestations: { predicateType: string; bundle: unknown }[] }).attestations;
    const bundle = entries.find((e) => e.predicateType === PREDICATE_PUBLISHER)?.bundle;
    const tarball = (await registry.get('kms-published/-/kms-published-1.0.0.tgz', '*/*')).bytes;
    expect(verifyBundle(bundle, 'kms-published', tarball).kind).toBe('verified');
  });

  it("refuses to publish when the signer fails: exit 1, nothing uploaded, the signer's first stderr line shown", async () => {
    const dir = await writePackage(await registry.tempDir('publish-fail'), { name: 'kms-refused', version: '1.0.0' });
    const result = await run(['publish', dir, '--signer-command', `node ${JSON.stringify(script)}`, '--public-key', p256.publicKeyFile], {
      KMS_KEY_FILE: p256.privateKeyFile,
      KMS_OUTPUT: 'fail',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SIGN_FAILED');
    expect(result.stderr).toContain('access denied for this role');
    expect((await registry.get('kms-refused')).status).toBe(404);
  });

  it('never shows the signing key in any output', async () => {
    const text = outputs.map((o) => o.stdout + o.stderr).join('\n');
    for (const key of [p256, ed25519, other]) {
      const body = (await readFile(key.privateKeyFile, 'utf8')).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
      expect(text).not.toContain(body.slice(0, 40));
      expect(text).not.toContain(body.slice(-40));
    }
  });
});

function sign(dir: string, key: KeyInfo, extra: Record<string, string>): Promise<VouchResult> {
  return run(['sign', dir, '--signer-command', `node ${JSON.stringify(script)}`, '--public-key', key.publicKeyFile, '--json'], extra);
}

async function run(args: string[], extra: Record<string, string> = {}): Promise<VouchResult> {
  const result = await runVouch(args, { cwd: work, env: { ...env, ...extra } });
  outputs.push(result);
  return result;
}

async function keygen(label: string, type: string): Promise<KeyInfo> {
  const result = await run(['keygen', '--out', join(work, label), '--type', type, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return result.json as KeyInfo;
}

function verifyBundle(bundle: unknown, name: string, tarball: Buffer): AttestationResult {
  return checkAttestations({
    name,
    version: '1.0.0',
    integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
    advertised: { url: `/-/npm/v1/attestations/${name}@1.0.0` },
    response: { kind: 'found', body: { attestations: [{ predicateType: PREDICATE_PUBLISHER, bundle }] } },
    keys: [],
    verifier: new AttestationVerifier(trustRootSet([])),
    now: new Date(),
  });
}
