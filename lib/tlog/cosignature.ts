// C2SP tlog-cosignature/v1, Ed25519 (signature type 0x04): a witness's statement that, at a time it signs,
// the checkpoint is the largest consistent tree it has seen of that log. Decides only: keys and `now` are
// arguments. Trusts nothing in a note but signatures by the cosigner keys it is given.
//
// API
//   ed25519Cosigner(name, privateKey)            → Cosigner: signs checkpoint bodies at a given time
//   cosignatureLine(cosigner, body, time)        → "— name base64(keyid ‖ u64 time ‖ sig)\n"
//   cosignerVerifierKey(name, publicKey)         → "name+keyid+base64(0x04 ‖ key)" (c2sp.org/signed-note vkey)
//   parseCosignerKey(vkey)                       → CosignatureVerifier (also a NoteVerifier for openNote)
//   cosignatureTime(signature)                   → the signed timestamp (seconds) of a cosignature's bytes
//   cosignedBy(note, witnessKeys, k, { now })    → which named witnesses cosigned the note, and when
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { NoteError, keyIdOf, rawEd25519, splitNote, type NoteVerifier } from './note.js';

/** The signature type byte of an Ed25519 cosignature/v1 key (its key ID and vkey). */
export const COSIGNATURE_V1 = 0x04;
const NOTE_ED25519 = 0x01;
const TIME_BYTES = 8;
const SIGNATURE_BYTES = 64;
/** The spec's bound on a timestamp is 2^63 - 1; a JavaScript number is exact only to 2^53 - 1 seconds. */
const MAX_TIME = Number.MAX_SAFE_INTEGER;

export interface Cosigner {
  name: string;
  keyId: number;
  /** The witness's verifier key, as clients configure it. */
  verifierKey: string;
  /** The timestamped signature (u64 time ‖ Ed25519 signature) over `body` at `time` (POSIX seconds). */
  sign(body: string, time: number): Uint8Array;
}

/** A cosigner's public key: a NoteVerifier (so openNote accepts its lines) that also reads the signed time. */
export interface CosignatureVerifier extends NoteVerifier {
  verifierKey: string;
  /** The signed time in seconds if `signature` (u64 time ‖ sig, without the key ID) verifies over `text`. */
  timeOf(text: Uint8Array, signature: Uint8Array): number | undefined;
}

/** The message a cosignature/v1 signs: a header line, the time line, then the whole checkpoint body. */
export function cosignatureMessage(body: string | Uint8Array, time: number | bigint): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time.toString()}\n`, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

export function ed25519Cosigner(name: string, privateKey: KeyObject): Cosigner {
  const raw = rawEd25519(createPublicKey(privateKey));
  const { keyId, verifierKey } = cosignatureVerifier(name, raw);
  return {
    name,
    keyId,
    verifierKey,
    sign(body, time) {
      if (!Number.isSafeInteger(time) || time < 0) throw new NoteError(`a cosignature time is whole seconds since 1970, not ${time}`);
      if (!body.endsWith('\n')) throw new NoteError('a cosigned checkpoint body ends in a newline');
      const stamp = Buffer.alloc(TIME_BYTES);
      stamp.writeBigUInt64BE(BigInt(time));
      return Buffer.concat([stamp, sign(null, cosignatureMessage(body, time), privateKey)]);
    },
  };
}

/** One signature line of the cosigner over `body` at `time`, ready to append to the checkpoint note. */
export function cosignatureLine(cosigner: Cosigner, body: string, time: number): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(cosigner.keyId);
  return `\u2014 ${cosigner.name} ${Buffer.concat([id, cosigner.sign(body, time)]).toString('base64')}\n`;
}

export function cosignerVerifierKey(name: string, publicKey: Uint8Array): string {
  return cosignatureVerifier(name, publicKey).verifierKey;
}

export function cosignatureVerifier(name: string, publicKey: Uint8Array): CosignatureVerifier {
  if (name === '' || /[\s+]/u.test(name)) throw new NoteError(`a key name is non-empty, without spaces or "+": ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new NoteError(`an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  const keyId = keyIdOf(name, COSIGNATURE_V1, publicKey);
  const timeOf = (text: Uint8Array, signature: Uint8Array): number | undefined => {
    const time = cosignatureTime(signature);
    if (time === undefined) return undefined;
    return verify(null, cosignatureMessage(text, time), key, signature.subarray(TIME_BYTES)) ? time : undefined;
  };
  return {
    name,
    keyId,
    timeOf,
    verify: (text, signature) => timeOf(text, signature) !== undefined,
    verifierKey: `${name}+${keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Uint8Array.of(COSIGNATURE_V1), publicKey]).toString('base64')}`,
  };
}

/**
 * A witness's verifier key, `name+keyid+base64(0x04 ‖ key)`. An Ed25519 note key (0x01) is taken as the same
 * key cosigning, as Go's NewVerifierForCosignatureV1 does; its key ID is then the cosignature one.
 */
export function parseCosignerKey(text: string): CosignatureVerifier {
  const [name, id, ...rest] = text.trim().split('+'); // the base64 key may itself hold "+"
  const key = rest.join('+');
  if (!name || !id || !key || !/^[0-9a-f]{8}$/.test(id))
    throw new NoteError(`a witness key is name+keyid+base64 key, not ${JSON.stringify(text.slice(0, 80))}`);
  const bytes = Buffer.from(key, 'base64');
  if (bytes.toString('base64') !== key) throw new NoteError(`witness key ${name}: the key is not base64`);
  const type = bytes[0];
  if (type !== COSIGNATURE_V1 && type !== NOTE_ED25519) {
    throw new NoteError(`witness key ${name}: signature type ${type ?? 'none'} is not an Ed25519 cosignature (0x04) or Ed25519 (0x01) key`);
  }
  const publicKey = bytes.subarray(1);
  if (publicKey.length !== 32) throw new NoteError(`witness key ${name}: an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  if (keyIdOf(name, type, publicKey) !== Number.parseInt(id, 16)) throw new NoteError(`witness key ${name}: key id ${id} does not match the key`);
  return cosignatureVerifier(name, publicKey);
}

/** The timestamp of a cosignature (its bytes after the 4-byte key ID), or undefined if it is not one. */
export function cosignatureTime(signature: Uint8Array): number | undefined {
  if (signature.length !== TIME_BYTES + SIGNATURE_BYTES) return undefined;
  const time = Buffer.from(signature.buffer, signature.byteOffset, TIME_BYTES).readBigUInt64BE(0);
  return time <= BigInt(MAX_TIME) ? Number(time) : undefined;
}

/** One witness whose cosignature verified, and the time it signed. */
export interface WitnessCosignature {
  name: string;
  keyId: number;
  verifierKey: string;
  /** POSIX seconds, as signed. */
  time: number;
}

export interface CosignedBy {
  /** The named witnesses whose cosignature verified, one each (its latest time), sorted by name. */
  cosigned: WitnessCosignature[];
  /** Lines naming a configured witness (name and key ID) that do not verify, or are timed after `now`. */
  invalid: { name: string; reason: string }[];
  k: number;
  n: number;
  /** At least k distinct configured witnesses cosigned. */
  satisfied: boolean;
}

/**
 * Which of the configured witnesses cosigned a checkpoint note, and when. Signature lines by other keys
 * (the log's own, witnesses not configured) are ignored, as the spec requires. Does not check the log's
 * signature: open the note with the log key for that. With `now`, a cosignature timed later than
 * now + `skewSeconds` (default 300) does not count: a witness's clock cannot vouch for the future.
 */
export function cosignedBy(
  note: string,
  witnessKeys: readonly (string | CosignatureVerifier)[],
  k: number,
  opts: { now?: Date; skewSeconds?: number } = {},
): CosignedBy {
  const verifiers = witnessKeys.map((w) => (typeof w === 'string' ? parseCosignerKey(w) : w));
  const names = new Set(verifiers.map((v) => v.name));
  if (names.size !== verifiers.length) throw new NoteError('each witness is named once (one key per witness name)');
  if (!Number.isInteger(k) || k < 1 || k > verifiers.length) throw new NoteError(`k of n witnesses needs 1 <= k <= n (${verifiers.length}), not ${k}`);
  const { text, signatures } = splitNote(note);
  const bytes = Buffer.from(text, 'utf8');
  const latest = opts.now ? Math.floor(opts.now.getTime() / 1000) + (opts.skewSeconds ?? 300) : Number.POSITIVE_INFINITY;
  const found = new Map<string, WitnessCosignature>();
  const invalid: CosignedBy['invalid'] = [];
  for (const line of signatures) {
    const verifier = verifiers.find((v) => v.name === line.name && v.keyId === line.keyId);
    if (!verifier) continue;
    const time = verifier.timeOf(bytes, line.signature);
    if (time === undefined) {
      invalid.push({ name: line.name, reason: 'the cosignature does not verify' });
    } else if (time > latest) {
      invalid.push({ name: line.name, reason: `cosigned at ${new Date(time * 1000).toISOString()}, in the future` });
    } else if ((found.get(verifier.name)?.time ?? -1) < time) {
      found.set(verifier.name, { name: verifier.name, keyId: verifier.keyId, verifierKey: verifier.verifierKey, time });
    }
  }
  const cosigned = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { cosigned, invalid, k, n: verifiers.length, satisfied: cosigned.length >= k };
}
