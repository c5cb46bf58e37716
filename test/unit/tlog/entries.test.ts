// What an audit checks of each signing-log entry (lib/tlog/entries.ts) and what it remembers between runs:
// registry signatures, a publish attestation's dsse entry and the attestation-issued event that must follow
// it, and the lifecycle rule (nothing signed by a key after its key-retired or key-revoked entry).
import { createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../../lib/keys/index.js';
import { auditStateText, checkEntry, finishEntries, parseAuditState, type EntryContext } from '../../../lib/tlog/index.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKey = createPublicKey(privateKey);
const keyid = keyIdOf(publicKey);
const spki = publicKey.export({ type: 'spki', format: 'der' });
const keys = new Map([[keyid, publicKey]]);
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const at = '2026-12-01T00:00:00.000Z';

function versionSigned(version: string) {
  const integrity = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
  const sig = sign('sha256', Buffer.from(`pkg@${version}:${integrity}`), privateKey).toString('base64');
  return { type: 'version-signed', name: 'pkg', version, integrity, keyid, sig, source: 'publish' };
}

const payload = Buffer.from('{"_type":"statement"}');
const dsse = {
  apiVersion: '0.0.2',
  kind: 'dsse',
  spec: {
    dsseV002: {
      payloadHash: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signatures: [{ content: 'c2ln', verifier: { publicKey: { rawBytes: spki.toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' } }],
    },
  },
};
const issued = (entry: number, extra: Record<string, unknown> = {}) => ({
  type: 'attestation-issued',
  name: 'pkg',
  version: '1.0.0',
  keyid,
  digest: `sha256:${createHash('sha256').update(payload).digest('hex')}`,
  entry,
  ...extra,
});

/** Every problem of a sequence of entries, from index 0. */
function problems(entries: unknown[], ctx: EntryContext = { keys, ended: new Map() }) {
  const found = entries.flatMap((e, i) => checkEntry(ctx, i, bytes(e)));
  return [...found, ...finishEntries(ctx)];
}

describe('checkEntry', () => {
  it('accepts the three entry kinds in their order', () => {
    expect(problems([{ type: 'key-added', keyid, at }, versionSigned('1.0.0'), dsse, issued(2), { type: 'key-retired', keyid, at }])).toEqual([]);
  });

  it('refuses any signing event by a key after its retirement or revocation', () => {
    const retired = problems([{ type: 'key-added', keyid, at }, { type: 'key-retired', keyid, at }, versionSigned('2.0.0'), dsse, issued(3)]);
    expect(retired.map((p) => p.index)).toEqual([2, 3, 4]);
    expect(retired[0]!.message).toBe(`pkg@2.0.0: signed by ${keyid} after its key-retired entry 1`);
    const revoked = problems([{ type: 'key-revoked', keyid, at }, { type: 'key-retired', keyid, at }, versionSigned('2.0.0')]);
    expect(revoked[0]!.message).toContain('after its key-revoked entry 0'); // a later retirement does not soften a revocation
  });

  it('ties attestation-issued to the dsse entry just before it: same key, same payload digest', () => {
    expect(problems([dsse, versionSigned('1.0.0')]).map((p) => [p.index, p.message])).toEqual([
      [0, 'the dsse entry 0 is not followed by its attestation-issued event'],
    ]);
    expect(problems([dsse])).toHaveLength(1);
    expect(problems([versionSigned('1.0.0'), issued(0)])[0]!.message).toContain('names entry 0, not the dsse entry just before it');
    expect(problems([dsse, issued(0, { digest: 'sha256:00' })])[0]!.message).toContain('states payload digest sha256:00');
    const other = keyIdOf(createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey));
    expect(problems([dsse, issued(0, { keyid: other })]).map((p) => p.message)).toContain(
      `the publish attestation of pkg@1.0.0 is by ${other}, but its dsse entry 0 by ${keyid}`,
    );
  });

  it('refuses unknown types, malformed entries and keys the registry does not list, only when given the keys', () => {
    const bad = [{ type: 'mystery' }, { type: 'key-added', keyid }, { ...dsse, apiVersion: '0.0.1' }];
    expect(problems(bad).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(problems([versionSigned('1.0.0')], { keys: new Map(), ended: new Map() })[0]!.message).toContain('which the registry does not list');
    expect(checkEntry({ keys: undefined, ended: new Map() }, 0, Buffer.from('{"type":"mystery"}'))).toEqual([]);
  });
});

describe('the audit state', () => {
  const state = { registry: 'http://r/', key: 'k', checkpoint: 'c\n', frontier: { size: 1, subtrees: [{ size: 1, hash: Buffer.alloc(32) }] } };

  it('remembers ended keys across runs, and reads a state written before it had them', () => {
    const withEnded = { ...state, endedKeys: [{ keyid, event: 'key-retired' as const, index: 4 }] };
    expect(parseAuditState(auditStateText(withEnded))).toEqual(withEnded);
    const old = JSON.parse(auditStateText(state)) as Record<string, unknown>;
    delete old['endedKeys'];
    expect(parseAuditState(JSON.stringify(old))).toEqual({ ...state, endedKeys: [] });
    expect(() => parseAuditState(JSON.stringify({ ...old, endedKeys: [{ keyid, event: 'key-added', index: 1 }] }))).toThrow();
  });
});
