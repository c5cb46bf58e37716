import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { keySigner } from '../../../lib/sign/index.js';
import { keyIdOf } from '../../../lib/keys/index.js';
import { checkEndorsement, endorsementMessage, endorsersOf, keyIdMatches, signEndorsement, type EndorsableKey } from '../../../lib/verify/key-endorsement.js';

type EndpointFixture = { keys: { expires: string | null; keyid: string; key: string }[] };
const npmKeys = (JSON.parse(readFileSync(packagePath('fixtures', 'real', 'registry-npmjs-keys-endpoint.json'), 'utf8')) as EndpointFixture).keys;

function p256(): { privateKey: KeyObject; entry: EndorsableKey } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, entry: { keyid: keyIdOf(privateKey), key } };
}

describe('endorsementMessage', () => {
  it('is the context, the keyid and the base64 key, one space apart', () => {
    expect(endorsementMessage('SHA256:abc', 'MFkw')).toBe('vouch:key-endorsement:v1 SHA256:abc MFkw');
  });
});

describe('keyIdMatches', () => {
  it('accepts both real npm registry keys as their endpoint lists them', () => {
    expect(npmKeys).toHaveLength(2);
    for (const k of npmKeys) expect([k.keyid, keyIdMatches(k)]).toEqual([k.keyid, true]);
  });

  it("rejects a real npm key listed under the other key's keyid", () => {
    const [a, b] = npmKeys;
    expect(keyIdMatches({ keyid: b!.keyid, key: a!.key })).toBe(false);
  });

  it('rejects garbage, non-strings, a non-P-256 key and a truncated key without throwing', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    const edEntry = { keyid: keyIdOf(ed), key: ed.export({ type: 'spki', format: 'der' }).toString('base64') };
    const real = npmKeys[0]!;
    for (const entry of [
      { keyid: real.keyid, key: 'not base64 !!' },
      { keyid: real.keyid, key: '' },
      { keyid: real.keyid, key: real.key.slice(0, 40) },
      { keyid: 42, key: real.key },
      { keyid: real.keyid, key: null },
      edEntry,
    ])
      expect(keyIdMatches(entry)).toBe(false);
  });
});

describe('checkEndorsement', () => {
  it('accepts an endorsement of the new key by the old key', async () => {
    const oldKey = p256();
    const newKey = p256();
    const endorsement = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    expect(endorsement.keyid).toBe(oldKey.entry.keyid);
    expect(checkEndorsement(newKey.entry, endorsement, oldKey.entry)).toBe(true);
  });

  it('signs deterministically (RFC 6979): the same endorsement twice gives the same bytes', async () => {
    const oldKey = p256();
    const newKey = p256();
    const a = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    const b = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    expect(a).toEqual(b);
  });

  it('rejects an endorsement checked against another signer than the one that made it', async () => {
    const oldKey = p256();
    const other = p256();
    const newKey = p256();
    const endorsement = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    expect(checkEndorsement(newKey.entry, { ...endorsement, keyid: other.entry.keyid }, other.entry)).toBe(false);
    expect(checkEndorsement(newKey.entry, endorsement, { keyid: oldKey.entry.keyid, key: other.entry.key })).toBe(false);
  });

  it('rejects it when the endorsed key or its keyid was changed', async () => {
    const oldKey = p256();
    const newKey = p256();
    const attacker = p256();
    const endorsement = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    expect(checkEndorsement({ keyid: newKey.entry.keyid, key: attacker.entry.key }, endorsement, oldKey.entry)).toBe(false);
    expect(checkEndorsement({ keyid: attacker.entry.keyid, key: newKey.entry.key }, endorsement, oldKey.entry)).toBe(false);
    expect(checkEndorsement(attacker.entry, endorsement, oldKey.entry)).toBe(false);
  });

  it('rejects a key endorsing itself', async () => {
    const key = p256();
    const endorsement = await signEndorsement(key.entry, keySigner(key.privateKey));
    expect(checkEndorsement(key.entry, endorsement, key.entry)).toBe(false);
  });

  it('returns false, never throws, for garbage base64, garbage keys and wrong types', async () => {
    const oldKey = p256();
    const newKey = p256();
    const good = await signEndorsement(newKey.entry, keySigner(oldKey.privateKey));
    const cases: [EndorsableKey, { keyid: string; sig: string }, EndorsableKey][] = [
      [newKey.entry, { ...good, sig: '%%% not base64 %%%' }, oldKey.entry],
      [newKey.entry, { ...good, sig: '' }, oldKey.entry],
      [newKey.entry, { ...good, sig: Buffer.from('garbage').toString('base64') }, oldKey.entry],
      [newKey.entry, good, { keyid: oldKey.entry.keyid, key: 'AAAA' }],
      [{ keyid: newKey.entry.keyid, key: '###' }, good, oldKey.entry],
      [newKey.entry, { keyid: good.keyid, sig: 7 as unknown as string }, oldKey.entry],
    ];
    for (const [endorsed, endorsement, endorser] of cases) {
      expect(() => checkEndorsement(endorsed, endorsement, endorser)).not.toThrow();
      expect(checkEndorsement(endorsed, endorsement, endorser)).toBe(false);
    }
  });
});

describe('endorsersOf', () => {
  it('names the trusted keys whose endorsements verify and ignores the rest', async () => {
    const oldKey = p256();
    const stranger = p256();
    const newKey = p256();
    const entry = {
      ...newKey.entry,
      endorsements: [
        await signEndorsement(newKey.entry, keySigner(oldKey.privateKey)),
        await signEndorsement(newKey.entry, keySigner(stranger.privateKey)),
        { keyid: oldKey.entry.keyid, sig: 'AAAA' },
        'junk',
        null,
      ],
    };
    expect(endorsersOf(entry, [oldKey.entry])).toEqual([oldKey.entry.keyid]);
    expect(endorsersOf({ ...newKey.entry, endorsements: 'nope' }, [oldKey.entry])).toEqual([]);
    expect(endorsersOf(newKey.entry, [oldKey.entry])).toEqual([]);
  });
});
