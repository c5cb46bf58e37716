// Hostile Sigstore bundles, end to end: one case per category through a real signing registry and
// `vouch install`, the bundle rewritten by the hostile registry (or minted with a defective certificate
// by the private Sigstore deployment and published). The many single-defect variants of each category
// are unit tests (test/unit/verify/attestations-negative.test.ts, identity.test.ts, attestations.test.ts);
// here the point is that the whole pipeline denies, quickly, and writes nothing.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type GithubIdentity, type LeafOptions, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { ATTESTATION_LIMITS } from '../../lib/verify/checkpoint-guard.js';
import { PREDICATE_SLSA_V1 } from '../../lib/verify/types.js';
import { packTarball } from '../support/npm.js';
import { publishBody, sigstoreAttachment, writePackage } from '../support/packages.js';
import { snapshotProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { findingCodes, jsonReport, startWorld, type World } from './world.js';

let world: World;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let attestationsOfB: string;

const OID = (n: number): string => `1.3.6.1.4.1.57264.1.${n}`;
const derUtf8 = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0c, bytes.length]), bytes]);
};

beforeAll(async () => {
  world = await startWorld('bundles');
  sigstore = await createPrivateSigstore();
  trustedRoot = join(world.work, 'trusted-root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  const src = await world.registry.tempDir('packages');
  await publishWithProvenance(world.registry, await writePackage(src, { name: '@acme/b', version: '1.0.0' }), sigstore, githubIdentity('acme/b'));
  // Two answers to "which repository": the CA signed a second .12 extension naming another repository.
  await publishWithLeaf(await writePackage(src, { name: '@acme/dupext', version: '1.0.0' }), githubIdentity('acme/dupext'), {
    extraExtensions: [{ oid: OID(12), value: derUtf8('https://github.com/evil/dupext') }],
  });
  // A source-repository extension that is not a DER UTF8String (raw bytes), on a legacy-claims certificate.
  await publishWithLeaf(await writePackage(src, { name: '@acme/badext', version: '1.0.0' }), githubIdentity('acme/badext'), {
    legacy: true,
    extraExtensions: [{ oid: OID(12), value: Buffer.from('https://github.com/acme/badext') }],
  });
  const doc = (await world.registry.get('@acme%2fb')).json as { versions: Record<string, { dist: { attestations: { url: string } } }> };
  attestationsOfB = new URL(doc.versions['1.0.0']!.dist.attestations.url).pathname;
});

afterAll(() => world?.stop());

beforeEach(() => world.hostile.reset());

/** publishWithProvenance with a say over the leaf certificate the bundle carries. */
async function publishWithLeaf(dir: string, identity: GithubIdentity, leaf: Omit<LeafOptions, 'at'>): Promise<void> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const tarball = await packTarball(dir);
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const bundle = await sigstore.mintProvenance({ ...manifest, integrity, identity, leaf });
  const put = await world.registry.put(
    encodeURIComponent(manifest.name),
    publishBody({
      ...manifest,
      tarball,
      registry: world.registry.url,
      manifest,
      attachments: { [`${manifest.name}-${manifest.version}.sigstore`]: sigstoreAttachment(JSON.stringify(bundle)) },
    }),
  );
  if (put.status !== 201) throw new Error(`publishing ${manifest.name} failed: ${put.status} ${put.text}`);
}

/** Rewrites the provenance bundle of @acme/b as the hostile registry serves it. */
function rewriteProvenance(edit: (bundle: Record<string, unknown>) => void): void {
  world.hostile.on(attestationsOfB, {
    kind: 'json',
    rewrite: (body) => {
      const doc = body as { attestations: { predicateType: string; bundle: Record<string, unknown> }[] };
      const provenance = doc.attestations.find((a) => a.predicateType === PREDICATE_SLSA_V1);
      if (!provenance) throw new Error('no provenance bundle to rewrite');
      edit(provenance.bundle);
      return doc;
    },
  });
}

async function install(spec: string) {
  const dir = await world.project(spec.replace(/[@/]/g, '_'));
  const before = await snapshotProject(dir);
  const result = await world.vouch(['install', spec, '--trusted-root', trustedRoot, '--format', 'json'], dir);
  return { result, unchanged: async () => expect(await snapshotProject(dir)).toEqual(before) };
}

describe('hostile bundles through a real registry', () => {
  it('control: the untouched provenance of @acme/b verifies and installs', async () => {
    const { result } = await install('@acme/b@1.0.0');
    expect(result.code, result.stderr).toBe(0);
    expect(world.hostile.count(attestationsOfB)).toBe(1);
  });

  it('an oversized bundle is ATTESTATION_TOO_LARGE before any Sigstore code reads it', async () => {
    rewriteProvenance((bundle) => void (bundle['padding'] = 'A'.repeat(ATTESTATION_LIMITS.maxBundleBytes + 1024)));
    const run = await install('@acme/b@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/b')).toEqual(['ATTESTATION_TOO_LARGE']);
    await run.unchanged();
  });

  it('a response nested 400,000 deep is ATTESTATION_TOO_LARGE: parsed and measured without recursion, no stack overflow', async () => {
    const depth = 400_000;
    const body = `{"attestations":[{"predicateType":"${PREDICATE_SLSA_V1}","bundle":{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","x":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`;
    world.hostile.on(attestationsOfB, { kind: 'body', body, type: 'application/json' });
    const run = await install('@acme/b@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/b')).toEqual(['ATTESTATION_TOO_LARGE']);
    await run.unchanged();
  });

  it('a checkpoint whose signer name is a catastrophic regular expression is refused at once (no ReDoS in @sigstore/verify)', async () => {
    rewriteProvenance((bundle) => {
      const entries = (bundle['verificationMaterial'] as { tlogEntries: { inclusionProof: { checkpoint: { envelope: string } } }[] }).tlogEntries;
      const checkpoint = entries[0]!.inclusionProof.checkpoint;
      expect(checkpoint.envelope).toMatch(/\u2014 rekor\.vouch\.test /);
      checkpoint.envelope = checkpoint.envelope.replace(/\u2014 rekor\.vouch\.test /, '\u2014 (.*.*)*x ');
    });
    const run = await install('@acme/b@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/b')).toEqual(['ATTESTATION_INVALID']);
    // @sigstore/verify 3.1.1 evaluating that name as a RegExp burns ~120 s of CPU; vouch's whole run is seconds
    expect(run.result.ms).toBeLessThan(10_000);
    await run.unchanged();
  });

  it('a bundle of an unknown media type is ATTESTATION_INVALID', async () => {
    rewriteProvenance((bundle) => void (bundle['mediaType'] = 'application/vnd.dev.sigstore.bundle.v9.9+json'));
    const run = await install('@acme/b@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/b')).toEqual(['ATTESTATION_INVALID']);
    await run.unchanged();
  });

  it('a certificate that repeats an identity extension (two repositories) is ATTESTATION_INVALID, never a pick of one', async () => {
    const run = await install('@acme/dupext@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/dupext')).toEqual(['ATTESTATION_INVALID']);
    await run.unchanged();
  });

  it('a certificate with a malformed identity extension is ATTESTATION_INVALID', async () => {
    const run = await install('@acme/badext@1.0.0');
    expect(run.result.code, run.result.stderr).toBe(1);
    expect(findingCodes(jsonReport(run.result), '@acme/badext')).toEqual(['ATTESTATION_INVALID']);
    await run.unchanged();
  });
});
