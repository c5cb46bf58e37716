import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { storeTarballStream, TarballMismatch, TOO_LARGE } from '../../../lib/registry/tarballs.js';
import { VerifiedStore } from '../../../lib/registry/verified-store.js';

const sriOf = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const dir = await mkdtemp(join(tmpdir(), 'vouch-store-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('storeTarballStream', () => {
  it('stores bytes that hash to the signed integrity and gives their sha512 SRI', async () => {
    const store = new VerifiedStore(join(dir, 'ok'));
    const bytes = Buffer.from('a tarball');
    const sri = await storeTarballStream(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]), store, sriOf(bytes), 'http://r/t.tgz', 100);
    expect(sri).toBe(sriOf(bytes));
    expect(await store.has(sriOf(bytes))).toBe(true);
  });

  it('fails with TarballMismatch naming what the bytes hash to, and keeps nothing', async () => {
    const store = new VerifiedStore(join(dir, 'mismatch'));
    const signed = sriOf(Buffer.from('the signed bytes'));
    const other = Buffer.from('other bytes');
    const err = await storeTarballStream(Readable.from([other]), store, signed, 'http://r/t.tgz', 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TarballMismatch);
    expect((err as TarballMismatch).found).toBe(sriOf(other));
    expect(await store.has(signed)).toBe(false);
    expect(await store.has(sriOf(other))).toBe(false);
  });

  it('refuses a stream past the bound and stops reading it (an endless tarball ends), keeping nothing', async () => {
    const store = new VerifiedStore(join(dir, 'endless'));
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    await expect(storeTarballStream(endless, store, sriOf(Buffer.from('x')), 'http://r/t.tgz', 64 * 1024)).rejects.toMatchObject({ code: TOO_LARGE });
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(1024 * 1024);
    const content = await readdir(join(store.path, 'content-v2')).catch(() => []);
    expect(content).toEqual([]);
  });
});
