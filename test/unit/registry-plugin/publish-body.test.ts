import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { checkClaimedIntegrity, planPublish } from '../../../packages/vouch-registry/lib/publish-body.js';
import { publishBody, sigstoreAttachment } from '../../support/packages.js';

const tarball = Buffer.from('pretend this is a gzipped tar');
const sha512 = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
const provenance = readFileSync(packagePath('fixtures', 'real', 'bundles', '02-playwright-cli-0.1.1.provenance.sigstore.json'), 'utf8');
const REGISTRY = 'http://127.0.0.1:4873/';

type Body = { versions: Record<string, { dist: Record<string, unknown> }>; _attachments: Record<string, unknown> };
const body = (extra: Partial<Parameters<typeof publishBody>[0]> = {}) =>
  publishBody({ name: '@acme/pkg', version: '1.2.3', tarball, registry: REGISTRY, ...extra }) as unknown as Body;

describe('planPublish', () => {
  it('passes bodies without attachments through (star, deprecate, dist-tags)', () => {
    expect(planPublish({ _id: 'x', users: { a: true } }, 'x')).toEqual({ kind: 'not-publish' });
    expect(planPublish({ versions: {}, _attachments: {} }, 'x')).toEqual({ kind: 'not-publish' });
    expect(planPublish('text', 'x')).toEqual({ kind: 'not-publish' });
  });

  it('accepts a matching integrity, signs the computed sha512 and drops what the publisher claimed for the registry', () => {
    const b = body({ dist: { signatures: [{ keyid: 'SHA256:x', sig: 'forged' }], attestations: { url: 'https://evil.test' } } });
    const plan = planPublish(b, '@acme/pkg');
    expect(plan).toMatchObject({ kind: 'publish', name: '@acme/pkg', version: '1.2.3', integrity: sha512, bundle: undefined });
    const dist = b.versions['1.2.3']!.dist;
    expect(dist['signatures']).toBeUndefined();
    expect(dist['attestations']).toBeUndefined();
    expect(dist['integrity']).toBe(sha512);
  });

  it('fills in dist.integrity when the publisher sent none, and accepts a correct sha1-only one', () => {
    const none = body({ dist: { integrity: undefined } });
    delete none.versions['1.2.3']!.dist['integrity'];
    expect(planPublish(none, '@acme/pkg').kind).toBe('publish');
    expect(none.versions['1.2.3']!.dist['integrity']).toBe(sha512);
    const sha1 = `sha1-${createHash('sha1').update(tarball).digest('base64')}`;
    expect(planPublish(body({ dist: { integrity: sha1 } }), '@acme/pkg').kind).toBe('publish');
  });

  it('rejects with 400 an integrity that disagrees, an unknown algorithm, or garbage', () => {
    const wrong = `sha512-${createHash('sha512').update('other').digest('base64')}`;
    for (const integrity of [wrong, `${sha512} ${wrong}`, 'md5-AAAA', 'nonsense', '']) {
      expect([integrity, planPublish(body({ dist: { integrity } }), '@acme/pkg')]).toMatchObject([integrity, { kind: 'reject', status: 400 }]);
    }
  });

  it('rejects bodies that are not one version with one tarball for this package', () => {
    const two = body();
    two.versions['2.0.0'] = structuredClone(two.versions['1.2.3']!);
    const noTarball = body();
    noTarball._attachments = { 'x.sigstore': sigstoreAttachment(provenance) };
    const twoTarballs = body();
    twoTarballs._attachments['other.tgz'] = { data: 'AAAA' };
    const cases: [string, unknown, string][] = [
      ['two versions', two, '@acme/pkg'],
      ['no tarball', noTarball, '@acme/pkg'],
      ['two tarballs', twoTarballs, '@acme/pkg'],
      ['other name in URL', body(), '@acme/other'],
      ['version field differs', body({ manifest: { version: '9.9.9' } }), '@acme/pkg'],
      ['dist.tarball names another file', body({ dist: { tarball: `${REGISTRY}@acme/pkg/-/pkg-0.0.1.tgz` } }), '@acme/pkg'],
    ];
    for (const [label, b, name] of cases) expect([label, planPublish(b, name).kind]).toEqual([label, 'reject']);
  });

  it('takes a .sigstore attachment out of the body and returns it byte for byte with its predicateType', () => {
    const b = body({ attachments: { '@acme/pkg-1.2.3.sigstore': sigstoreAttachment(provenance) } });
    const plan = planPublish(b, '@acme/pkg');
    expect(plan).toMatchObject({ kind: 'publish', bundle: { predicateType: 'https://slsa.dev/provenance/v1', bundleText: provenance } });
    expect(Object.keys(b._attachments)).toEqual(['@acme/pkg-1.2.3.tgz']);
  });

  it('rejects two .sigstore attachments, or one that is not a bundle', () => {
    const two = body({ attachments: { 'a.sigstore': sigstoreAttachment(provenance), 'b.sigstore': sigstoreAttachment(provenance) } });
    expect(planPublish(two, '@acme/pkg').kind).toBe('reject');
    const bad = body({ attachments: { 'a.sigstore': { content_type: 'application/json', data: '{"hello":1}' } } });
    expect(planPublish(bad, '@acme/pkg').kind).toBe('reject');
  });
});

describe('checkClaimedIntegrity', () => {
  it('accepts only when every hash matches the bytes', () => {
    const sha256 = `sha256-${createHash('sha256').update(tarball).digest('base64')}`;
    expect(checkClaimedIntegrity(`${sha512} ${sha256}`, tarball)).toBeUndefined();
    expect(checkClaimedIntegrity(`${sha512}?foo`, tarball)).toBeUndefined();
    expect(checkClaimedIntegrity(`${sha512} sha256-AAAA`, tarball)).toBeTypeOf('string');
    expect(checkClaimedIntegrity(42, tarball)).toBeTypeOf('string');
  });
});
