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
// test/unit/verify/asn1-fast-paths.test.ts compares both versions of each on real certificates and
// edge cases.
import { createRequire } from 'node:module';

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

const core = sigstoreCore();
/** The methods @sigstore/core shipped with, kept for the equivalence tests. */
export const sigstoreToDer: Asn1Prototype['toDER'] = core.ASN1Obj.prototype.toDER;
export const sigstoreGetUint8: ByteStreamPrototype['getUint8'] = core.ByteStream.prototype.getUint8;

/**
 * Installs `encodeDer` and `readUint8` in the @sigstore/core copy that @sigstore/verify loads (the
 * one npm dedupes to the top). Idempotent; returns whether that copy now uses them.
 */
export function installAsn1FastPaths(): boolean {
  core.ASN1Obj.prototype.toDER = toDerInOneBuffer;
  core.ByteStream.prototype.getUint8 = readUint8;
  return core.ASN1Obj.prototype.toDER !== sigstoreToDer && core.ByteStream.prototype.getUint8 !== sigstoreGetUint8;
}

function sigstoreCore(): { ASN1Obj: { prototype: Asn1Prototype }; ByteStream: { prototype: ByteStreamPrototype } } {
  // Resolved from @sigstore/verify so the patched classes are the verifier's, even if a second copy existed.
  const require = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
  return require('@sigstore/core') as ReturnType<typeof sigstoreCore>;
}
