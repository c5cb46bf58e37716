// Replaces @sigstore/core's ASN1Obj.prototype.toDER and ByteStream.prototype.getUint8 (dist/asn1,
// dist/stream). Checked against @sigstore/core 3.2.1.
//
// Two methods of @sigstore/core's ASN.1 code, replaced by ones with the same results and errors that
// do not allocate per node or per byte: together they were most of the CPU and garbage of bundle
// verification (profiled on 600 bundles; at 5,000 packages, ASN.1 parsing alone allocated ~750 MB).
//
// ASN1Obj.toDER: @sigstore/core re-encodes parsed ASN.1 (certificates, their TBS part, public keys) with
// ASN1Obj.toDER, which allocates a fresh 1 KiB block per node and grows it by copying: re-encoding one
// Fulcio certificate makes ~200 such blocks, and @sigstore/verify does it several times per bundle
// (chain building compares certificates by their DER, every signature check re-encodes the TBS).
// Profiled on 600 bundles it was 60% of bundle verification, plus the garbage collection it causes.
// The same code is in @sigstore/core 4.0.1, the newest release.
//
// This replaces that one method with an encoder that writes the same bytes into one buffer of the
// exact size: it measures every node once, then writes. Nothing is cached between calls, because
// @sigstore/verify edits parsed certificates in place (SCT checks remove the SCT extension and
// re-encode).
//
// ByteStream.getUint8: the parser reads each tag and length byte through getBlock(1), a new Buffer
// view per byte; the replacement reads the byte and moves on, with the same bounds check and error.
//
// Probe: both methods' sources are versions checked (digests), and on a small certificate-shaped DER
// the replacements give @sigstore/core's bytes and errors. Otherwise @sigstore/core's own methods run
// and --verbose says so.
//
// test/unit/patches/sigstore-core/asn1-fast-paths.test.ts compares both versions of each on real
// certificates and edge cases.
import { createRequire } from 'node:module';
import { notePatchDeclined, sourceDigest } from '../notes.js';

/** The shape of @sigstore/core's ASN1Obj that encoding reads. */
export interface Asn1Node {
  tag: { toDER(): number };
  value: Buffer;
  subs: Asn1Node[];
}

interface Asn1Prototype {
  toDER(this: Asn1Node): Buffer;
}

/** The fields of @sigstore/core's ByteStream that reading a byte uses. */
export interface ByteCursor {
  view: Buffer;
  start: number;
}

interface ByteStreamPrototype {
  getUint8(this: ByteCursor): number | undefined;
}

/** DER of `node` exactly as @sigstore/core 3.x encodes it: subs when it has any, else its value. */
export function encodeDer(node: Asn1Node): Buffer {
  const contentLengths: number[] = []; // per node, in the pre-order both passes walk
  const out = Buffer.allocUnsafe(measure(node, contentLengths));
  const cursor = { offset: 0, node: 0 };
  write(node, out, cursor, contentLengths);
  if (cursor.offset !== out.length) throw new Error(`DER encoder wrote ${cursor.offset} of ${out.length} bytes`); // unreachable; never hand back uninitialised memory
  return out;
}

/** Total encoded size of `node`; records each node's content length in pre-order for `write`. */
function measure(node: Asn1Node, contentLengths: number[]): number {
  const index = contentLengths.push(0) - 1;
  let content = 0;
  if (node.subs.length > 0) {
    for (const sub of node.subs) content += measure(sub, contentLengths);
  } else {
    content = node.value.length;
  }
  contentLengths[index] = content;
  return 1 + lengthOfLength(content) + content;
}

function write(node: Asn1Node, out: Buffer, cursor: { offset: number; node: number }, contentLengths: readonly number[]): void {
  const content = contentLengths[cursor.node++] ?? 0;
  out[cursor.offset++] = node.tag.toDER() & 0xff; // ByteStream.appendChar stores the tag into a byte
  cursor.offset = writeLength(content, out, cursor.offset);
  if (node.subs.length > 0) {
    for (const sub of node.subs) write(sub, out, cursor, contentLengths);
    return;
  }
  node.value.copy(out, cursor.offset);
  cursor.offset += node.value.length;
}

/** Bytes of a DER definite length: one below 128, else 1 + the bytes of the big-endian number. */
function lengthOfLength(length: number): number {
  if (length < 128) return 1;
  let bytes = 0;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++;
  return 1 + bytes;
}

function writeLength(length: number, out: Buffer, offset: number): number {
  if (length < 128) {
    out[offset] = length;
    return offset + 1;
  }
  const size = lengthOfLength(length) - 1;
  out[offset] = 0x80 | size;
  for (let i = size, rest = length; i >= 1; i--, rest = Math.floor(rest / 256)) out[offset + i] = rest % 256;
  return offset + 1 + size;
}

/** The byte at the cursor, advancing it; past the end, the error getBlock(1) throws. */
export function readUint8(this: ByteCursor): number | undefined {
  if (this.start + 1 > this.view.length) throw new Error('request past end of buffer');
  return this.view[this.start++];
}

/** ASN1Obj.prototype.toDER's replacement (one function, so installing twice changes nothing). */
function toDerInOneBuffer(this: Asn1Node): Buffer {
  return encodeDer(this);
}

/** The @sigstore/core classes the fast paths change (the real ones, or a copy in tests). */
export interface Asn1Classes {
  ASN1Obj: { prototype: Asn1Prototype; parseBuffer(buf: Buffer): Asn1Node };
  ByteStream: { prototype: ByteStreamPrototype; new (buffer?: Buffer): ByteCursor };
}

const PATCH = 'sigstore-core/asn1-fast-paths';
/** Digests (sourceDigest) of toDER and getUint8 in the @sigstore/core versions checked: 3.2.1. */
const CHECKED_TO_DER = new Set(['9bf1a6c3c7533a15']);
const CHECKED_GET_UINT8 = new Set(['f61e235b296a535f']);
/** SEQUENCE { INTEGER 5, SEQUENCE { OCTET STRING of 129 bytes (a long-form length) } }. */
const PROBE_DER = Buffer.concat([Buffer.from('30818a020105308184048181', 'hex'), Buffer.alloc(129, 7)]);

const core = sigstoreCore();
/** The methods @sigstore/core shipped with, kept for the equivalence tests. */
export const sigstoreToDer: Asn1Prototype['toDER'] = core.ASN1Obj.prototype.toDER;
export const sigstoreGetUint8: ByteStreamPrototype['getUint8'] = core.ByteStream.prototype.getUint8;

/** Why the fast paths cannot be installed on `classes`, or null when their internals are the ones checked. */
export function probeAsn1FastPaths(classes: Asn1Classes): string | null {
  const toDer = classes.ASN1Obj.prototype.toDER;
  const getUint8 = classes.ByteStream.prototype.getUint8;
  if (toDer === toDerInOneBuffer && getUint8 === readUint8) return null; // already installed
  const toDerDigest = sourceDigest(toDer);
  if (!CHECKED_TO_DER.has(toDerDigest!)) return `ASN1Obj.toDER is not a version checked (digest ${toDerDigest ?? 'none'})`;
  const getUint8Digest = sourceDigest(getUint8);
  if (!CHECKED_GET_UINT8.has(getUint8Digest!)) return `ByteStream.getUint8 is not a version checked (digest ${getUint8Digest ?? 'none'})`;
  try {
    const parsed = classes.ASN1Obj.parseBuffer(PROBE_DER);
    if (!encodeDer(parsed).equals(toDer.call(parsed)) || !encodeDer(parsed).equals(PROBE_DER)) return 'ASN1Obj.toDER encodes differently';
    const theirs = new classes.ByteStream(Buffer.from([1]));
    const ours = { view: Buffer.from([1]), start: 0 };
    if (readUint8.call(ours) !== getUint8.call(theirs)) return 'ByteStream.getUint8 reads differently';
    const pastEnd = errorOf(() => getUint8.call(theirs));
    if (pastEnd !== errorOf(() => readUint8.call(ours))) return `ByteStream.getUint8 fails differently past the end (${pastEnd})`;
  } catch (err) {
    return `the ASN.1 check threw: ${err instanceof Error ? err.message : String(err)}`;
  }
  return null;
}

function errorOf(read: () => unknown): string {
  try {
    read();
    return 'no error';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Installs `encodeDer` and `readUint8` in `classes` (by default the @sigstore/core copy that
 * @sigstore/verify loads, the one npm dedupes to the top) when the probe recognises them; otherwise
 * leaves them alone and notes why. Idempotent; returns whether that copy now uses them.
 */
export function installAsn1FastPaths(classes: Asn1Classes = core): boolean {
  const declined = probeAsn1FastPaths(classes);
  if (declined !== null) {
    notePatchDeclined(PATCH, declined);
    return false;
  }
  classes.ASN1Obj.prototype.toDER = toDerInOneBuffer;
  classes.ByteStream.prototype.getUint8 = readUint8;
  return true;
}

function sigstoreCore(): Asn1Classes {
  // Resolved from @sigstore/verify so the patched classes are the verifier's, even if a second copy existed.
  const require = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
  return require('@sigstore/core') as Asn1Classes;
}
