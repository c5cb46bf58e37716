// lib/patches/sigstore-core/asn1-fast-paths.ts: the DER encoder must write exactly the bytes @sigstore/core's own encoder
// writes, on every node of real certificates, after the in-place edit @sigstore/verify makes for SCT
// checks, and on trees whose lengths cross every length-of-length boundary; the byte reader must return
// and throw what @sigstore/core's does.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ASN1Obj, ByteStream, EXTENSION_OID_SCT, X509Certificate } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import {
  encodeDer,
  installAsn1FastPaths,
  probeAsn1FastPaths,
  readUint8,
  sigstoreGetUint8,
  sigstoreToDer,
  type Asn1Classes,
  type Asn1Node,
  type ByteCursor,
} from '../../../../lib/patches/sigstore-core/asn1-fast-paths.js';
import { patchNotes } from '../../../../lib/patches/index.js';
import { fixture } from '../../verify/attestations-fixtures.js';

/** Every base64 certificate `rawBytes`, and any RFC 3161 `signedTimestamp`, in the real fixtures. */
function realDerBlobs(): { origin: string; der: Buffer<ArrayBuffer> }[] {
  const files = [
    ...readdirSync(fixture('real/bundles'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `real/bundles/${f}`),
    'real/sigstore-public-good-trusted_root.json',
  ];
  const blobs: { origin: string; der: Buffer<ArrayBuffer> }[] = [];
  const walk = (value: unknown, origin: string, inCertificate: boolean): void => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, origin, inCertificate));
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      const certificateKey = inCertificate || /certificate|certChain/i.test(key);
      if (typeof child === 'string' && ((key === 'rawBytes' && certificateKey) || key === 'signedTimestamp')) {
        blobs.push({ origin: `${origin} ${key}`, der: Buffer.from(child, 'base64') });
      } else {
        walk(child, origin, certificateKey);
      }
    }
  };
  for (const file of files) walk(JSON.parse(readFileSync(fixture(file), 'utf8')), file, false);
  return blobs;
}

function allNodes(root: Asn1Node): Asn1Node[] {
  return [root, ...root.subs.flatMap(allNodes)];
}

function expectSameEncoding(root: Asn1Node): void {
  for (const node of allNodes(root)) expect(encodeDer(node).equals(sigstoreToDer.call(node))).toBe(true);
}

describe('DER encoder', () => {
  const blobs = realDerBlobs();

  it('finds the real certificates it compares', () => {
    expect(blobs.filter((b) => b.origin.includes('rawBytes')).length).toBeGreaterThanOrEqual(15);
  });

  it('re-encodes every node of every real certificate as @sigstore/core does, and the root to its original bytes', () => {
    for (const { der } of blobs) {
      const root = ASN1Obj.parseBuffer(der) as unknown as Asn1Node;
      expect(encodeDer(root).equals(der)).toBe(true);
      expectSameEncoding(root);
    }
  });

  it('encodes a certificate whose SCT extension was removed in place (what @sigstore/verify signs over) as @sigstore/core does', () => {
    let edited = 0;
    for (const { der } of blobs.filter((b) => b.origin.includes('rawBytes'))) {
      const cert = X509Certificate.parse(der);
      const index = cert.extensions.findIndex((ext) => ext.subs[0]?.toOID() === EXTENSION_OID_SCT);
      if (index < 0) continue;
      cert.extensions.splice(index, 1);
      const tbs = cert.tbsCertificate as unknown as Asn1Node;
      expect(encodeDer(tbs).equals(sigstoreToDer.call(tbs))).toBe(true);
      expect(encodeDer(tbs).length).toBeLessThan(der.length);
      edited++;
    }
    expect(edited).toBeGreaterThan(0); // Fulcio leaf certificates carry SCTs
  });

  it('agrees on values whose lengths cross each length-of-length boundary, nested', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 257, 65_535, 65_536, 70_000]) {
      const leaf = ASN1Obj.parseBuffer(Buffer.concat([Buffer.from([0x04]), derLength(size), Buffer.alloc(size, 0xab)])) as unknown as Asn1Node;
      const wrapped = ASN1Obj.parseBuffer(
        Buffer.from(sigstoreToDer.call({ tag: { toDER: () => 0x30 }, value: Buffer.alloc(0), subs: [leaf, leaf] })),
      ) as unknown as Asn1Node;
      expectSameEncoding(wrapped);
      expect(encodeDer(leaf).length).toBe(1 + derLength(size).length + size);
    }
  });

  it('reads bytes as @sigstore/core does: each byte in order, then its error past the end', () => {
    const bytes = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff]);
    const ours = new ByteStream(bytes) as unknown as ByteCursor;
    const theirs = new ByteStream(bytes) as unknown as ByteCursor;
    for (let i = 0; i < bytes.length; i++) {
      expect(readUint8.call(ours)).toBe(sigstoreGetUint8.call(theirs));
      expect(ours.start).toBe(theirs.start);
    }
    expect(() => readUint8.call(ours)).toThrow(captureError(() => sigstoreGetUint8.call(theirs)).message);
    expect(ours.start).toBe(theirs.start);
    const empty = new ByteStream() as unknown as ByteCursor;
    expect(() => readUint8.call(empty)).toThrow('request past end of buffer');
  });

  it('is what the @sigstore/core copy @sigstore/verify loads now uses', () => {
    expect(installAsn1FastPaths()).toBe(true);
    const verifyRequire = createRequire(createRequire(import.meta.url).resolve('@sigstore/verify'));
    const core = verifyRequire('@sigstore/core') as { ASN1Obj: { prototype: { toDER: unknown } }; ByteStream: { prototype: { getUint8: unknown } } };
    expect(core.ASN1Obj.prototype.toDER).not.toBe(sigstoreToDer);
    expect(core.ByteStream.prototype.getUint8).toBe(readUint8);
    const [first] = blobs;
    if (!first) throw new Error('no certificate');
    expect(X509Certificate.parse(first.der).root.toDER().equals(first.der)).toBe(true);
  });
});

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** A definite DER length, written independently of both encoders. */
function derLength(size: number): Buffer {
  if (size < 128) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Subclasses of @sigstore/core's ASN1Obj and ByteStream with their shipped methods, then `edit` applied. */
function coreCopy(edit: (classes: { asn1: Record<string, unknown>; stream: Record<string, unknown> }) => void = () => undefined): Asn1Classes {
  class Asn1Copy extends (ASN1Obj as unknown as new () => object) {}
  class StreamCopy extends (ByteStream as unknown as new () => object) {}
  Object.assign(Asn1Copy, { parseBuffer: (buf: Buffer) => ASN1Obj.parseBuffer(buf) });
  Object.assign(Asn1Copy.prototype, { toDER: sigstoreToDer });
  Object.assign(StreamCopy.prototype, { getUint8: sigstoreGetUint8 });
  edit({ asn1: Asn1Copy.prototype as Record<string, unknown>, stream: StreamCopy.prototype as Record<string, unknown> });
  return { ASN1Obj: Asn1Copy, ByteStream: StreamCopy } as unknown as Asn1Classes;
}

describe('the probe', () => {
  it('recognises the installed @sigstore/core', () => {
    expect(probeAsn1FastPaths(coreCopy())).toBeNull();
  });

  it('declines a @sigstore/core whose toDER changed, leaving it alone and noting why', () => {
    const changed = function toDER(this: Asn1Node) {
      return Buffer.concat([Buffer.from([0]), this.value]);
    };
    const copy = coreCopy(({ asn1 }) => {
      asn1['toDER'] = changed;
    });
    expect(installAsn1FastPaths(copy)).toBe(false);
    expect(copy.ASN1Obj.prototype.toDER).toBe(changed);
    expect(copy.ByteStream.prototype.getUint8).toBe(sigstoreGetUint8);
    expect(patchNotes()).toContainEqual({ patch: 'sigstore-core/asn1-fast-paths', reason: expect.stringContaining('not a version checked') });
  });

  it('declines a getUint8 that reads differently', () => {
    const copy = coreCopy(({ stream }) => {
      stream['getUint8'] = function getUint8() {
        return 0;
      };
    });
    expect(probeAsn1FastPaths(copy)).toMatch(/getUint8 is not a version checked/);
  });
});
