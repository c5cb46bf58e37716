// Attestations through the plugin: a publish carrying a real `.sigstore` provenance bundle (with the real
// tarball it describes) round-trips byte for byte, and the registry adds its own publish attestation,
// which verifies with @sigstore/verify against the registry key and the registry's signing log.
import { createHash, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../lib/config/package-root.js';
import { packTarball } from '../support/npm.js';
import { publishBody, sigstoreAttachment, writePackage } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const PUBLISH_PREDICATE = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const bundles = packagePath('fixtures', 'real', 'bundles');

type Attestations = { attestations: { predicateType: string; bundle: Record<string, unknown> }[] };
type Statement = { _type: string; subject: { name: string; digest: { sha512: string } }[]; predicateType: string; predicate: unknown };

let registry: TestRegistry;
let tarball: Buffer;
let provenanceText: string;

beforeAll(async () => {
  registry = await startRegistry();
  tarball = await readFile(join(bundles, 'tarballs-playwright-cli-0.1.1.tgz'));
  provenanceText = await readFile(join(bundles, '02-playwright-cli-0.1.1.provenance.sigstore.json'), 'utf8');
  const put = await registry.put(
    '@playwright%2fcli',
    publishBody({
      name: '@playwright/cli',
      version: '0.1.1',
      tarball,
      registry: registry.url,
      attachments: { '@playwright/cli-0.1.1.sigstore': sigstoreAttachment(provenanceText) },
    }),
  );
  expect(put.status, put.text).toBe(201);
});

afterAll(() => registry?.stop());

describe('attestations', () => {
  it('advertises the stored bundle in dist.attestations next to the registry signature', async () => {
    const packument = (await registry.get('@playwright%2fcli')).json as { versions: Record<string, { dist: Record<string, unknown> }> };
    const dist = packument.versions['0.1.1']!.dist;
    expect(dist['attestations']).toEqual({
      url: `${registry.url}-/npm/v1/attestations/%40playwright%2Fcli@0.1.1`,
      provenance: { predicateType: SLSA_V1 },
    });
    expect(dist['signatures']).toHaveLength(1);
  });

  it('serves the publisher bundle byte-identical to the one sent, whether the name arrives encoded or not', async () => {
    const encoded = await registry.get('-/npm/v1/attestations/%40playwright%2Fcli@0.1.1');
    const plain = await registry.get('-/npm/v1/attestations/@playwright/cli@0.1.1');
    expect(encoded.status).toBe(200);
    expect(plain.bytes.equals(encoded.bytes)).toBe(true);
    expect(encoded.text).toContain(`"bundle":${provenanceText}}`);
    const body = encoded.json as Attestations;
    expect(body.attestations.map((a) => a.predicateType)).toEqual([PUBLISH_PREDICATE, SLSA_V1]);
    expect(body.attestations[1]!.bundle).toEqual(JSON.parse(provenanceText));
  });

  it('adds a publish attestation over the tarball digest that verifies against the registry key', async () => {
    const body = (await registry.get('-/npm/v1/attestations/%40playwright%2Fcli@0.1.1')).json as Attestations;
    const bundle = body.attestations[0]!.bundle;
    const statement = JSON.parse(Buffer.from((bundle['dsseEnvelope'] as { payload: string }).payload, 'base64').toString()) as Statement;
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'pkg:npm/%40playwright/cli@0.1.1', digest: { sha512: createHash('sha512').update(tarball).digest('hex') } }],
      predicateType: PUBLISH_PREDICATE,
      predicate: { name: '@playwright/cli', version: '0.1.1', registry: registry.url.replace(/\/$/, '') },
    });
    // npm (pacote) finds the registry key through the DSSE signature's keyid.
    expect(bundle['dsseEnvelope']).toMatchObject({ signatures: [{ keyid: registry.keyid }] });
    expect(bundle['verificationMaterial']).toMatchObject({ publicKey: { hint: registry.keyid } });
    const verifier = await registryKeyVerifier();
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(bundle)))).not.toThrow();

    const tampered = structuredClone(bundle) as { dsseEnvelope: { payload: string } };
    tampered.dsseEnvelope.payload = Buffer.from(JSON.stringify({ ...statement, predicate: { name: 'other' } })).toString('base64');
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tampered)))).toThrow();
  });

  it('answers 404 for a version without attestations and leaves its dist.attestations out', async () => {
    await registry.publish(await writePackage(await registry.tempDir('plain'), { name: 'no-bundle', version: '1.0.0' }));
    expect((await registry.get('-/npm/v1/attestations/no-bundle@1.0.0')).status).toBe(404);
    const packument = (await registry.get('no-bundle')).json as { versions: Record<string, { dist: Record<string, unknown> }> };
    expect(packument.versions['1.0.0']!.dist['attestations']).toBeUndefined();
  });

  it('rejects with 400 a .sigstore attachment that is not JSON, or too large, and stores nothing', async () => {
    const packed = await packTarball(await writePackage(await registry.tempDir('bad'), { name: 'bad-bundle', version: '1.0.0' }));
    const notJson = await registry.put(
      'bad-bundle',
      publishBody({
        name: 'bad-bundle',
        version: '1.0.0',
        tarball: packed,
        registry: registry.url,
        attachments: { 'bad-bundle-1.0.0.sigstore': { content_type: 'application/vnd.dev.sigstore.bundle.v0.3+json', data: 'not json {' } },
      }),
    );
    expect(notJson.status).toBe(400);
    const huge = JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', padding: 'x'.repeat(600 * 1024) });
    const tooLarge = await registry.put(
      'bad-bundle',
      publishBody({
        name: 'bad-bundle',
        version: '1.0.0',
        tarball: packed,
        registry: registry.url,
        attachments: { 'bad-bundle-1.0.0.sigstore': sigstoreAttachment(huge) },
      }),
    );
    expect(tooLarge.status).toBe(400);
    expect((await registry.get('bad-bundle')).status).toBe(404); // no empty stub left behind
  });
});

/** A verifier that trusts the registry's published keys and its signing log (the served trusted root). */
async function registryKeyVerifier(): Promise<Verifier> {
  const keys = ((await registry.get('-/npm/v1/keys')).json as { keys: { keyid: string; key: string }[] }).keys;
  const trust = toTrustMaterial(TrustedRoot.fromJSON((await registry.get('-/vouch/trusted_root.json')).json), (hint: string) => {
    const entry = keys.find((k) => k.keyid === hint);
    if (!entry) throw new Error(`no registry key ${hint}`);
    return { publicKey: createPublicKey({ key: Buffer.from(entry.key, 'base64'), format: 'der', type: 'spki' }), validFor: () => true };
  });
  return new Verifier(trust, { ctlogThreshold: 0 }); // the log entry is the timestamp; no certificates, so no SCTs
}
