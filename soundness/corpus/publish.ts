// The corpus registry: the test registry (Verdaccio + vouch's signing plugin, test/support/registry.ts)
// holding every corpus tarball, published unchanged: the body `npm publish <file.tgz>` sends (the tarball's
// own package.json as pacote reads it, the bytes attached), raw, so that `_hasShrinkwrap` can be set as
// registry.npmjs.org sets it (Verdaccio does not, and without it npm never reads a dependency's
// npm-shrinkwrap.json). A storage folder that already holds them is reused.
// Publish times: registry.put dates each version PUBLISHED_DAYS_AGO days back (test/support/registry.ts),
// so vouch's default minReleaseAge (1 day) judges the corpus as the old releases it copies; versions a
// reused storage got from a run before that are dated back here too.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import pacote from 'pacote';
import semver from 'semver';
import { seedPublisher } from '../../bench/bench-tree.js';
import { publishBody } from '../../test/support/packages.js';
import { backdateStorage } from '../../test/support/registry-storage.js';
import { startRegistry, type TestRegistry } from '../../test/support/registry.js';
import type { StoredTarball } from './tarball-store.js';

/** Starts the registry on `storage` and publishes whatever of `tarballs` it does not hold yet. */
export async function startCorpusRegistry(storage: string, tarballs: readonly StoredTarball[], log: (line: string) => void): Promise<TestRegistry> {
  if (!existsSync(join(storage, 'htpasswd'))) await seedPublisher(storage);
  const registry = await startRegistry({ storage });
  try {
    const missing = await unpublished(registry, tarballs);
    if (missing.length > 0) {
      const started = performance.now();
      await publishAll(registry, missing);
      log(`published ${missing.length} corpus tarballs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await backdateStorage(registry.storage);
    await assertServedIntegrity(registry, tarballs);
    return registry;
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

async function unpublished(registry: TestRegistry, tarballs: readonly StoredTarball[]): Promise<StoredTarball[]> {
  const served = await servedIntegrities(registry, tarballs);
  return tarballs.filter((t) => !served.has(`${t.name}@${t.version}`));
}

/** One name's versions in ascending order (so `latest` ends on the highest), names in parallel. */
async function publishAll(registry: TestRegistry, tarballs: readonly StoredTarball[]): Promise<void> {
  const byName = new Map<string, StoredTarball[]>();
  for (const t of tarballs) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  const cache = await registry.tempDir('publish-pacote');
  await pMap(
    [...byName.values()],
    async (versions) => {
      for (const t of versions.sort((a, b) => semver.compare(a.version, b.version))) {
        const res = await registry.put(
          encodeURIComponent(t.name),
          publishBody({
            name: t.name,
            version: t.version,
            tarball: await readFile(t.file),
            registry: registry.url,
            manifest: await publishedManifest(t, cache),
          }),
        );
        if (res.status !== 201 && res.status !== 200) throw new Error(`publishing ${t.file} failed: HTTP ${res.status} ${res.text}`);
      }
    },
    { concurrency: 4 },
  );
}

/** The version document npm publish sends for a tarball: its package.json, full, as pacote reads it. */
async function publishedManifest(t: StoredTarball, cache: string): Promise<Record<string, unknown>> {
  const manifest = { ...(await pacote.manifest(`file:${t.file}`, { cache, fullMetadata: true, fullReadJson: true })) } as Record<string, unknown>;
  delete manifest['_resolved']; // a path on this machine
  delete manifest['_from'];
  delete manifest['dist'];
  if (t.hasShrinkwrap) manifest['_hasShrinkwrap'] = true;
  return manifest;
}

async function servedIntegrities(registry: TestRegistry, tarballs: readonly StoredTarball[]): Promise<Map<string, string>> {
  const served = new Map<string, string>();
  const names = [...new Set(tarballs.map((t) => t.name))];
  await pMap(
    names,
    async (name) => {
      const res = await registry.get(name.replace('/', '%2f'));
      if (res.status !== 200) return;
      const versions = (res.json as { versions?: Record<string, { dist?: { integrity?: string } }> }).versions ?? {};
      for (const [version, doc] of Object.entries(versions)) served.set(`${name}@${version}`, doc.dist?.integrity ?? '');
    },
    { concurrency: 8 },
  );
  return served;
}

// The corpus is only meaningful if the registry serves (and signs) exactly the committed bytes.
async function assertServedIntegrity(registry: TestRegistry, tarballs: readonly StoredTarball[]): Promise<void> {
  const served = await servedIntegrities(registry, tarballs);
  const wrong = tarballs.filter((t) => served.get(`${t.name}@${t.version}`) !== t.integrity);
  if (wrong.length > 0) {
    throw new Error(`the registry serves another dist.integrity for ${wrong.map((t) => `${t.name}@${t.version}`).join(', ')}`);
  }
}
