// The benchmark's registry: the plugin-enabled Verdaccio (`vouch registry`, test/support/registry.ts)
// holding two published trees of N packages each, made by test/support/tree.ts from the same seed, so
// they have the same shape: "sig", every version registry-signed and none advertising attestations
// (what `npm audit signatures` can check offline), and "prov", where ~30% also carry SLSA provenance
// from a private Sigstore root. Each tree has a consumer project whose package-lock.json the real npm
// resolved. Generated once per (N, seed, generator version) under the work folder; later runs restart
// the registry on the same storage and point the lockfiles at its new port.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateSigstore } from '../fixtures/scripts/private-sigstore.js';
import { PUBLISHER, startRegistry, type TestRegistry } from '../test/support/registry.js';
import { backdateStorage } from '../test/support/registry-storage.js';
import { planTree, publishTree, treeId, writeConsumer, type TreePlan } from '../test/support/tree.js';
import { packageFiles } from './package-content.js';
import { describeTree, type TreeShape } from './tree-shape.js';

/** Bump when what is generated changes: an older generated registry is then made again. */
// 2: made by a registry whose records name their signing-log entries (dist.signatures[].logIndex) and whose
// publish attestations are logged: an older storage would be denied SIGNATURE_NOT_LOGGED throughout.
const GENERATOR_VERSION = 2;
export const PROVENANCE_SHARE = 0.3;

export type TreeKind = 'sig' | 'prov';
export const TREE_KINDS: readonly TreeKind[] = ['sig', 'prov'];

export interface TreeProject {
  kind: TreeKind;
  /** package.json + package-lock.json (+ vouch.lock once a run recorded it): copy, don't run in it. */
  template: string;
  shape: TreeShape;
}

export interface BenchTree {
  packages: number;
  registry: TestRegistry;
  /** The private Sigstore root, for `--trusted-root`. */
  trustedRoot: string;
  projects: Record<TreeKind, TreeProject>;
  generation: { reused: boolean; ms: number };
}

interface Manifest {
  generator: number;
  packages: number;
  seed: number;
  /** The registry URL the lockfiles' `resolved` fields point at. */
  registryUrl: string;
  shapes: Record<TreeKind, TreeShape>;
  generationMs: number;
}

/** Opens (or generates) the registry for N packages under `work`. */
export async function openBenchTree(work: string, packages: number, seed: number, log: (line: string) => void): Promise<BenchTree> {
  const root = join(work, `n${packages}-seed${seed}`);
  const manifestFile = join(root, 'tree.json');
  const existing = await readManifest(manifestFile);
  if (existing && existing.generator === GENERATOR_VERSION && existing.packages === packages && existing.seed === seed) {
    log(`reusing the generated registry in ${root} (made in ${(existing.generationMs / 1000).toFixed(0)} s)`);
    // Generated before publishes were dated back (test/support/registry.ts): vouch's default minReleaseAge
    // (1 day) would deny a tree published hours ago.
    await backdateStorage(join(root, 'storage'));
    const registry = await startRegistry({ storage: join(root, 'storage') });
    for (const kind of TREE_KINDS) await repointLockfile(join(root, 'projects', kind), existing.registryUrl, registry.url);
    await writeFile(manifestFile, JSON.stringify({ ...existing, registryUrl: registry.url }, null, 2));
    return bench(root, registry, existing, true);
  }
  await rm(root, { recursive: true, force: true });
  const started = performance.now();
  const storage = join(root, 'storage');
  await seedPublisher(storage);
  const registry = await startRegistry({ storage });
  try {
    const sigstore = await createPrivateSigstore({ seed: `vouch-bench-${seed}` });
    await writeFile(join(root, 'private-trusted-root.json'), sigstore.trustedRootJSON);
    const shapes = {} as Record<TreeKind, TreeShape>;
    for (const kind of TREE_KINDS) {
      const plan = planTree({
        packages,
        seed,
        prefix: kind === 'sig' ? 'bs' : 'bp',
        provenance: kind === 'prov' ? Math.round(packages * PROVENANCE_SHARE) : 0,
        // Any earlier package may be the parent: depth grows like ln N, as in real trees.
        parentWindow: Infinity,
      });
      const t0 = performance.now();
      const workDir = join(root, 'packages', kind);
      const published = await publishTree(registry, plan, {
        sigstore,
        concurrency: 6,
        workDir,
        files: (p) => packageFiles(treeId(p.name, p.version)),
      });
      log(`published ${plan.packages.length} ${kind} packages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await rm(workDir, { recursive: true, force: true }); // the tarballs live in the registry now
      const t1 = performance.now();
      const project = join(root, 'projects', kind);
      await writeConsumer(registry, plan, project, { stateDir: join(root, 'npm-resolve', kind) });
      await rm(join(root, 'npm-resolve', kind), { recursive: true, force: true });
      log(`npm resolved the ${kind} consumer's package-lock.json in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
      shapes[kind] = await describeTree(plan, project, sizesOf(plan, published));
    }
    const manifest: Manifest = {
      generator: GENERATOR_VERSION,
      packages,
      seed,
      registryUrl: registry.url,
      shapes,
      generationMs: performance.now() - started,
    };
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
    return bench(root, registry, manifest, false);
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

function bench(root: string, registry: TestRegistry, manifest: Manifest, reused: boolean): BenchTree {
  const projects = {} as Record<TreeKind, TreeProject>;
  for (const kind of TREE_KINDS) projects[kind] = { kind, template: join(root, 'projects', kind), shape: manifest.shapes[kind] };
  return {
    packages: manifest.packages,
    registry,
    trustedRoot: join(root, 'private-trusted-root.json'),
    projects,
    generation: { reused, ms: manifest.generationMs },
  };
}

/**
 * The publisher's htpasswd entry as SHA-1 instead of Verdaccio's default bcrypt: every authenticated
 * request re-checks the password, and bcrypt's ~100 ms per publish would make generation take an hour.
 */
export async function seedPublisher(storage: string): Promise<void> {
  await mkdir(storage, { recursive: true });
  const hash = createHash('sha1').update(PUBLISHER.password).digest('base64');
  await writeFile(join(storage, 'htpasswd'), `${PUBLISHER.name}:{SHA}${hash}:autocreated ${new Date().toISOString()}\n`);
}

/** The registry restarts on a new port: the lockfile's `resolved` URLs follow it (npm ci fetches them). */
async function repointLockfile(project: string, from: string, to: string): Promise<void> {
  const file = join(project, 'package-lock.json');
  const text = await readFile(file, 'utf8');
  if (from !== to) await writeFile(file, text.replaceAll(`"${from}`, `"${to}`));
}

function sizesOf(plan: TreePlan, published: Map<string, { tarball: Buffer }>): number[] {
  return plan.packages.map((p) => published.get(treeId(p.name, p.version))?.tarball.length ?? 0);
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
