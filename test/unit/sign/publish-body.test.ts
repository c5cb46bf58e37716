// The publish document `vouch publish` sends: npm's shape (libnpmpublish buildMetadata) with the bundle
// attached as `<name>-<version>.sigstore`, accepted as such by the registry plugin's publish check.
import { createHash, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planPublish } from '../../../packages/vouch-registry/lib/publish-body.js';
import { buildKeyedBundle, buildPublishBody, buildStatement, generateKey, keySigner, spkiBase64 } from '../../../lib/sign/index.js';
import { PREDICATE_PUBLISHER } from '../../../lib/verify/index.js';

const TARBALL = Buffer.from('pretend gzip bytes of @acme/widget-1.2.3');

async function body(registry = 'https://registry.example/') {
  const signer = keySigner(generateKey('ed25519').privateKey);
  const bundle = await buildKeyedBundle(
    buildStatement({
      name: '@acme/widget',
      version: '1.2.3',
      sha512Hex: createHash('sha512').update(TARBALL).digest('hex'),
      ci: undefined,
      env: {},
      publisherKey: { keyid: signer.keyid, publicKey: spkiBase64(createPublicKey(signer.publicKeyPem)) },
    }),
    signer,
  );
  const manifest = { name: '@acme/widget', version: '1.2.3', description: 'w', _id: '@acme/widget@1.2.3', dist: { unpackedSize: 10 } };
  return { bundle, doc: buildPublishBody({ manifest, tarball: TARBALL, bundle, registry, tag: 'next', access: 'public' }) };
}

describe('buildPublishBody', () => {
  it("builds npm's publish document with the tarball and the bundle as raw JSON text", async () => {
    const { bundle, doc } = await body();
    expect(doc).toMatchObject({ _id: '@acme/widget', name: '@acme/widget', description: 'w', 'dist-tags': { next: '1.2.3' }, access: 'public' });
    const version = (doc['versions'] as Record<string, Record<string, unknown>>)['1.2.3']!;
    expect(version['_id']).toBe('@acme/widget@1.2.3');
    expect(version['dist']).toEqual({
      unpackedSize: 10,
      integrity: `sha512-${createHash('sha512').update(TARBALL).digest('base64')}`,
      shasum: createHash('sha1').update(TARBALL).digest('hex'),
      tarball: 'http://registry.example/@acme/widget/-/@acme/widget-1.2.3.tgz',
    });
    const attachments = doc['_attachments'] as Record<string, { content_type: string; data: string; length: number }>;
    expect(Object.keys(attachments).sort()).toEqual(['@acme/widget-1.2.3.sigstore', '@acme/widget-1.2.3.tgz']);
    expect(attachments['@acme/widget-1.2.3.tgz']).toEqual({
      content_type: 'application/octet-stream',
      data: TARBALL.toString('base64'),
      length: TARBALL.length,
    });
    const sig = attachments['@acme/widget-1.2.3.sigstore']!;
    expect(sig.content_type).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(JSON.parse(sig.data)).toEqual(bundle);
    expect(sig.length).toBe(sig.data.length);
  });

  it('is what the registry plugin accepts as a publish with a publisher bundle', async () => {
    const { doc } = await body();
    const plan = planPublish(structuredClone(doc), '@acme/widget');
    expect(plan.kind).toBe('publish');
    if (plan.kind !== 'publish') return;
    expect(plan.integrity).toBe(`sha512-${createHash('sha512').update(TARBALL).digest('base64')}`);
    expect(plan.bundle?.predicateType).toBe(PREDICATE_PUBLISHER);
  });
});
