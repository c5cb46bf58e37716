import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { keysEndpointBody, loadKeyRing, publishedKey } from '../../../packages/vouch-registry/lib/keys.js';
import { keyIdOf } from '../../../lib/keys/index.js';
import { codeOf, p256KeyFile, tempDir, verifiesWith } from './helpers.js';

type EndpointFixture = { keys: { expires: string | null; keyid: string; key: string }[] };
const npmKeys = JSON.parse(readFileSync(packagePath('fixtures', 'real', 'registry-npmjs-keys-endpoint.json'), 'utf8')) as EndpointFixture;

describe('keysEndpointBody', () => {
  it("reproduces npm's real /-/npm/v1/keys response from the same two public keys", () => {
    const published = npmKeys.keys.map((k) =>
      publishedKey(createPublicKey({ key: Buffer.from(k.key, 'base64'), format: 'der', type: 'spki' }), k.expires ? new Date(k.expires) : null),
    );
    expect(keysEndpointBody(published)).toEqual(npmKeys);
  });
});

describe('loadKeyRing', () => {
  it('lists the active key first with no expiry, then retired keys (public-only allowed) with theirs', () => {
    const dir = tempDir();
    const active = p256KeyFile(dir, 'active.pem');
    const retired = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const retiredFile = join(dir, 'retired.pub.pem');
    writeFileSync(retiredFile, retired.publicKey.export({ type: 'spki', format: 'pem' }));
    const expires = new Date('2026-01-01T00:00:00.000Z');
    const ring = loadKeyRing([
      { file: active.file, expires: null },
      { file: retiredFile, expires },
    ]);
    expect(ring.keys.map((k) => [k.keyid, k.expires])).toEqual([
      [keyIdOf(active.key), null],
      [keyIdOf(retired.publicKey), expires],
    ]);
    expect(ring.active.keyid).toBe(keyIdOf(active.key));
  });

  it('signs deterministically with the active key (same message, same bytes)', async () => {
    const active = p256KeyFile(tempDir(), 'k.pem');
    const ring = loadKeyRing([{ file: active.file, expires: null }]);
    const a = await ring.active.sign(Buffer.from('x@1.0.0:sha512-abc'));
    const b = await ring.active.sign(Buffer.from('x@1.0.0:sha512-abc'));
    expect(a.equals(b)).toBe(true);
    expect(verifiesWith(active.key, 'x@1.0.0:sha512-abc', a.toString('base64'))).toBe(true);
  });

  it('fails with KEY_FILE for a missing file, a non-PEM file, a broken PEM, a public-only active key, or another curve', () => {
    const dir = tempDir();
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const pub = write('pub.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const cases = [
      join(dir, 'absent.pem'),
      write('text.pem', 'hello'),
      write('broken.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      pub,
      write('p384.pem', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
      write('ed.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ];
    for (const file of cases) expect([file, codeOf(() => loadKeyRing([{ file, expires: null }]))]).toEqual([file, 'KEY_FILE']);
  });

  it('fails with CONFIG when the same key is listed twice', () => {
    const key = p256KeyFile(tempDir(), 'k.pem');
    expect(
      codeOf(() =>
        loadKeyRing([
          { file: key.file, expires: null },
          { file: key.file, expires: new Date() },
        ]),
      ),
    ).toBe('CONFIG');
  });
});
