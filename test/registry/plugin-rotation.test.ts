// Key rotation across restarts on one storage folder: versions signed by the old key stay verifiable
// by it (listed with `expires`), new versions are signed by the new key, and npm accepts both.
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePackage } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

type Packument = { versions: Record<string, { dist: { integrity: string; signatures: { keyid: string; sig: string }[] } }> };
type KeysBody = { keys: { keyid: string; key: string; expires: string | null }[] };

let work: string;
let storage: string;
let oldKey: string;
let newKey: string;
let registry: TestRegistry | undefined;
let beforeRotation: Packument;
let oldKeyid: string;
let rotatedAt: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-rotation-'));
  storage = join(work, 'storage');
  oldKey = await writeKey(join(work, 'old.pem'));
  newKey = await writeKey(join(work, 'new.pem'));
  const packages = join(work, 'packages');

  registry = await startRegistry({ storage, keys: [oldKey] });
  oldKeyid = registry.keyid;
  await registry.publish(await writePackage(packages, { name: 'rot-old', version: '1.0.0' }));
  await registry.publish(await writePackage(packages, { name: 'rot-both', version: '1.0.0' }));
  beforeRotation = (await registry.get('rot-both')).json as Packument;
  await registry.stop();

  rotatedAt = new Date().toISOString();
  registry = await startRegistry({ storage, keys: [newKey, `${oldKey}=${rotatedAt}`] });
  await registry.publish(await writePackage(packages, { name: 'rot-both', version: '2.0.0' }));
  await registry.publish(await writePackage(packages, { name: 'rot-new', version: '1.0.0' }));
});

afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('key rotation', () => {
  it('lists the new active key first and the old one with its expiry', async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    expect(keys.map((k) => [k.keyid, k.expires])).toEqual([
      [registry!.keyid, null],
      [oldKeyid, rotatedAt],
    ]);
    expect(registry!.keyid).not.toBe(oldKeyid);
  });

  it('keeps old versions signed by the old key and signs new versions with the new key', async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    const both = (await registry!.get('rot-both')).json as Packument;
    const v1 = both.versions['1.0.0']!.dist;
    const v2 = both.versions['2.0.0']!.dist;
    expect(v1.signatures).toEqual(beforeRotation.versions['1.0.0']!.dist.signatures);
    expect(v1.signatures[0]!.keyid).toBe(oldKeyid);
    expect(verifies(keys, oldKeyid, `rot-both@1.0.0:${v1.integrity}`, v1.signatures[0]!.sig)).toBe(true);
    expect(v2.signatures[0]!.keyid).toBe(registry!.keyid);
    expect(verifies(keys, registry!.keyid, `rot-both@2.0.0:${v2.integrity}`, v2.signatures[0]!.sig)).toBe(true);
  });

  it('lets npm audit signatures verify packages signed by either key', async () => {
    const app = await writePackage(await registry!.tempDir('app'), {
      name: 'rot-app',
      version: '0.0.0',
      dependencies: { 'rot-old': '1.0.0', 'rot-both': '1.0.0', 'rot-new': '1.0.0' },
    });
    const stateDir = await registry!.tempDir('npm');
    const install = await registry!.npm(['install'], { cwd: app, stateDir });
    expect(install.code, install.stderr).toBe(0);
    const audit = await registry!.npm(['audit', 'signatures'], { cwd: app, stateDir });
    expect(audit.stdout).toContain('3 packages have verified registry signatures');
    expect(audit.code, audit.stderr).toBe(0);
  });

  it('re-signs with the active key a version whose recorded key had expired before it was published', async () => {
    await registry!.stop();
    // An operator backdates the old key's expiry: npm would reject its signatures on rot-old@1.0.0.
    registry = await startRegistry({ storage, keys: [newKey, `${oldKey}=2001-01-01T00:00:00.000Z`] });
    const keys = ((await registry.get('-/npm/v1/keys')).json as KeysBody).keys;
    const dist = ((await registry.get('rot-old')).json as Packument).versions['1.0.0']!.dist;
    expect(dist.signatures[0]!.keyid).toBe(registry.keyid);
    expect(verifies(keys, registry.keyid, `rot-old@1.0.0:${dist.integrity}`, dist.signatures[0]!.sig)).toBe(true);
  });
});

async function writeKey(file: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

function verifies(keys: KeysBody['keys'], keyid: string, message: string, sig: string): boolean {
  const entry = keys.find((k) => k.keyid === keyid);
  if (!entry) return false;
  const key = createPublicKey({ key: Buffer.from(entry.key, 'base64'), format: 'der', type: 'spki' });
  return verify('sha256', Buffer.from(message), key, Buffer.from(sig, 'base64'));
}
