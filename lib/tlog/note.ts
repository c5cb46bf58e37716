// C2SP signed-note: a text signed by one or more keys, each signature line naming its key and carrying a
// 4-byte key ID. Ed25519 keys (signature type 0x01) with the key ID the spec recommends; verifier keys in
// the `name+keyid+base64(type || key)` form Go's note package and the witness network use.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

const ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
/** Enough for a checkpoint with a log signature and many witness cosignatures (the spec asks for at least 16). */
export const MAX_SIGNATURES = 100;

export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

export class NoteError extends Error {}

export function keyIdOf(name: string, type: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name).update(Uint8Array.of(0x0a, type)).update(publicKey).digest();
  return digest.readUInt32BE(0);
}

/** An Ed25519 signer; `privateKey` is a node KeyObject (e.g. from a PKCS#8 PEM). */
export function ed25519Signer(name: string, privateKey: KeyObject): NoteSigner {
  checkKeyName(name);
  const raw = rawEd25519(createPublicKey(privateKey));
  return { name, keyId: keyIdOf(name, ED25519, raw), sign: (text) => sign(null, text, privateKey) };
}

export function ed25519Verifier(name: string, publicKey: Uint8Array): NoteVerifier {
  checkKeyName(name);
  if (publicKey.length !== 32) throw new NoteError(`an Ed25519 public key is 32 bytes, not ${publicKey.length}`);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
  return { name, keyId: keyIdOf(name, ED25519, publicKey), verify: (text, signature) => signature.length === 64 && verify(null, text, key, signature) };
}

/**
 * An ECDSA verifier (signature type 0x02, as Rekor and the transparency-dev witness sign checkpoints): the key
 * ID is the first four bytes of the SHA-256 of the SPKI DER public key.
 */
export function ecdsaVerifier(name: string, spkiDer: Uint8Array): NoteVerifier {
  checkKeyName(name);
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new NoteError(`${name}: not an ECDSA key`);
  const keyId = createHash('sha256').update(spkiDer).digest().readUInt32BE(0);
  return { name, keyId, verify: (text, signature) => verify('sha256', text, key, signature) };
}

/** `name+hex8+base64(0x01 || key)`, the verifier key string of Go's note package. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  const keyId = ed25519Verifier(name, publicKey).keyId;
  return `${name}+${keyId.toString(16).padStart(8, '0')}+${Buffer.concat([Uint8Array.of(ED25519), publicKey]).toString('base64')}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  // name+id+key, where the base64 key may itself hold "+" (Go's NewVerifier cuts at the first two).
  const [name, id, ...rest] = text.split('+');
  const key = rest.join('+');
  if (!name || !id || !key || !/^[0-9a-f]{8}$/.test(id)) throw new NoteError('a verifier key is name+keyid+base64 key');
  const bytes = Buffer.from(key, 'base64');
  if (bytes[0] !== ED25519) throw new NoteError(`unsupported signature type ${bytes[0] ?? 'none'} (only Ed25519, 0x01)`);
  const verifier = ed25519Verifier(name, bytes.subarray(1));
  if (verifier.keyId !== Number.parseInt(id, 16)) throw new NoteError(`verifier key ${name}: key id ${id} does not match the key`);
  return verifier;
}

export function rawEd25519(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new NoteError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** The signed note: the text (ending in a newline), a blank line, one signature line per signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  const bytes = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => `${SIGNATURE_PREFIX}${s.name} ${Buffer.concat([keyIdBytes(s.keyId), s.sign(bytes)]).toString('base64')}\n`);
  return `${text}\n${lines.join('')}`;
}

/** A signed note's signature lines, as found (key name, key ID, signature bytes). */
export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export interface OpenedNote {
  text: string;
  signatures: NoteSignature[];
  /** The known keys whose signatures verified. */
  verifiedBy: NoteVerifier[];
}

/**
 * Opens a note: its text is trusted only if a known key signed it. Signatures by unknown keys are ignored
 * (witness cosignatures for another verifier); one by a known key that does not verify rejects the note.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = splitNote(note);
  const bytes = Buffer.from(text, 'utf8');
  const verifiedBy: NoteVerifier[] = [];
  for (const sig of signatures) {
    const known = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!known) continue;
    if (!known.verify(bytes, sig.signature)) throw new NoteError(`the signature of ${sig.name} does not verify`);
    verifiedBy.push(known);
  }
  if (verifiedBy.length === 0) throw new NoteError(`no known key signed the note (signed by ${signatures.map((s) => s.name).join(', ') || 'nobody'})`);
  return { text, signatures, verifiedBy };
}

export function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError('a note holds no control characters but newlines');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('a note is text, a blank line, and signature lines ending in a newline');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError(`more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map(parseSignatureLine);
  return { text, signatures };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError(`not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.lastIndexOf(' ');
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (space <= 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new NoteError(`malformed signature line for ${JSON.stringify(name)}`);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 5) throw new NoteError(`signature of ${name} is too short`);
  return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

function checkText(text: string): void {
  if (!text.endsWith('\n') || /[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new NoteError('note text ends in a newline and holds no control characters but newlines');
  }
}

function checkKeyName(name: string): void {
  if (name === '' || /[\s+]/u.test(name)) throw new NoteError(`a key name is non-empty, without spaces or "+": ${JSON.stringify(name)}`);
}

function keyIdBytes(keyId: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(keyId);
  return bytes;
}

/**
 * The full SHA-256 a C2SP key ID is the first four bytes of: sha256(name ‖ "\n" ‖ type ‖ key). Rekor v2's
 * trusted roots name a log by it (logId.keyId), so a checkpoint's key hint is its prefix.
 */
export function noteKeyHash(name: string, type: number, publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update(Uint8Array.of(0x0a, type)).update(publicKey).digest();
}

/** The name and raw Ed25519 key of a verifier key, and its full C2SP key hash; throws NoteError as parseVerifierKey does. */
export function verifierKeyMaterial(text: string): { name: string; publicKey: Uint8Array; keyHash: Buffer } {
  const { name } = parseVerifierKey(text);
  const publicKey = Buffer.from(text.split('+').slice(2).join('+'), 'base64').subarray(1);
  return { name, publicKey, keyHash: noteKeyHash(name, ED25519, publicKey) };
}
