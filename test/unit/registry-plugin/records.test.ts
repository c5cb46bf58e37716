import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordStore, type VersionRecord } from '../../../packages/vouch-registry/lib/records.js';
import { tempDir } from './helpers.js';

const rec = (integrity: string, source: VersionRecord['source']): VersionRecord => ({ integrity, keyid: 'SHA256:k', sig: 'c2ln', source });

describe('RecordStore', () => {
  it('keeps the log index the hook returns for each new signature, and keeps it for the same signature again', async () => {
    let next = 7;
    const logged: string[] = [];
    const store = new RecordStore(join(tempDir(), 'records'), (_name, signed) =>
      signed.map(([version]) => {
        logged.push(version);
        return next++;
      }),
    );
    expect(store.put('pkg', '1.0.0', rec('sha512-a', 'publish'))).toMatchObject({ logIndex: 7 });
    expect(store.putIfMissing('pkg', '2.0.0', rec('sha512-b', 'lazy'))).toMatchObject({ logIndex: 8 });
    expect(store.put('pkg', '1.0.0', rec('sha512-a', 'publish'))).toMatchObject({ logIndex: 7 }); // deterministic: the same signature, not logged again
    expect(store.put('pkg', '1.0.0', { ...rec('sha512-a', 're-signed'), sig: 'b3RoZXI=' })).toMatchObject({ logIndex: 9 });
    expect(logged).toEqual(['1.0.0', '2.0.0', '1.0.0']);
    expect((await store.read('pkg'))['1.0.0']!.logIndex).toBe(9);
    const legacy = new RecordStore(store.dir); // a record without logIndex (signed before the log kept indexes) still reads
    writeFileSync(store.fileFor('old'), JSON.stringify({ versions: { '1.0.0': rec('sha512-c', 'publish') } }));
    expect((await legacy.read('old'))['1.0.0']!.logIndex).toBeUndefined();
    writeFileSync(store.fileFor('bad'), JSON.stringify({ versions: { '1.0.0': { ...rec('sha512-c', 'publish'), logIndex: -1 } } }));
    await expect(legacy.read('bad')).rejects.toThrow(/damaged record/);
  });

  it('reads nothing for an unknown package and keeps one file per package', async () => {
    const store = new RecordStore(join(tempDir(), 'records'));
    expect(await store.read('@acme/pkg')).toEqual({});
    store.put('@acme/pkg', '1.0.0', rec('sha512-a', 'publish'));
    store.put('@acme/pkg', '2.0.0', rec('sha512-b', 'publish'));
    expect(Object.keys(await store.read('@acme/pkg'))).toEqual(['1.0.0', '2.0.0']);
    expect(store.fileFor('@acme/pkg').endsWith('%40acme%2Fpkg.json')).toBe(true);
  });

  it('never lets a lazy signing replace a publish record, while a publish replaces anything', async () => {
    const store = new RecordStore(join(tempDir(), 'records'));
    store.put('x', '1.0.0', rec('sha512-publish', 'publish'));
    expect(store.putIfMissing('x', '1.0.0', rec('sha512-lazy', 'lazy')).integrity).toBe('sha512-publish');
    expect(store.putIfMissing('x', '2.0.0', rec('sha512-lazy', 'lazy')).integrity).toBe('sha512-lazy');
    store.put('x', '2.0.0', rec('sha512-republished', 'publish'));
    expect((await store.read('x'))['2.0.0']?.integrity).toBe('sha512-republished');
  });

  it('refuses a file with any damaged entry, for reads and for writes', async () => {
    const store = new RecordStore(join(tempDir(), 'records'));
    store.put('x', '1.0.0', rec('sha512-a', 'publish'));
    writeFileSync(store.fileFor('x'), JSON.stringify({ versions: { '1.0.0': rec('sha512-a', 'publish'), '2.0.0': { sig: 1 } } }));
    await expect(store.read('x')).rejects.toThrow(/damaged/);
    expect(() => store.putIfMissing('x', '3.0.0', rec('sha512-c', 'lazy'))).toThrow(/damaged/);
  });
});
