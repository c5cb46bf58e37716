import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hashBounded, TOO_LARGE } from '../../../lib/registry/tarballs.js';

describe('hashBounded', () => {
  it('gives the sha512 SRI of the bytes streamed', async () => {
    const bytes = Buffer.from('a tarball');
    const sri = await hashBounded(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]), 'http://r/t.tgz', 100);
    expect(sri).toBe(`sha512-${createHash('sha512').update(bytes).digest('base64')}`);
  });

  it('refuses a stream past the bound and stops reading it (an endless tarball ends)', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    await expect(hashBounded(endless, 'http://r/t.tgz', 64 * 1024)).rejects.toMatchObject({ code: TOO_LARGE });
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(1024 * 1024);
  });
});
