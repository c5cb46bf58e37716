// verifyBundle (lib/api) on real public-good bundles (fixtures/real: npm provenance and publish attestations,
// bundle v0.1 to v0.3, Rekor v1 and v2, SET and TSA times), one single-defect copy per failure, and a keyed
// message signature made here. Asserts codes, never message text.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyBundle, VouchError, type VerifyBundleOptions } from '../../../lib/api/index.js';
import { fixture, INTEGRITY, readJson } from '../verify/attestations-fixtures.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const PLAYWRIGHT = {
  issuer: GITHUB,
  repository: 'https://github.com/microsoft/playwright-cli',
  workflow: '.github/workflows/publish.yml',
  ref: 'refs/tags/v*',
};
const tarball = readFileSync(fixture('real/bundles/tarballs-playwright-cli-0.1.1.tgz'));
const provenance = () => readJson('real/bundles/02-playwright-cli-0.1.1.provenance.sigstore.json') as Json;
const publish = () => readJson('real/bundles/03-playwright-cli-0.1.1.publish.sigstore.json') as Json;
const HELLO = Buffer.from('hello, world!');
const hashedrekord = () => readJson('real/rekor-v2/sigstore-js-v3-hashedrekord-0.0.2.sigstore.json') as Json;
const SIGSTORE_JS_SIGNER = { issuer: 'https://github.com/login/oauth', san: 'brian@dehamer.com' };

/** The fields these tests edit; the rest of each bundle passes through as read. */
interface Json {
  dsseEnvelope: { signatures: { sig: string }[] };
  messageSignature: { signature: string };
  [field: string]: unknown;
}
function flipByte(base64: string, at: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[at] = bytes[at]! ^ 1;
  return bytes.toString('base64');
}
const sha = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest('hex');

function npmKey(keyid: string): string {
  const { keys } = readJson('real/bundles/npm-registry-keys.json') as { keys: { keyId: string; keyUsage: string; publicKey: { rawBytes: string } }[] };
  const key = keys.find((k) => k.keyId === keyid && k.keyUsage === 'npm:attestations');
  if (!key) throw new Error(`no npm key ${keyid}`);
  return key.publicKey.rawBytes;
}
const NEW_NPM_KEY = 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U';
const OLD_NPM_KEY = 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA';

async function codeOf(bundle: unknown, options: VerifyBundleOptions): Promise<string> {
  try {
    await verifyBundle(bundle, options);
  } catch (err) {
    if (err instanceof VouchError) return err.code;
    throw err;
  }
  return 'verified';
}

describe('verifyBundle, keyless', () => {
  it("verifies npm provenance (bundle v0.3, DSSE) against the tarball, with the certificate identity and the log's signed time", async () => {
    const result = await verifyBundle(JSON.stringify(provenance()), { artifact: tarball, identity: PLAYWRIGHT });
    expect(result.signer).toMatchObject({ kind: 'certificate', identity: { issuer: GITHUB, repository: PLAYWRIGHT.repository, ref: 'refs/tags/v0.1.1' } });
    expect(result.content).toMatchObject({ kind: 'dsse', statement: { predicateType: 'https://slsa.dev/provenance/v1' } });
    expect(result.signedTime?.source).toBe('tlog');
    expect(result.trustRoot).toBe('public-good');
    expect(result.logEntries).toMatchObject([{ kind: 'dsse', kindVersion: '0.0.1', hasInclusionProof: true }]);
  });

  it("verifies a bundle v0.1 (SLSA v0.2) against the subject's sha512 digest alone", async () => {
    const hex = Buffer.from(INTEGRITY['sigstore@1.3.0'].slice('sha512-'.length), 'base64').toString('hex');
    const result = await verifyBundle(readJson('real/bundles/07-sigstore-1.3.0.provenance.sigstore.json'), {
      digest: { algorithm: 'sha512', hex },
      identity: { issuer: GITHUB, repository: 'https://github.com/sigstore/sigstore-js' },
    });
    expect(result.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.1');
  });

  it('verifies a Rekor v2 message signature against the artifact and against its sha256, timed by the TSA', async () => {
    const byArtifact = await verifyBundle(hashedrekord(), { artifact: HELLO, identity: SIGSTORE_JS_SIGNER });
    expect(byArtifact).toMatchObject({
      content: { kind: 'message-signature', digest: { algorithm: 'sha256', hex: sha('sha256', HELLO) } },
      signedTime: { source: 'tsa' },
    });
    expect(byArtifact.logEntries).toMatchObject([{ kind: 'hashedrekord', kindVersion: '0.0.2', integratedTime: null }]);
    const byDigest = await verifyBundle(hashedrekord(), { digest: { algorithm: 'sha256', hex: sha('sha256', HELLO) }, identity: SIGSTORE_JS_SIGNER });
    expect(byDigest.signer).toEqual(byArtifact.signer);
  });

  it('refuses another artifact, another digest, another identity, a tampered signature and a non-in-toto DSSE payload', async () => {
    const other = Buffer.from(tarball);
    other[100] = other[100]! ^ 1;
    expect(await codeOf(provenance(), { artifact: other, identity: PLAYWRIGHT })).toBe('BUNDLE_DIGEST');
    expect(await codeOf(hashedrekord(), { artifact: Buffer.from('hello, world?'), identity: SIGSTORE_JS_SIGNER })).toBe('BUNDLE_DIGEST');
    expect(await codeOf(hashedrekord(), { digest: { algorithm: 'sha512', hex: sha('sha512', HELLO) }, identity: SIGSTORE_JS_SIGNER })).toBe('BUNDLE_DIGEST');
    expect(await codeOf(provenance(), { artifact: tarball, identity: { ...PLAYWRIGHT, repository: 'https://github.com/microsoft/playwright' } })).toBe(
      'BUNDLE_IDENTITY',
    );
    // Anchored: a prefix of the real value is not a match, and neither is a regex that would match it.
    expect(await codeOf(provenance(), { artifact: tarball, identity: { issuer: GITHUB, repository: 'https://github.com/microsoft/' } })).toBe(
      'BUNDLE_IDENTITY',
    );
    expect(await codeOf(provenance(), { artifact: tarball, identity: { issuer: GITHUB, repository: 'https://github.com/microsoft/.*' } })).toBe(
      'BUNDLE_IDENTITY',
    );
    expect(await codeOf(provenance(), { artifact: tarball, identity: { ...PLAYWRIGHT, ref: 'refs/heads/*' } })).toBe('BUNDLE_IDENTITY');
    const forged = provenance();
    const [dsse] = forged.dsseEnvelope.signatures;
    dsse!.sig = flipByte(dsse!.sig, 20);
    expect(await codeOf(forged, { artifact: tarball, identity: PLAYWRIGHT })).toBe('BUNDLE_SIGNATURE');
    const forgedMessage = hashedrekord();
    forgedMessage.messageSignature.signature = flipByte(forgedMessage.messageSignature.signature, 10);
    expect(await codeOf(forgedMessage, { digest: { algorithm: 'sha256', hex: sha('sha256', HELLO) }, identity: SIGSTORE_JS_SIGNER })).toBe('BUNDLE_SIGNATURE');
    expect(await codeOf(readJson('real/rekor-v2/sigstore-js-v3-dsse-0.0.2.sigstore.json'), { artifact: HELLO, identity: SIGSTORE_JS_SIGNER })).toBe(
      'BUNDLE_STATEMENT',
    );
  });

  it('refuses a bundle no given root can verify, and a key for a certificate bundle', async () => {
    const privateRoot = fixture('made/private.trusted_root.json');
    expect(await codeOf(provenance(), { artifact: tarball, identity: PLAYWRIGHT, trustedRoots: [privateRoot] })).toBe('BUNDLE_SIGNATURE');
    expect(await codeOf(provenance(), { artifact: tarball, identity: PLAYWRIGHT, trustedRoots: [privateRoot, 'public-good'] })).toBe('verified');
    expect(await codeOf(provenance(), { artifact: tarball, key: { publicKey: npmKey(NEW_NPM_KEY) } })).toBe('BUNDLE_SIGNER');
  });
});

describe('verifyBundle, keyed', () => {
  it("verifies npm's publish attestation (bundle v0.2, DSSE) with npm's key, and refuses it with another key or key id", async () => {
    const result = await verifyBundle(publish(), { artifact: tarball, key: { publicKey: npmKey(NEW_NPM_KEY), keyid: NEW_NPM_KEY } });
    expect(result).toMatchObject({ signer: { kind: 'key', keyid: NEW_NPM_KEY }, signedTime: { source: 'tlog' }, trustRoot: 'public-good' });
    expect(await codeOf(publish(), { artifact: tarball, key: { publicKey: npmKey(OLD_NPM_KEY) } })).toBe('BUNDLE_SIGNATURE');
    expect(await codeOf(publish(), { artifact: tarball, key: { publicKey: npmKey(NEW_NPM_KEY), keyid: OLD_NPM_KEY } })).toBe('BUNDLE_SIGNER');
    expect(await codeOf(publish(), { artifact: tarball, identity: PLAYWRIGHT })).toBe('BUNDLE_SIGNER');
  });

  it('verifies a keyed message signature with no log entry (over the artifact and over its digest) and refuses a forged one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const artifact = Buffer.from('a release artifact\n');
    const bundle = (signature: Buffer) => ({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'release-key' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
      messageSignature: {
        messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(artifact).digest('base64') },
        signature: signature.toString('base64'),
      },
    });
    const good = bundle(sign('sha256', artifact, privateKey));
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await verifyBundle(good, { artifact, key: { publicKey: pem } })).toMatchObject({
      signer: { kind: 'key', keyid: 'release-key' },
      signedTime: null,
      trustRoot: null,
    });
    expect(await codeOf(good, { digest: { algorithm: 'sha256', hex: sha('sha256', artifact) }, key: { publicKey } })).toBe('verified');
    expect(await codeOf(bundle(sign('sha256', Buffer.from('something else'), privateKey)), { artifact, key: { publicKey: pem } })).toBe('BUNDLE_SIGNATURE');
    expect(
      await codeOf(bundle(sign('sha256', Buffer.from('something else'), privateKey)), {
        digest: { algorithm: 'sha256', hex: sha('sha256', artifact) },
        key: { publicKey: pem },
      }),
    ).toBe('BUNDLE_SIGNATURE');
  });
});

describe('verifyBundle input and options', () => {
  it('throws USAGE (exit 2) for ambiguous options and BUNDLE_MALFORMED / BUNDLE_TOO_LARGE for what is not a bundle', async () => {
    const err = await verifyBundle(provenance(), { artifact: tarball, identity: PLAYWRIGHT, key: { publicKey: npmKey(NEW_NPM_KEY) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VouchError);
    expect([(err as VouchError).code, (err as VouchError).exitCode]).toEqual(['USAGE', 2]);
    expect(await codeOf(provenance(), { identity: PLAYWRIGHT } as VerifyBundleOptions)).toBe('USAGE');
    expect(await codeOf(provenance(), { artifact: tarball, identity: { issuer: GITHUB } })).toBe('USAGE');
    expect(await codeOf(provenance(), { digest: { algorithm: 'sha512', hex: 'abc' }, identity: PLAYWRIGHT })).toBe('USAGE');
    expect(await codeOf('{"mediaType":', { artifact: tarball, identity: PLAYWRIGHT })).toBe('BUNDLE_MALFORMED');
    expect(await codeOf({ ...provenance(), mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' }, { artifact: tarball, identity: PLAYWRIGHT })).toBe(
      'BUNDLE_MALFORMED',
    );
    expect(await codeOf('x'.repeat(300 * 1024), { artifact: tarball, identity: PLAYWRIGHT })).toBe('BUNDLE_TOO_LARGE');
    expect(await codeOf(provenance(), { artifact: tarball, identity: PLAYWRIGHT, trustedRoots: ['/nonexistent/root.json'] })).toBe('TRUSTED_ROOT');
  });
});
