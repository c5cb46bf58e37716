// C2SP tlog-cosignature/v1 (lib/tlog/cosignature.ts) against transparency-dev's keys and signatures, the
// spec's message example, and generated cases (seeded: a failure names its seed).
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import {
  COSIGNATURE_V1,
  cosignatureLine,
  cosignatureMessage,
  cosignatureTime,
  cosignedBy,
  cosignerVerifierKey,
  ed25519Cosigner,
  parseCosignerKey,
} from '../../../lib/tlog/cosignature.js';
import { NoteError, ed25519Signer, openNote, parseVerifierKey, rawEd25519, signNote, splitNote, verifierKey } from '../../../lib/tlog/note.js';
import { goPrivateKey } from '../../support/go-note-keys.js';
import { mulberry32 } from '../../support/prng.js';

interface Vectors {
  transparencyDevWitness: { logVerifierKey: string; witnessVerifierKey: string; witnessSignerKey: string; next: string; init: string };
  transparencyDevFormats: {
    cosignerKeyNative: string;
    cosignerKeyFromEd25519: string;
    badKeys: string[];
    cosignature: string;
    cosignatureTime: number;
    notACosignature: string;
  };
  liveCheckpoint: { logVerifierKey: string; witnessVerifierKey: string; note: string };
}
const vectors = JSON.parse(readFileSync(packagePath('fixtures/real/tlog-witness-vectors.json'), 'utf8')) as Vectors;
const tdw = vectors.transparencyDevWitness;
const tdf = vectors.transparencyDevFormats;
const live = vectors.liveCheckpoint;

const bodyOf = (note: string) => splitNote(note).text;
const fresh = (name: string) => ed25519Cosigner(name, generateKeyPairSync('ed25519').privateKey);

describe('cosigner keys', () => {
  it("reads transparency-dev's native cosigner key (0x04) and writes it back unchanged", () => {
    const v = parseCosignerKey(tdf.cosignerKeyNative);
    expect(v.name).toBe('remora.n621.de');
    expect(v.keyId.toString(16).padStart(8, '0')).toBe('da77ade7');
    expect(v.verifierKey).toBe(tdf.cosignerKeyNative);
  });

  it('takes an Ed25519 note key (0x01) as the same key cosigning, with the cosignature key ID', () => {
    const v = parseCosignerKey(tdf.cosignerKeyFromEd25519);
    const key = Buffer.from(tdf.cosignerKeyFromEd25519.split('+').slice(2).join('+'), 'base64').subarray(1);
    expect(v.name).toBe('TEST');
    expect(v.keyId).toBe(createHash('sha256').update('TEST\n').update(Uint8Array.of(COSIGNATURE_V1)).update(key).digest().readUInt32BE(0));
    expect(v.verifierKey).toBe(cosignerVerifierKey('TEST', key));
  });

  it('rejects malformed keys, a wrong key ID and other signature types', () => {
    for (const bad of [...tdf.badKeys, tdf.cosignerKeyNative.replace('da77ade7', '00000000'), 'x+00000000+AgAA']) {
      expect(() => parseCosignerKey(bad), bad).toThrow(NoteError);
    }
  });
});

describe('cosignature/v1', () => {
  it("reads the signed time of transparency-dev's cosignature, and none from a plain note signature", () => {
    expect(cosignatureTime(Buffer.from(tdf.cosignature, 'base64').subarray(4))).toBe(tdf.cosignatureTime);
    expect(cosignatureTime(Buffer.from(tdf.notACosignature, 'base64').subarray(4))).toBeUndefined();
  });

  it("verifies a real witness's cosignature on a live checkpoint (remora.n621.de on a transparency.dev CT log)", () => {
    expect(openNote(live.note, [parseVerifierKey(live.logVerifierKey)]).verifiedBy.map((v) => v.name)).toEqual(['arche2025h1.staging.ct.transparency.dev']);
    const result = cosignedBy(live.note, [live.witnessVerifierKey], 1, { now: new Date('2026-12-07T00:00:00Z') });
    expect(result).toMatchObject({ satisfied: true, invalid: [], cosigned: [{ name: 'remora.n621.de', time: 1779573024 }] });
    // The other witnesses' lines are ignored, not errors; every one of them carries the same kind of timestamp.
    for (const line of splitNote(live.note).signatures.slice(2)) expect(cosignatureTime(line.signature), line.name).toBe(1779573024);
    // Another tree size: the cosignature no longer verifies.
    const changed = live.note.replace('\n1432088532\n', '\n1432088533\n');
    expect(cosignedBy(changed, [live.witnessVerifierKey], 1)).toMatchObject({ satisfied: false, invalid: [{ name: 'remora.n621.de' }] });
  });

  it("signs the spec's message: the header line, the time line, then the checkpoint body", () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(cosignatureMessage(body, 1679315147).toString('utf8')).toBe(`cosignature/v1\ntime 1679315147\n${body}`);
  });

  it("cosigns transparency-dev's checkpoint with its witness key; Go's witness verifier key (0x01) verifies it, with the time", () => {
    const { name, key } = goPrivateKey(tdw.witnessSignerKey);
    expect(parseVerifierKey(tdw.witnessVerifierKey).keyId).toBe(ed25519Signer(name, key).keyId); // the pair belongs together
    const cosigner = ed25519Cosigner(name, key);
    const line = cosignatureLine(cosigner, bodyOf(tdw.next), 1727964367);
    const bytes = Buffer.from(line.trimEnd().split(' ').at(-1)!, 'base64');
    expect(line.startsWith('\u2014 witness ')).toBe(true);
    expect(bytes.length).toBe(4 + 8 + 64);
    expect(bytes.readUInt32BE(0)).toBe(cosigner.keyId);
    expect(bytes.readBigUInt64BE(4)).toBe(1727964367n);
    const cosigned = tdw.next + line;
    const result = cosignedBy(cosigned, [tdw.witnessVerifierKey], 1);
    expect(result).toMatchObject({ satisfied: true, cosigned: [{ name: 'witness', time: 1727964367 }], invalid: [] });
    // The log's signature and the witness's open together, each with its own kind of key.
    expect(openNote(cosigned, [parseVerifierKey(tdw.logVerifierKey), parseCosignerKey(tdw.witnessVerifierKey)]).verifiedBy.map((v) => v.name)).toEqual([
      'monkeys',
      'witness',
    ]);
  });

  it('verifies what it signs and nothing changed: time, body or signature bytes (generated cases)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = mulberry32(seed);
      const pick = (n: number) => Math.floor(rand() * n);
      const cosigner = fresh(`w${seed}.example/${pick(1000)}`);
      const verifier = parseCosignerKey(cosigner.verifierKey);
      const body = `log.example/${pick(1e6)}\n${pick(2 ** 40)}\n${Buffer.from(Array.from({ length: 32 }, () => pick(256))).toString('base64')}\n${seed % 3 === 0 ? 'ext line\n' : ''}`;
      const time = pick(2 ** 48);
      const sig = cosigner.sign(body, time);
      const text = Buffer.from(body);
      expect(verifier.timeOf(text, sig), `seed ${seed}`).toBe(time);
      const flipped = Buffer.from(sig);
      const at = pick(sig.length);
      flipped[at] = flipped[at]! ^ (1 << pick(8));
      expect(verifier.timeOf(text, flipped), `seed ${seed} byte ${at}`).toBeUndefined();
      const changed = Buffer.from(body.replace('\n', 'x\n'));
      expect(verifier.timeOf(changed, sig), `seed ${seed}`).toBeUndefined();
    }
  });

  it('keeps note signatures and cosignatures apart: neither verifies as the other with the same key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const raw = rawEd25519(createPublicKey(privateKey));
    const body = 'log.example\n3\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n';
    const noteSig = splitNote(signNote(body, [ed25519Signer('w.example', privateKey)])).signatures[0]!;
    expect(cosignerVerifierKey('w.example', raw)).not.toBe(verifierKey('w.example', raw)); // one key, two key IDs
    expect(parseCosignerKey(cosignerVerifierKey('w.example', raw)).timeOf(Buffer.from(body), noteSig.signature)).toBeUndefined();
    const cosig = ed25519Cosigner('w.example', privateKey).sign(body, 5);
    expect(parseVerifierKey(verifierKey('w.example', raw)).verify(Buffer.from(body), cosig)).toBe(false);
  });

  it('refuses a negative or fractional time and a body without its final newline', () => {
    const cosigner = fresh('w.example');
    expect(() => cosigner.sign('a\n', -1)).toThrow(NoteError);
    expect(() => cosigner.sign('a\n', 1.5)).toThrow(NoteError);
    expect(() => cosigner.sign('a', 1)).toThrow(NoteError);
    const huge = Buffer.alloc(72);
    huge.writeBigUInt64BE(2n ** 63n - 1n);
    expect(cosignatureTime(huge)).toBeUndefined();
  });
});

describe('cosignedBy', () => {
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const body = 'log.example\n9\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n';
  const checkpoint = signNote(body, [ed25519Signer('log.example', logKey)]);
  const [a, b, c] = [fresh('a.example'), fresh('b.example'), fresh('c.example')];
  const keys = [a!.verifierKey, b!.verifierKey, c!.verifierKey];

  it('names the configured witnesses that cosigned, with their times, and counts them against k', () => {
    const note = checkpoint + cosignatureLine(b!, body, 200) + cosignatureLine(a!, body, 100) + cosignatureLine(fresh('stranger.example'), body, 50);
    const two = cosignedBy(note, keys, 2);
    expect(two).toMatchObject({ satisfied: true, k: 2, n: 3, invalid: [] });
    expect(two.cosigned.map((w) => [w.name, w.time])).toEqual([
      ['a.example', 100],
      ['b.example', 200],
    ]);
    expect(cosignedBy(note, keys, 3).satisfied).toBe(false);
  });

  it('counts a witness once however many lines it has (its latest time)', () => {
    const note = checkpoint + cosignatureLine(a!, body, 100) + cosignatureLine(a!, body, 300);
    expect(cosignedBy(note, keys, 1).cosigned).toEqual([expect.objectContaining({ name: 'a.example', time: 300 })]);
    expect(cosignedBy(note, keys, 2).satisfied).toBe(false);
  });

  it('does not count a cosignature over another checkpoint, a tampered one, or one timed in the future', () => {
    const other = 'log.example\n10\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n';
    const now = new Date(1_000_000 * 1000);
    const note = checkpoint + cosignatureLine(a!, other, 100) + cosignatureLine(b!, body, 1_000_000 + 3600) + cosignatureLine(c!, body, 999_999);
    const result = cosignedBy(note, keys, 1, { now });
    expect(result.cosigned.map((w) => w.name)).toEqual(['c.example']);
    expect(result.invalid.map((i) => i.name)).toEqual(['a.example', 'b.example']);
  });

  it('refuses k outside 1..n and one witness name configured twice', () => {
    expect(() => cosignedBy(checkpoint, keys, 0)).toThrow(NoteError);
    expect(() => cosignedBy(checkpoint, keys, 4)).toThrow(NoteError);
    expect(() => cosignedBy(checkpoint, [a!.verifierKey, ed25519Cosigner('a.example', generateKeyPairSync('ed25519').privateKey).verifierKey], 1)).toThrow(
      NoteError,
    );
  });
});
