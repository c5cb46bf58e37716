// @sigstore/core re-encodes parsed ASN.1 (certificates, their TBS part, public keys) with
// ASN1Obj.toDER, which allocates a fresh 1 KiB block per node and grows it by copying: re-encoding one
// Fulcio certificate makes ~200 such blocks, and @sigstore/verify does it several times per bundle
// (chain building compares certificates by their DER, every signature check re-encodes the TBS).
// Profiled on 600 bundles it was 60% of bundle verification, plus the garbage collection it causes.
// The same code is in @sigstore/core 4.0.1, the newest release.
//
// This replaces that one method with an encoder that writes the same bytes into one buffer of the
// exact size: it measures every node once, then writes. Nothing is cached between calls, because
// @sigstore/verify edits parsed certificates in place (SCT checks remove the SCT extension and
// re-encode). test/unit/verify/der-encoding.test.ts compares both encoders on real certificates,
// timestamps and random trees.
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

/** DER of `node` exactly as @sigstore/core 3.x encodes it: subs when it has any, else its value. */
export function encodeDer(node: Asn1Node): Buffer {
  const lengths = new Map<Asn1Node, number>();
  const out = Buffer.allocUnsafe(measure(node, lengths));
  const end = write(node, out, 0, lengths);
  if (end !== out.length) throw new Error(`DER encoder wrote ${end} of ${out.length} bytes`); // unreachable; never hand back uninitialised memory
  return out;
}

/** Total encoded size of `node`; remembers each node's content length for `write`. */
function measure(node: Asn1Node, lengths: Map<Asn1Node, number>): number {
  let content = 0;
  if (node.subs.length > 0) {
    for (const sub of node.subs) content += measure(sub, lengths);
  } else {
    content = node.value.length;
  }
  lengths.set(node, content);
  return 1 + lengthOfLength(content) + content;
}

function write(node: Asn1Node, out: Buffer, offset: number, lengths: Map<Asn1Node, number>): number {
  const content = lengths.get(node) ?? 0;
  out[offset++] = node.tag.toDER() & 0xff; // ByteStream.appendChar stores the tag into a byte
  offset = writeLength(content, out, offset);
  if (node.subs.length > 0) {
    for (const sub of node.subs) offset = write(sub, out, offset, lengths);
    return offset;
  }
  node.value.copy(out, offset);
  return offset + node.value.length;
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

/** The encoder @sigstore/core shipped with, kept for the equivalence tests. */
export const sigstoreToDer: Asn1Prototype['toDER'] = asn1Prototype().toDER;

/**
 * Installs `encodeDer` as ASN1Obj.prototype.toDER of the @sigstore/core copy that @sigstore/verify
 * loads (the one npm dedupes to the top). Idempotent; returns whether that copy now uses it.
 */
export function installDerEncoder(): boolean {
  const proto = asn1Prototype();
  proto.toDER = function toDER(this: Asn1Node): Buffer {
    return encodeDer(this);
  };
  return proto.toDER !== sigstoreToDer;
}

function asn1Prototype(): Asn1Prototype {
  // Resolved from @sigstore/verify so the patched class is the verifier's, even if a second copy existed.
  const require = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
  const core = require('@sigstore/core') as { ASN1Obj: { prototype: Asn1Prototype } };
  return core.ASN1Obj.prototype;
}
