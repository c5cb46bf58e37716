// judgeRegistry: which registry keys count, from what the registry serves, what vouch.lock pinned and
// what the policy pins; a rotation is a key endorsed by a pinned key. Real P-256 keys throughout.
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LockRegistry } from '../../../lib/lock/types.js';
import { judgeRegistry } from '../../../lib/policy/registry-trust.js';
import type { RegistryPolicy } from '../../../lib/policy/policy.js';
import { keyIdOf } from '../../../lib/keys/index.js';
import { endorsementMessage } from '../../../lib/verify/key-endorsement.js';
import type { RegistryKey, RegistryKeysSeen } from '../../../lib/verify/types.js';

const URL = 'http://127.0.0.1:4873/';

interface TestKey {
  keyid: string;
  key: string;
  privateKey: KeyObject;
}
function newKey(): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return { keyid: keyIdOf(key), key, privateKey };
}
const served = (k: TestKey, extra: Partial<RegistryKey> = {}): RegistryKey => ({ keyid: k.keyid, key: k.key, expires: null, ...extra });
const endorse = (endorsed: TestKey, by: TestKey) => ({
  keyid: by.keyid,
  sig: sign('sha256', Buffer.from(endorsementMessage(endorsed.keyid, endorsed.key)), by.privateKey).toString('base64'),
});
const pinned = (...keys: TestKey[]): LockRegistry => ({ keys: Object.fromEntries(keys.map((k) => [k.keyid, { key: k.key }])) });
const seen = (...keys: RegistryKey[]): RegistryKeysSeen => ({ url: URL, state: keys.length > 0 ? 'served' : 'none', keys });
const codes = (j: ReturnType<typeof judgeRegistry>) => j.summary.findings.map((f) => f.code);

describe('judgeRegistry', () => {
  const a = newKey();
  const b = newKey();

  it('trusts what it sees first (trust on first use) and pins it', () => {
    const j = judgeRegistry({ seen: seen(served(a)), pinned: undefined, policy: undefined });
    expect(j.summary).toMatchObject({ decision: 'allow', findings: [] });
    expect([...j.trust.trusted]).toEqual([a.keyid]);
    expect(j.pin).toEqual({ keys: { [a.keyid]: { key: a.key } } });
  });

  it('denies a key nothing pinned and nothing endorsed (REGISTRY_KEY_ADDED), keeps trusting the pinned one', () => {
    const j = judgeRegistry({ seen: seen(served(a), served(b)), pinned: pinned(a), policy: undefined });
    expect(codes(j)).toEqual(['REGISTRY_KEY_ADDED']);
    expect(j.summary.decision).toBe('deny');
    expect([...j.trust.trusted]).toEqual([a.keyid]);
  });

  it('accepts a new key a pinned key endorsed (a rotation), and pins it next to the old one with its expiry', () => {
    const retired = new Date('2027-01-10T12:00:00Z');
    const j = judgeRegistry({
      seen: seen(served(b, { endorsements: [endorse(b, a)] }), served(a, { expires: retired })),
      pinned: pinned(a),
      policy: undefined,
    });
    expect(j.summary.findings).toEqual([]);
    expect([...j.trust.trusted].sort()).toEqual([a.keyid, b.keyid].sort());
    expect(j.pin?.keys[a.keyid]).toEqual({ key: a.key, expires: retired.toISOString() });
    expect(j.pin?.keys[b.keyid]).toEqual({ key: b.key });
  });

  it('follows a chain of rotations, but not an endorsement by a key that is not trusted', () => {
    const c = newKey();
    const chain = judgeRegistry({
      seen: seen(served(a), served(b, { endorsements: [endorse(b, a)] }), served(c, { endorsements: [endorse(c, b)] })),
      pinned: pinned(a),
      policy: undefined,
    });
    expect(chain.summary.findings).toEqual([]);
    const stranger = newKey();
    const forged = judgeRegistry({ seen: seen(served(a), served(c, { endorsements: [endorse(c, stranger)] })), pinned: pinned(a), policy: undefined });
    expect(codes(forged)).toEqual(['REGISTRY_KEY_ADDED']);
  });

  it('refuses an endorsement over other key material (the signature covers the id and the key)', () => {
    const swapped = { ...served(b), key: newKey().key, endorsements: [endorse(b, a)] };
    const j = judgeRegistry({ seen: seen(served(a), swapped), pinned: pinned(a), policy: undefined });
    expect(codes(j)).toEqual(['REGISTRY_KEY_INVALID']);
  });

  it('denies a pinned key the registry no longer lists (REGISTRY_KEY_REMOVED)', () => {
    expect(codes(judgeRegistry({ seen: seen(served(b, { endorsements: [endorse(b, a)] })), pinned: pinned(a), policy: undefined }))).toEqual([
      'REGISTRY_KEY_REMOVED',
    ]);
  });

  it('denies a registry with pinned keys that now serves none (REGISTRY_KEYS_MISSING): a stripping mirror', () => {
    expect(codes(judgeRegistry({ seen: seen(), pinned: pinned(a), policy: undefined }))).toEqual(['REGISTRY_KEYS_MISSING']);
  });

  it('keeps a revocation once seen, even when the registry stops saying so, and never trusts that key again', () => {
    const revokedAt = new Date('2027-02-01T00:00:00Z');
    const first = judgeRegistry({
      seen: seen(served(a, { revoked: revokedAt }), served(b, { endorsements: [endorse(b, a)] })),
      pinned: pinned(a),
      policy: undefined,
    });
    expect(first.trust.revoked.get(a.keyid)).toEqual(revokedAt);
    expect(first.trust.trusted.has(a.keyid)).toBe(false);
    const later = judgeRegistry({ seen: seen(served(a), served(b)), pinned: first.pin, policy: undefined });
    expect(later.trust.revoked.get(a.keyid)).toEqual(revokedAt);
    expect(later.trust.trusted.has(a.keyid)).toBe(false);
    expect(later.pin?.keys[a.keyid]?.revoked).toBe(revokedAt.toISOString());
  });

  it('with policy pinnedKeys, trusts only those (and what they endorse) from the first run on', () => {
    const policy: RegistryPolicy = { keys: 'required', path: `registries["${URL}"]`, pinnedKeys: [a.keyid] };
    expect(codes(judgeRegistry({ seen: seen(served(b)), pinned: undefined, policy }))).toEqual(['REGISTRY_KEY_ADDED', 'REGISTRY_KEY_REMOVED']);
    expect(codes(judgeRegistry({ seen: seen(served(a)), pinned: undefined, policy }))).toEqual([]);
  });

  it('judges nothing for registry.npmjs.org (keys pinned by vouch from the TUF seed) or an unreachable registry', () => {
    expect(
      judgeRegistry({ seen: { url: 'https://registry.npmjs.org/', state: 'pinned', keys: [served(a)] }, pinned: undefined, policy: undefined }),
    ).toMatchObject({ summary: { findings: [] }, trust: { needsSignedTime: false } });
    expect(judgeRegistry({ seen: { url: URL, state: 'unreachable', keys: [] }, pinned: pinned(a), policy: undefined })).toMatchObject({
      summary: { findings: [] },
      pin: pinned(a),
    });
  });
});

describe('judgeRegistry: the signing log in the pin', () => {
  const a = newKey();
  const checkpoint = { key: 'vouch-registry/0f3a+0a1b2c3d+AQ==', size: 12, root: Buffer.alloc(32, 7).toString('base64') };

  it('pins the log checkpoint this run verified, and keeps the recorded one when the log was not checked', () => {
    const verified = judgeRegistry({
      seen: { ...seen(served(a)), log: { state: 'consistent', size: 12, problems: [], checkpoint } },
      pinned: undefined,
      policy: undefined,
    });
    expect(verified.pin?.log).toEqual(checkpoint);
    const unchecked = judgeRegistry({ seen: seen(served(a)), pinned: { ...pinned(a), log: checkpoint }, policy: undefined });
    expect(unchecked.pin?.log).toEqual(checkpoint);
  });

  it('an inconsistent log denies (LOG_INCONSISTENT) and pins no newer checkpoint', () => {
    const j = judgeRegistry({
      seen: { ...seen(served(a)), log: { state: 'inconsistent', size: 12, problems: ['forked'] } },
      pinned: { ...pinned(a), log: checkpoint },
      policy: undefined,
    });
    expect(codes(j)).toEqual(['LOG_INCONSISTENT']);
    expect(j.pin?.log).toEqual(checkpoint);
  });
});

describe('judgeRegistry: witnesses', () => {
  const a = newKey();
  it('a checkpoint fewer witnesses cosigned than the policy requires: LOG_UNWITNESSED, naming the policy line', () => {
    const policy = { keys: 'required' as const, path: 'registries["http://127.0.0.1:4873/"]', witnesses: { keys: ['w+00000000+BA=='], require: 1 } };
    const log = {
      state: 'consistent' as const,
      size: 3,
      problems: [],
      witnesses: { require: 1, cosigned: [], problem: 'its checkpoint of 3 entries is cosigned by 0 of the 1 witnesses the policy requires' },
    };
    const j = judgeRegistry({ seen: { ...seen(served(a)), log }, pinned: undefined, policy });
    expect(codes(j)).toEqual(['LOG_UNWITNESSED']);
    expect(j.summary.findings[0]).toMatchObject({ severity: 'deny', rule: 'registries["http://127.0.0.1:4873/"].witnesses' });
    const ok = judgeRegistry({
      seen: { ...seen(served(a)), log: { ...log, witnesses: { require: 1, cosigned: [{ name: 'w', time: new Date() }] } } },
      pinned: undefined,
      policy,
    });
    expect(codes(ok)).toEqual([]);
  });
});
