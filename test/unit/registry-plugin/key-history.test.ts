import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  emptyHistory,
  keyHistoryFile,
  readKeyHistory,
  withEndorsement,
  withRevocation,
  writeKeyHistory,
  type EndorsementRecord,
} from '../../../packages/vouch-registry/lib/key-history.js';
import { keysEndpointBody, loadKeyRing, publishedKey, REVOKED_EXPIRES } from '../../../packages/vouch-registry/lib/keys.js';
import { isAttestationKeyServable, isServable } from '../../../packages/vouch-registry/lib/signing.js';
import { keySigner } from '../../../lib/sign/index.js';
import { checkEndorsement, signEndorsement } from '../../../lib/verify/key-endorsement.js';
import { codeOf, p256KeyFile, tempDir } from './helpers.js';

async function endorsementOf(endorsed: ReturnType<typeof p256KeyFile>, by: ReturnType<typeof p256KeyFile>): Promise<EndorsementRecord> {
  const target = publishedKey(endorsed.key, null);
  const endorser = publishedKey(by.key, null);
  const { sig } = await signEndorsement(target, keySigner(by.key));
  return { keyid: target.keyid, key: target.key, by: { keyid: endorser.keyid, key: endorser.key }, sig, recorded: '2027-01-10T12:00:00.000Z' };
}

describe('key history file', () => {
  it('reads empty when absent and round-trips endorsements and revocations', async () => {
    const dir = tempDir();
    expect(readKeyHistory(dir)).toEqual(emptyHistory());
    const oldKey = p256KeyFile(dir, 'old.pem');
    const newKey = p256KeyFile(dir, 'new.pem');
    let history = withEndorsement(emptyHistory(), await endorsementOf(newKey, oldKey));
    history = withEndorsement(history, await endorsementOf(newKey, oldKey)); // same pair: replaced, not doubled
    history = withRevocation(history, publishedKey(oldKey.key, null), new Date('2027-02-01T00:00:00.000Z')).history;
    writeKeyHistory(dir, history);
    expect(readKeyHistory(dir)).toEqual(history);
    expect(history.endorsements).toHaveLength(1);
  });

  it('keeps the first revocation time when a key is revoked again', () => {
    const key = publishedKey(p256KeyFile(tempDir(), 'k.pem').key, null);
    const first = withRevocation(emptyHistory(), key, new Date('2027-02-01T00:00:00.000Z')).history;
    const again = withRevocation(first, key, new Date('2028-01-01T00:00:00.000Z'));
    expect(again.earlier?.revoked).toBe('2027-02-01T00:00:00.000Z');
    expect(again.history).toBe(first);
  });

  it('fails with CONFIG on a damaged file: not JSON, wrong version, a forged endorsement, a keyid that is not its key', async () => {
    const dir = tempDir();
    const a = p256KeyFile(dir, 'a.pem');
    const b = p256KeyFile(dir, 'b.pem');
    const good = await endorsementOf(b, a);
    const other = publishedKey(b.key, null);
    const cases = [
      'not json',
      JSON.stringify({ historyVersion: 2, endorsements: [], revocations: [] }),
      JSON.stringify({ historyVersion: 1, endorsements: [{ ...good, sig: good.sig.replace(/^../, 'AA') }], revocations: [] }),
      JSON.stringify({ historyVersion: 1, endorsements: [], revocations: [{ keyid: good.by.keyid, key: other.key, revoked: '2027-01-01T00:00:00Z' }] }),
      JSON.stringify({ historyVersion: 1, endorsements: [], revocations: [{ keyid: good.by.keyid, key: good.by.key, revoked: 'yesterday' }] }),
    ];
    for (const text of cases) {
      writeFileSync(keyHistoryFile(dir), text);
      expect([text.slice(0, 40), codeOf(() => readKeyHistory(dir))]).toEqual([text.slice(0, 40), 'CONFIG']);
    }
  });
});

describe('loadKeyRing with a key history', () => {
  it("serves the new key with the old key's endorsement, which checkEndorsement accepts", async () => {
    const dir = tempDir();
    const oldKey = p256KeyFile(dir, 'old.pem');
    const newKey = p256KeyFile(dir, 'new.pem');
    const history = withEndorsement(emptyHistory(), await endorsementOf(newKey, oldKey));
    const expires = new Date('2027-01-10T12:00:00.000Z');
    const ring = loadKeyRing(
      [
        { file: newKey.file, expires: null },
        { file: oldKey.file, expires },
      ],
      history,
    );
    const body = keysEndpointBody(ring.keys);
    const [active, retired] = body.keys;
    expect(Object.keys(active!)).toEqual(['expires', 'keyid', 'keytype', 'scheme', 'key', 'endorsements']);
    expect(Object.keys(retired!)).toEqual(['expires', 'keyid', 'keytype', 'scheme', 'key']);
    expect(active!.endorsements).toEqual([{ keyid: retired!.keyid, sig: history.endorsements[0]!.sig }]);
    expect(checkEndorsement(active!, active!.endorsements![0]!, retired!)).toBe(true);
    expect(retired!.expires).toBe(expires.toISOString());
  });

  it('lists a revoked key with revoked and an epoch expiry, drops its endorsements, and lists it even when unconfigured', async () => {
    const dir = tempDir();
    const oldKey = p256KeyFile(dir, 'old.pem');
    const newKey = p256KeyFile(dir, 'new.pem');
    const gone = p256KeyFile(dir, 'gone.pem');
    let history = withEndorsement(emptyHistory(), await endorsementOf(newKey, oldKey));
    history = withRevocation(history, publishedKey(oldKey.key, null), new Date('2027-02-01T00:00:00.000Z')).history;
    history = withRevocation(history, publishedKey(gone.key, null), new Date('2026-05-01T00:00:00.000Z')).history;
    const ring = loadKeyRing(
      [
        { file: newKey.file, expires: null },
        { file: oldKey.file, expires: new Date('2027-01-10T12:00:00.000Z') },
      ],
      history,
    );
    const body = keysEndpointBody(ring.keys);
    expect(body.keys.map((k) => [k.keyid, k.expires, k.revoked ?? null, k.endorsements ?? null])).toEqual([
      [publishedKey(newKey.key, null).keyid, null, null, null],
      [publishedKey(oldKey.key, null).keyid, REVOKED_EXPIRES.toISOString(), '2027-02-01T00:00:00.000Z', null],
      [publishedKey(gone.key, null).keyid, REVOKED_EXPIRES.toISOString(), '2026-05-01T00:00:00.000Z', null],
    ]);
    const byOld = { integrity: 'sha512-x', keyid: publishedKey(oldKey.key, null).keyid, sig: 'c2ln', source: 'publish' as const };
    expect(isServable(byOld, ring, new Date('2020-01-01T00:00:00Z'))).toBe(false);
    expect(isAttestationKeyServable(byOld.keyid, ring, new Date('2020-01-01T00:00:00Z'))).toBe(false);
    expect(isAttestationKeyServable(ring.active.keyid, ring, new Date())).toBe(true);
  });

  it('refuses with CONFIG to start with a revoked active key', () => {
    const dir = tempDir();
    const key = p256KeyFile(dir, 'k.pem');
    const history = withRevocation(emptyHistory(), publishedKey(key.key, null), new Date()).history;
    expect(codeOf(() => loadKeyRing([{ file: key.file, expires: null }], history))).toBe('CONFIG');
  });

  it('judges a publish attestation by an expired key unservable now (it carries no signed time)', () => {
    const dir = tempDir();
    const active = p256KeyFile(dir, 'a.pem');
    const retired = p256KeyFile(dir, 'r.pem');
    const expires = new Date('2027-01-10T12:00:00.000Z');
    const ring = loadKeyRing([
      { file: active.file, expires: null },
      { file: retired.file, expires },
    ]);
    const keyid = publishedKey(retired.key, null).keyid;
    expect(isAttestationKeyServable(keyid, ring, new Date('2027-01-01T00:00:00Z'))).toBe(true);
    expect(isAttestationKeyServable(keyid, ring, expires)).toBe(false);
    expect(isAttestationKeyServable('SHA256:unknown', ring, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });
});
