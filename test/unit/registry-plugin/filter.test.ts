import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signManifest, type FilterDeps } from '../../../packages/vouch-registry/lib/filter.js';
import { emptyHistory, withRevocation } from '../../../packages/vouch-registry/lib/key-history.js';
import { loadKeyRing, publishedKey, type KeyRing } from '../../../packages/vouch-registry/lib/keys.js';
import { RecordStore, type VersionRecord } from '../../../packages/vouch-registry/lib/records.js';
import { signVersion } from '../../../packages/vouch-registry/lib/signing.js';
import { p256KeyFile, tempDir, verifiesWith } from './helpers.js';

const INTEGRITY = 'sha512-recorded';
type Dist = { integrity?: string; signatures?: { keyid: string; sig: string }[]; attestations?: unknown; tarball?: string };
type Manifest = { name: string; time?: Record<string, string>; versions: Record<string, { version: string; dist: Dist }> };

function setup(extraRetired?: { expires: Date }) {
  const dir = tempDir();
  const active = p256KeyFile(dir, 'active.pem');
  const old = p256KeyFile(dir, 'old.pem');
  const ring = loadKeyRing([{ file: active.file, expires: null }, ...(extraRetired ? [{ file: old.file, expires: extraRetired.expires }] : [])]);
  const oldRing = loadKeyRing([{ file: old.file, expires: null }]);
  const records = new RecordStore(join(dir, 'records'));
  const hashed: string[] = [];
  const errors: string[] = [];
  const deps: FilterDeps = {
    ring,
    records,
    inflight: new Map(),
    hashStoredTarball: async (name, file) => {
      hashed.push(`${name}/${file}`);
      if (file.includes('missing')) throw new Error('ENOENT');
      return `sha512-bytes-of-${file}`;
    },
    attestationsUrl: (name, version) => `http://reg.test/-/npm/v1/attestations/${encodeURIComponent(name)}@${version}`,
    onError: (message) => errors.push(message),
  };
  return { dir, active, old, ring, oldRing, records, deps, hashed, errors };
}

function manifest(versions: string[], dist: Dist = {}): Manifest {
  return {
    name: '@acme/pkg',
    time: Object.fromEntries(versions.map((v) => [v, '2026-06-01T00:00:00.000Z'])),
    versions: Object.fromEntries(
      versions.map((v) => [
        v,
        {
          version: v,
          dist: { integrity: 'sha512-what-storage-says', tarball: `http://x/@acme/pkg/-/pkg-${v}.tgz`, ...dist },
        },
      ]),
    ),
  };
}

async function record(ring: KeyRing, version: string, extra: Partial<VersionRecord> = {}): Promise<VersionRecord> {
  return { ...(await signVersion(ring, '@acme/pkg', version, INTEGRITY, 'publish')), ...extra };
}

describe('signManifest', () => {
  it('serves the recorded integrity and signature and drops whatever the publisher stored', async () => {
    const t = setup();
    t.records.put('@acme/pkg', '1.0.0', await record(t.ring, '1.0.0'));
    const input = manifest(['1.0.0'], { signatures: [{ keyid: 'SHA256:evil', sig: 'x' }], attestations: { url: 'https://evil.test' } });
    const out = (await signManifest(input, t.deps)) as Manifest;
    const dist = out.versions['1.0.0']!.dist;
    expect(dist.integrity).toBe(INTEGRITY);
    expect(dist.attestations).toBeUndefined();
    expect(dist.signatures).toHaveLength(1);
    expect(dist.signatures![0]!.keyid).toBe(t.ring.active.keyid);
    expect(verifiesWith(t.active.key, `@acme/pkg@1.0.0:${INTEGRITY}`, dist.signatures![0]!.sig)).toBe(true);
    expect(input.versions['1.0.0']!.dist.signatures).toEqual([{ keyid: 'SHA256:evil', sig: 'x' }]); // input untouched
  });

  it('gives the same bytes on every call', async () => {
    const t = setup();
    const a = JSON.stringify(await signManifest(manifest(['1.0.0', '2.0.0']), t.deps));
    const b = JSON.stringify(await signManifest(manifest(['1.0.0', '2.0.0']), t.deps));
    expect(a).toBe(b);
  });

  it('signs a version with no record from the hash of its stored tarball, once, and records it as lazy', async () => {
    const t = setup();
    const [a, b] = await Promise.all([signManifest(manifest(['1.0.0']), t.deps), signManifest(manifest(['1.0.0']), t.deps)]);
    expect(t.hashed).toEqual(['@acme/pkg/pkg-1.0.0.tgz']);
    expect(a).toEqual(b);
    const dist = (a as Manifest).versions['1.0.0']!.dist;
    expect(dist.integrity).toBe('sha512-bytes-of-pkg-1.0.0.tgz');
    expect(verifiesWith(t.active.key, '@acme/pkg@1.0.0:sha512-bytes-of-pkg-1.0.0.tgz', dist.signatures![0]!.sig)).toBe(true);
    expect((await t.records.read('@acme/pkg'))['1.0.0']).toMatchObject({ source: 'lazy', integrity: 'sha512-bytes-of-pkg-1.0.0.tgz' });
  });

  it('serves a version it cannot sign unsigned, signs the others, and never throws', async () => {
    const t = setup();
    const input = manifest(['1.0.0']);
    input.versions['0.9.0'] = { version: '0.9.0', dist: { tarball: 'http://x/@acme/pkg/-/missing-0.9.0.tgz', signatures: [{ keyid: 'k', sig: 's' }] } };
    const out = (await signManifest(input, t.deps)) as Manifest;
    expect(out.versions['0.9.0']!.dist.signatures).toBeUndefined();
    expect(out.versions['1.0.0']!.dist.signatures).toHaveLength(1);
    expect(t.errors).toHaveLength(1);
  });

  it('serves nothing signed from a damaged record file', async () => {
    const t = setup();
    t.records.put('@acme/pkg', '1.0.0', await record(t.ring, '1.0.0'));
    writeFileSync(t.records.fileFor('@acme/pkg'), JSON.stringify({ versions: { '1.0.0': { integrity: 1 } } }));
    const out = (await signManifest(manifest(['1.0.0'], { signatures: [{ keyid: 'k', sig: 's' }] }), t.deps)) as Manifest;
    expect(out.versions['1.0.0']!.dist.signatures).toBeUndefined();
    expect(t.hashed).toEqual([]); // a damaged record is never replaced by re-hashing storage
  });

  it("keeps a retired key's signature for versions published before it expired", async () => {
    const t = setup({ expires: new Date('2026-07-01T00:00:00.000Z') });
    const oldRecord = await record(t.oldRing, '1.0.0');
    t.records.put('@acme/pkg', '1.0.0', oldRecord);
    const out = (await signManifest(manifest(['1.0.0']), t.deps)) as Manifest;
    expect(out.versions['1.0.0']!.dist.signatures).toEqual([{ keyid: oldRecord.keyid, sig: oldRecord.sig }]);
  });

  it('re-signs the recorded integrity with the active key when the recorded key is gone or expired before publish', async () => {
    for (const retired of [undefined, { expires: new Date('2026-01-01T00:00:00.000Z') }]) {
      const t = setup(retired);
      t.records.put('@acme/pkg', '1.0.0', await record(t.oldRing, '1.0.0', { attestation: { predicateType: 'p' } }));
      const out = (await signManifest(manifest(['1.0.0']), t.deps)) as Manifest;
      const dist = out.versions['1.0.0']!.dist;
      expect(dist.signatures![0]!.keyid).toBe(t.ring.active.keyid);
      expect(verifiesWith(t.active.key, `@acme/pkg@1.0.0:${INTEGRITY}`, dist.signatures![0]!.sig)).toBe(true);
      expect((await t.records.read('@acme/pkg'))['1.0.0']).toMatchObject({ source: 're-signed', attestation: { predicateType: 'p' } });
      expect(t.hashed).toEqual([]);
    }
  });

  it('re-signs with the active key a version whose recorded key was revoked, however early it was published', async () => {
    const t = setup({ expires: new Date('2026-07-01T00:00:00.000Z') });
    const oldRecord = await record(t.oldRing, '1.0.0');
    t.records.put('@acme/pkg', '1.0.0', oldRecord);
    const history = withRevocation(emptyHistory(), publishedKey(t.old.key, null), new Date('2026-08-01T00:00:00.000Z')).history;
    const ring = loadKeyRing(
      [
        { file: t.active.file, expires: null },
        { file: t.old.file, expires: new Date('2026-07-01T00:00:00.000Z') },
      ],
      history,
    );
    const out = (await signManifest(manifest(['1.0.0']), { ...t.deps, ring })) as Manifest;
    const dist = out.versions['1.0.0']!.dist;
    expect(dist.signatures).toEqual([{ keyid: ring.active.keyid, sig: expect.any(String) }]);
    expect(verifiesWith(t.active.key, `@acme/pkg@1.0.0:${INTEGRITY}`, dist.signatures![0]!.sig)).toBe(true);
  });

  it('advertises stored attestations with an absolute URL and their predicate type', async () => {
    const t = setup();
    t.records.put('@acme/pkg', '1.0.0', await record(t.ring, '1.0.0', { attestation: { predicateType: 'https://slsa.dev/provenance/v1' } }));
    const out = (await signManifest(manifest(['1.0.0']), t.deps)) as Manifest;
    expect(out.versions['1.0.0']!.dist.attestations).toEqual({
      url: 'http://reg.test/-/npm/v1/attestations/%40acme%2Fpkg@1.0.0',
      provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
    });
  });

  it('returns anything that is not a manifest unchanged', async () => {
    const t = setup();
    for (const value of [null, 'x', { name: 1 }, { name: 'a' }]) expect(await signManifest(value, t.deps)).toBe(value);
  });
});
