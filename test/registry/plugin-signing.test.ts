// What the plugin signs and serves, over HTTP against a real Verdaccio: deterministic signatures in
// every manifest form, publisher-supplied signatures discarded, integrity checked at publish, and
// versions with no record (published before the plugin) signed from their stored bytes.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTarball } from '../support/npm.js';
import { publishBody, writePackage } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Dist {
  integrity: string;
  tarball: string;
  signatures?: { keyid: string; sig: string }[];
  attestations?: unknown;
}
type Packument = { name: string; versions: Record<string, { dist: Dist }> };

const ABBREVIATED = 'application/vnd.npm.install-v1+json';
let registry: TestRegistry;
let key: KeyObject;
let root: string;

beforeAll(async () => {
  registry = await startRegistry();
  root = await registry.tempDir('packages');
  for (const version of ['1.0.0', '1.1.0']) {
    await registry.publish(await writePackage(root, { name: '@acme/stable', version }));
  }
  const keys = (await registry.get('-/npm/v1/keys')).json as { keys: { key: string; keyid: string }[] };
  key = createPublicKey({ key: Buffer.from(keys.keys[0]!.key, 'base64'), format: 'der', type: 'spki' });
});

afterAll(() => registry?.stop());

describe('signatures served by the plugin', () => {
  it('gives every version, in the full, abbreviated and single-version forms, the same verifying signature on every GET', async () => {
    const full1 = (await registry.get('@acme%2fstable')).json as Packument;
    const full2 = (await registry.get('@acme%2fstable')).json as Packument;
    const abbreviated = (await registry.get('@acme%2fstable', ABBREVIATED)).json as Packument;
    const single = (await registry.get('@acme%2fstable/1.1.0')).json as { dist: Dist };

    for (const version of ['1.0.0', '1.1.0']) {
      const dist = full1.versions[version]!.dist;
      expect(dist.signatures).toHaveLength(1);
      expect(dist.signatures![0]!.keyid).toBe(registry.keyid);
      expect(signatureVerifies(`@acme/stable@${version}:${dist.integrity}`, dist.signatures![0]!.sig)).toBe(true);
      expect(full2.versions[version]!.dist.signatures).toEqual(dist.signatures);
      expect(abbreviated.versions[version]!.dist.signatures).toEqual(dist.signatures);
    }
    expect(single.dist.signatures).toEqual(full1.versions['1.1.0']!.dist.signatures);
  });

  it('serves a publish carrying forged dist.signatures and dist.attestations with the plugin signature only', async () => {
    const tarball = await packTarball(await writePackage(root, { name: 'forged-sigs', version: '1.0.0' }));
    const body = publishBody({
      name: 'forged-sigs',
      version: '1.0.0',
      tarball,
      registry: registry.url,
      dist: {
        signatures: [
          { keyid: registry.keyid, sig: 'MEUCIQDforgedforgedforgedforgedforgedforgedforgedforgedAiEAforged' },
          { keyid: 'SHA256:attacker', sig: 'MEQCIforged' },
        ],
        attestations: { url: 'https://evil.example/-/npm/v1/attestations/forged-sigs@1.0.0', provenance: { predicateType: 'x' } },
      },
    });
    const put = await registry.put('forged-sigs', body);
    expect(put.status, put.text).toBe(201);

    const dist = ((await registry.get('forged-sigs')).json as Packument).versions['1.0.0']!.dist;
    expect(dist.attestations).toBeUndefined();
    expect(dist.signatures).toHaveLength(1);
    expect(dist.signatures![0]!.keyid).toBe(registry.keyid);
    expect(signatureVerifies(`forged-sigs@1.0.0:${dist.integrity}`, dist.signatures![0]!.sig)).toBe(true);
    const stored = JSON.parse(await readFile(join(registry.storage, 'forged-sigs', 'package.json'), 'utf8'));
    expect(stored.versions['1.0.0'].dist.signatures).toBeUndefined(); // not even kept in storage
  });

  it('rejects with 400 a publish whose dist.integrity disagrees with the attached bytes, leaving no package behind', async () => {
    const tarball = await packTarball(await writePackage(root, { name: 'lying-integrity', version: '1.0.0' }));
    const other = `sha512-${createHash('sha512').update('other bytes').digest('base64')}`;
    const put = await registry.put(
      'lying-integrity',
      publishBody({ name: 'lying-integrity', version: '1.0.0', tarball, registry: registry.url, dist: { integrity: other } }),
    );
    expect(put.status).toBe(400);
    expect((put.json as { error: string }).error).toMatch(/dist\.integrity/);
    expect((await registry.get('lying-integrity')).status).toBe(404);
  });

  it('checks publishes however the scoped name is spelled in the URL, and revision PUTs too', async () => {
    const tarball = await packTarball(await writePackage(root, { name: '@acme/spelled', version: '1.0.0' }));
    const other = `sha512-${createHash('sha512').update('other bytes').digest('base64')}`;
    const body = publishBody({ name: '@acme/spelled', version: '1.0.0', tarball, registry: registry.url, dist: { integrity: other } });
    for (const path of ['@acme/spelled', '%40acme%2Fspelled', '@acme%2fspelled/-rev/1-abc']) {
      const put = await registry.put(path, body);
      expect([path, put.status]).toEqual([path, 400]);
    }
    expect((await registry.get('@acme%2fspelled')).status).toBe(404);
  });

  it('signs a version that has no plugin record (published before the plugin) over the sha512 of its stored tarball', async () => {
    const dir = await writePackage(root, { name: 'pre-plugin', version: '3.0.0' });
    await registry.publish(dir);
    const tarball = await readFile(join(registry.storage, 'pre-plugin', 'pre-plugin-3.0.0.tgz'));
    const actual = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    // Make it look like a version stored before the plugin: no record, and a dist.integrity nobody checked.
    await rm(join(registry.storage, '.vouch', 'records', 'pre-plugin.json'));
    const manifestFile = join(registry.storage, 'pre-plugin', 'package.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.versions['3.0.0'].dist.integrity = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`;
    await writeFile(manifestFile, JSON.stringify(manifest));

    const first = ((await registry.get('pre-plugin')).json as Packument).versions['3.0.0']!.dist;
    const second = ((await registry.get('pre-plugin', ABBREVIATED)).json as Packument).versions['3.0.0']!.dist;
    expect(first.integrity).toBe(actual);
    expect(signatureVerifies(`pre-plugin@3.0.0:${actual}`, first.signatures![0]!.sig)).toBe(true);
    expect(second.signatures).toEqual(first.signatures);
    const record = JSON.parse(await readFile(join(registry.storage, '.vouch', 'records', 'pre-plugin.json'), 'utf8'));
    expect(record.versions['3.0.0']).toMatchObject({ integrity: actual, source: 'lazy', keyid: registry.keyid });
  });
});

function signatureVerifies(message: string, sig: string): boolean {
  return verify('sha256', Buffer.from(message), key, Buffer.from(sig, 'base64'));
}
