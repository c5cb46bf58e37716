import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttestationStore, parseAttestationsBody } from '../../../packages/vouch-registry/lib/attestations.js';
import { readKeyHistory, withRevocation, writeKeyHistory } from '../../../packages/vouch-registry/lib/key-history.js';
import { loadKeyRing, publishedKey } from '../../../packages/vouch-registry/lib/keys.js';
import { buildPublishAttestation, publishAttestationKeyid } from '../../../packages/vouch-registry/lib/publish-attestation.js';
import { RecordStore } from '../../../packages/vouch-registry/lib/records.js';
import { progressFile, readProgress } from '../../../packages/vouch-registry/lib/rotation-progress.js';
import { compareVersions, rotateStorage, type RotationOptions } from '../../../packages/vouch-registry/lib/rotation.js';
import { signedMessage, signVersion } from '../../../packages/vouch-registry/lib/signing.js';
import { SigningLog } from '../../../packages/vouch-registry/lib/signing-log.js';
import { keySigner } from '../../../lib/sign/index.js';
import { checkEndorsement } from '../../../lib/verify/key-endorsement.js';
import { codeOf, p256KeyFile, tempDir, verifiesWith } from './helpers.js';

const PUBLISHER_BUNDLE = '{ "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "kept": "byte for byte" }';
const NOW = () => new Date('2027-01-10T12:00:00.000Z');

/** A storage with three versions signed by key A, one with a publish attestation and a publisher bundle. */
async function storage() {
  const dir = tempDir();
  const dataDir = join(dir, '.vouch');
  const a = p256KeyFile(dir, 'a.pem');
  const b = p256KeyFile(dir, 'b.pem');
  const ringA = loadKeyRing([{ file: a.file, expires: null }]);
  const records = new RecordStore(join(dataDir, 'records'));
  const attestations = new AttestationStore(join(dataDir, 'attestations'));
  const versions: [string, string][] = [
    ['@acme/lib', '1.0.0'],
    ['@acme/lib', '1.10.0'],
    ['zeta', '2.0.0'],
  ];
  for (const [name, version] of versions) {
    const bytes = Buffer.from(`${name}@${version} tarball`);
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    const signed = await signVersion(ringA, name, version, integrity, 'publish');
    if (version === '1.10.0') {
      const publish = await buildPublishAttestation(
        ringA.active,
        {
          name,
          version,
          sha512Hex: createHash('sha512').update(bytes).digest('hex'),
          registry: 'http://127.0.0.1:4873',
        },
        SigningLog.open(dataDir),
      );
      attestations.put(name, version, [publish, { predicateType: 'https://slsa.dev/provenance/v1', bundleText: PUBLISHER_BUNDLE }]);
      records.put(name, version, { ...signed, attestation: { predicateType: 'https://slsa.dev/provenance/v1' } });
    } else {
      records.put(name, version, signed);
    }
  }
  const options: RotationOptions = { dataDir, from: a.key, fromSigner: keySigner(a.key), to: keySigner(b.key), now: NOW };
  return { dir, dataDir, a, b, records, attestations, options, keyidA: ringA.active.keyid, keyidB: keySigner(b.key).keyid };
}

describe('rotateStorage', () => {
  it('re-signs every signature and publish attestation with the new key, changes no integrity, and records the endorsement', async () => {
    const s = await storage();
    const before = { lib: await s.records.read('@acme/lib'), zeta: await s.records.read('zeta') };
    const result = await rotateStorage(s.options);
    expect(result).toMatchObject({ status: 'finished', from: s.keyidA, to: s.keyidB, run: { resigned: 3, skipped: 0, refused: [] } });
    expect(result.endorsement).toEqual({ by: s.keyidA });

    for (const [name, recs] of Object.entries({ '@acme/lib': before.lib, zeta: before.zeta })) {
      const after = await s.records.read(name);
      for (const [version, old] of Object.entries(recs)) {
        const now = after[version]!;
        expect(now).toEqual({ ...old, keyid: s.keyidB, sig: now.sig, source: 're-signed', logIndex: expect.any(Number) });
        expect(verifiesWith(s.b.key, signedMessage(name, version, old.integrity), now.sig)).toBe(true);
      }
    }
    const entries = parseAttestationsBody((await s.attestations.get('@acme/lib', '1.10.0'))!)!;
    expect(entries.map((e) => publishAttestationKeyid(e) ?? e.bundleText)).toEqual([s.keyidB, PUBLISHER_BUNDLE]);

    const history = readKeyHistory(s.dataDir);
    const b = publishedKey(s.b.key, null);
    const a = publishedKey(s.a.key, null);
    expect(history.endorsements.map((e) => [e.keyid, e.by.keyid])).toEqual([[b.keyid, a.keyid]]);
    expect(checkEndorsement(b, { keyid: a.keyid, sig: history.endorsements[0]!.sig }, a)).toBe(true);
    expect(readProgress(s.dataDir)).toMatchObject({ finished: NOW().toISOString(), resigned: 3, skipped: 0, refused: 0 });
  });

  it('is a no-op that says so once finished', async () => {
    const s = await storage();
    await rotateStorage(s.options);
    const files = snapshot(s);
    const again = await rotateStorage(s.options);
    expect(again).toMatchObject({ status: 'already-finished', run: { resigned: 0, skipped: 0 }, total: { resigned: 3 } });
    expect(snapshot(s)).toEqual(files);
  });

  it('stops after --limit versions and continues where it stopped, re-signing each version once', async () => {
    const s = await storage();
    const first = await rotateStorage({ ...s.options, limit: 1 });
    expect(first).toMatchObject({ status: 'stopped', run: { resigned: 1 } });
    expect(readProgress(s.dataDir)?.cursor).toEqual({ name: '@acme/lib', version: '1.0.0' });
    expect((await s.records.read('@acme/lib'))['1.10.0']!.keyid).toBe(s.keyidA);
    const second = await rotateStorage({ ...s.options, limit: 1 });
    expect(second).toMatchObject({ status: 'stopped', run: { resigned: 1, skipped: 0 } });
    const third = await rotateStorage(s.options);
    expect(third).toMatchObject({ status: 'finished', run: { resigned: 1, skipped: 0 }, total: { resigned: 3, skipped: 0 } });
    expect((await rotateStorage(s.options)).status).toBe('already-finished');
  });

  it('stops cleanly when asked between versions', async () => {
    const s = await storage();
    let seen = 0;
    const stopped = await rotateStorage({ ...s.options, shouldStop: () => seen >= 2, onVersion: () => void (seen += 1) });
    expect(stopped).toMatchObject({ status: 'stopped', run: { resigned: 2 } });
    expect((await rotateStorage(s.options)).run).toMatchObject({ resigned: 1, skipped: 0 });
  });

  it('after a crash (progress behind the records) skips what is already under the new key', async () => {
    const s = await storage();
    await rotateStorage(s.options);
    writeFileSync(progressFile(s.dataDir), JSON.stringify({ ...readProgress(s.dataDir), cursor: null, finished: null, resigned: 0 }));
    expect((await rotateStorage(s.options)).run).toMatchObject({ resigned: 0, skipped: 3 });
  });

  it('refuses a version whose record by the old key no longer verifies, and leaves it as it was', async () => {
    const s = await storage();
    s.records.update('zeta', (recs) => {
      recs['2.0.0'] = { ...recs['2.0.0']!, integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}` };
      return true;
    });
    const tampered = await s.records.read('zeta');
    const result = await rotateStorage(s.options);
    expect(result.run.refused).toEqual([{ name: 'zeta', version: '2.0.0', reason: expect.stringMatching(/does not verify/) }]);
    expect(result.run.resigned).toBe(2);
    expect(await s.records.read('zeta')).toEqual(tampered);
  });

  it('refuses a version whose stored publish attestation states another tarball digest', async () => {
    const s = await storage();
    const other = await buildPublishAttestation(
      keySigner(s.a.key),
      {
        name: '@acme/lib',
        version: '1.10.0',
        sha512Hex: 'ab'.repeat(64),
        registry: 'http://127.0.0.1:4873',
      },
      SigningLog.open(s.dataDir),
    );
    s.attestations.put('@acme/lib', '1.10.0', [other]);
    const result = await rotateStorage(s.options);
    expect(result.run.refused.map((r) => `${r.name}@${r.version}`)).toEqual(['@acme/lib@1.10.0']);
    expect((await s.records.read('@acme/lib'))['1.10.0']!.keyid).toBe(s.keyidA);
  });

  it('records no endorsement when the old key is public only or revoked, and still re-signs', async () => {
    const s = await storage();
    const publicOnly = await rotateStorage({ ...s.options, fromSigner: undefined });
    expect(publicOnly.endorsement).toEqual({ none: expect.stringMatching(/public key only/) });
    expect(publicOnly.run.resigned).toBe(3);
    expect(readKeyHistory(s.dataDir).endorsements).toEqual([]);

    const r = await storage();
    writeKeyHistory(r.dataDir, withRevocation(readKeyHistory(r.dataDir), publishedKey(r.a.key, null), NOW()).history);
    const revoked = await rotateStorage(r.options);
    expect(revoked.endorsement).toEqual({ none: expect.stringMatching(/revoked/) });
    expect(readKeyHistory(r.dataDir).endorsements).toEqual([]);
  });

  it('refuses to mix rotations: an unfinished one with other keys, the same key twice, a revoked new key', async () => {
    const s = await storage();
    await rotateStorage({ ...s.options, limit: 1 });
    const c = p256KeyFile(s.dir, 'c.pem');
    await expect(rotateStorage({ ...s.options, to: keySigner(c.key) })).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(rotateStorage({ ...s.options, to: keySigner(s.a.key) })).rejects.toMatchObject({ code: 'USAGE' });
    const t = await storage();
    writeKeyHistory(t.dataDir, withRevocation(readKeyHistory(t.dataDir), publishedKey(t.b.key, null), NOW()).history);
    await expect(rotateStorage(t.options)).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('fails with CONFIG on a damaged progress file', async () => {
    const s = await storage();
    writeFileSync(progressFile(s.dataDir), '{"rotationVersion":1}');
    expect(codeOf(() => readProgress(s.dataDir))).toBe('CONFIG');
  });
});

describe('compareVersions', () => {
  it('orders by semver, then non-semver text after', () => {
    expect(['1.10.0', 'latest', '1.2.0', '1.2.0-rc.1', '0.0.1'].sort(compareVersions)).toEqual(['0.0.1', '1.2.0-rc.1', '1.2.0', '1.10.0', 'latest']);
  });
});

function snapshot(s: Awaited<ReturnType<typeof storage>>): string[] {
  return [s.records.fileFor('@acme/lib'), s.records.fileFor('zeta'), progressFile(s.dataDir), join(s.dataDir, 'key-history.json')].map((f) =>
    readFileSync(f, 'utf8'),
  );
}
