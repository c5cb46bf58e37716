import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeSignature, verifySignature } from '../../../lib/sign/index.js';

const DATA = Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

describe('decodeSignature (the --signer-command output contract)', () => {
  it('reads base64 DER with surrounding whitespace', () => {
    const der = sign('sha256', DATA, p256.privateKey);
    const decoded = decodeSignature(Buffer.from(`\n${der.toString('base64')}\r\n`), p256.publicKey);
    expect(decoded).toEqual(der);
    expect(verifySignature(DATA, p256.publicKey, decoded)).toBe(true);
  });

  it('reads raw DER bytes', () => {
    const der = sign('sha256', DATA, p256.privateKey);
    expect(decodeSignature(der, p256.publicKey)).toEqual(der);
  });

  it('turns a raw P-256 r||s signature (64 bytes, raw or base64) into DER that verifies', () => {
    const raw = sign('sha256', DATA, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' });
    for (const output of [raw, Buffer.from(raw.toString('base64'))]) {
      const decoded = decodeSignature(output, p256.publicKey);
      expect(decoded[0]).toBe(0x30);
      expect(verifySignature(DATA, p256.publicKey, decoded)).toBe(true);
    }
  });

  it('reads a raw or base64 Ed25519 signature as it is', () => {
    const sig = sign(null, DATA, ed.privateKey);
    expect(decodeSignature(sig, ed.publicKey)).toEqual(sig);
    expect(decodeSignature(Buffer.from(sig.toString('base64')), ed.publicKey)).toEqual(sig);
    expect(verifySignature(DATA, ed.publicKey, sig)).toBe(true);
  });

  it('fails with SIGN_FAILED on empty output', () => {
    expect(() => decodeSignature(Buffer.from('  \n'), p256.publicKey)).toThrow(expect.objectContaining({ code: 'SIGN_FAILED' }));
  });
});

describe('verifySignature', () => {
  it('is false for another key, other data, or garbage', () => {
    const der = sign('sha256', DATA, p256.privateKey);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(verifySignature(DATA, other.publicKey, der)).toBe(false);
    expect(verifySignature(Buffer.from('other'), p256.publicKey, der)).toBe(false);
    expect(verifySignature(DATA, p256.publicKey, Buffer.from('garbage'))).toBe(false);
  });
});
