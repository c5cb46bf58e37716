// The real npm CLI against the plugin-enabled Verdaccio: install, `npm audit signatures` (keys read from
// /-/npm/v1/keys through the offline-keys preload), an altered signature, an altered tarball.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePackage, writePackages } from '../support/packages.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
let app: string;

beforeAll(async () => {
  registry = await startRegistry();
  const root = await registry.tempDir('packages');
  const dirs = await writePackages(root, [
    { name: 'sig-leaf', version: '1.0.0' },
    { name: 'sig-mid', version: '1.0.0', dependencies: { 'sig-leaf': '^1.0.0' } },
    { name: '@acme/sig-scoped', version: '2.0.0', files: { 'data.bin': { size: 4096 } } },
  ]);
  for (const dir of dirs) await registry.publish(dir);
  app = await writePackage(await registry.tempDir('app'), {
    name: 'sig-app',
    version: '0.0.0',
    dependencies: { 'sig-mid': '1.0.0', '@acme/sig-scoped': '2.0.0' },
  });
  const install = await registry.npm(['install'], { cwd: app, stateDir: await registry.tempDir('npm-install') });
  expect(install.code, install.stderr).toBe(0);
});

afterAll(() => registry?.stop());

describe('npm against the signing registry', () => {
  it('installs the fixture packages and npm audit signatures verifies every registry signature', async () => {
    expect(existsSync(join(app, 'node_modules', 'sig-leaf', 'package.json'))).toBe(true);
    const audit = await registry.npm(['audit', 'signatures'], { cwd: app, stateDir: await registry.tempDir('npm-audit') });
    expect(audit.stdout).toContain('3 packages have verified registry signatures');
    expect(audit.code, audit.stderr).toBe(0);
  });

  it('reports a signature altered in the plugin records as invalid, exit 1', async () => {
    // The plugin serves the signature it recorded at publish; editing that record in storage is how a
    // served signature gets altered (a publisher cannot: signatures in a publish body are discarded).
    const records = join(registry.storage, '.vouch', 'records', 'sig-leaf.json');
    const original = await readFile(records, 'utf8');
    const other = JSON.parse(await readFile(join(registry.storage, '.vouch', 'records', 'sig-mid.json'), 'utf8'));
    const altered = JSON.parse(original);
    altered.versions['1.0.0'].sig = other.versions['1.0.0'].sig; // a real signature, over another message
    await writeFile(records, JSON.stringify(altered));
    try {
      const audit = await registry.npm(['audit', 'signatures', '--json'], { cwd: app, stateDir: await registry.tempDir('npm-audit-altered') });
      expect(audit.code).toBe(1);
      const report = JSON.parse(audit.stdout) as { invalid: { name: string; code: string }[]; missing: unknown[] };
      expect(report.invalid.map((i) => [i.name, i.code])).toEqual([['sig-leaf', 'EINTEGRITYSIGNATURE']]);
      expect(report.missing).toEqual([]);
    } finally {
      await writeFile(records, original);
    }
  });

  it('keeps serving the publish-time integrity when a tarball is swapped in storage, so the bytes no longer match', async () => {
    const stored = join(registry.storage, '@acme', 'sig-scoped', 'sig-scoped-2.0.0.tgz');
    const before = await registry.get('@acme%2fsig-scoped');
    const dist = (before.json as { versions: Record<string, { dist: Dist }> }).versions['2.0.0']!.dist;
    await writeFile(stored, await readFile(join(registry.storage, 'sig-leaf', 'sig-leaf-1.0.0.tgz')));

    const after = await registry.get('@acme%2fsig-scoped');
    const served = (after.json as { versions: Record<string, { dist: Dist }> }).versions['2.0.0']!.dist;
    expect(served.integrity).toBe(dist.integrity);
    expect(served.signatures).toEqual(dist.signatures);
    const key = await activeKey(registry);
    expect(signatureVerifies(key, `@acme/sig-scoped@2.0.0:${served.integrity}`, served.signatures[0]!.sig)).toBe(true);

    const tarball = await registry.get('@acme/sig-scoped/-/sig-scoped-2.0.0.tgz', '*/*');
    const recomputed = `sha512-${createHash('sha512').update(tarball.bytes).digest('base64')}`;
    expect(recomputed).not.toBe(served.integrity);

    const fresh = await writePackage(await registry.tempDir('app-swapped'), {
      name: 'swapped-app',
      version: '0.0.0',
      dependencies: { '@acme/sig-scoped': '2.0.0' },
    });
    const install = await registry.npm(['install'], { cwd: fresh, stateDir: await registry.tempDir('npm-swapped') });
    expect(install.code).not.toBe(0);
    expect(install.stderr).toContain('EINTEGRITY');
  });
});

interface Dist {
  integrity: string;
  signatures: { keyid: string; sig: string }[];
}

async function activeKey(reg: TestRegistry) {
  const keys = (await reg.get('-/npm/v1/keys')).json as { keys: { key: string }[] };
  return createPublicKey({ key: Buffer.from(keys.keys[0]!.key, 'base64'), format: 'der', type: 'spki' });
}

function signatureVerifies(key: ReturnType<typeof createPublicKey>, message: string, sig: string): boolean {
  return verify('sha256', Buffer.from(message), key, Buffer.from(sig, 'base64'));
}
