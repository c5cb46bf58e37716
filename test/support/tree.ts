// A published dependency tree of N packages and a consumer project whose package-lock.json resolves all
// of it, for `vouch verify` acceptance tests and the benchmark (the same generator scales to thousands).
//
//   const tree = await buildTree(registry, { packages: 50, provenance: 10 }, { sigstore });
//   // tree.project: a folder with package.json + a real package-lock.json (npm install --package-lock-only)
//   // tree.plan.packages: every name@version in it, with its dependencies and provenance identity
//
// API
//   planTree(options) → TreePlan            pure and deterministic (seeded): the same options always give
//                                           the same names, versions, edges and provenance picks.
//   publishTree(registry, plan, opts)       packs each package in-process (pacote, as `npm pack` packs it)
//                                           and publishes it with a raw PUT of the body `npm publish` sends,
//                                           so the plugin signs it at publish; provenance packages go
//                                           through publishWithProvenance with the private Sigstore.
//                                           → Map "name@version" → PublishedPackage (tarball, integrity).
//                                           opts.files(p): a package's files (default: data.bin of fileBytes).
//   writeConsumer(registry, plan, dir, opts) package.json with plan.rootDependencies, then the real npm
//                                           (`install --package-lock-only`, or a full `install` with
//                                           opts.install: 'full') in its own npm state folder. → dir
//   buildTree(registry, options, opts)      the three above; → { plan, published, project, npmStateDir }
//                                           opts.consumer.dir: the project folder (default a registry temp
//                                           folder, which registry.stop() removes)
//
// TreeOptions
//   packages      distinct name@version count (default 50); each one appears in the lockfile
//   provenance    how many carry private-root SLSA provenance (default 0; needs opts.sigstore); never the
//                 1.0.0 of a two-major name alone, which the default policy would deny as a downgrade
//   scopedShare   share of names under a scope, spread over three scopes (default 0.2)
//   nestedNames   names published in two majors (1.0.0 and 2.0.0), each required by at least two
//                 dependents, so npm hoists one and nests the other, usually at several locations
//                 (default packages/25)
//   prefix        name prefix, so several trees can share one registry (default 'tree')
//   seed          PRNG seed (default 1)
//   fileBytes     incompressible bytes per package in data.bin (default 0), for size-realistic benchmarks
//   parentWindow  a package's planned parent is one of the this-many packages just before it (default 30:
//                 long chains); Infinity picks among all earlier ones, so depth grows like ln N, as in
//                 real trees (the benchmark's thousands of packages)
//
// Scaling (measured on the 2-core test machine): planTree(5000) takes ~0.7 s; publishing is in-process
// (no npm child per package), so the registry dominates. The embedded Verdaccio checks the htpasswd
// password (bcrypt, ~200 ms under load, on its single thread) on *every* request carrying the legacy
// token npm and publishTree send; 50 packages publish in ~10 s, thousands take many minutes. Reads
// without a token are ~3 ms; a `security.api.jwt` Verdaccio config removes the per-request cost.
//
// The graph is a DAG in a shuffled order: every package but the root's direct dependencies has one
// parent earlier in the order (so all are reachable), plus up to three extra edges into a window of
// following packages (fan-in, shared deep dependencies). Specs are carets (`^1.2.0`), and a name's two
// majors never satisfy each other's range, so each dependent gets exactly the version it was planned with.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import type { GithubIdentity, PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { publishBody, writePackage, type PackageSpec } from './packages.js';
import { githubIdentity, publishWithProvenance } from './provenance.js';
import type { TestRegistry } from './registry.js';
import { mulberry32 } from './prng.js';

export interface TreeOptions {
  packages?: number;
  provenance?: number;
  scopedShare?: number;
  nestedNames?: number;
  prefix?: string;
  seed?: number;
  fileBytes?: number;
  parentWindow?: number;
}

export interface TreePackage {
  name: string;
  version: string;
  /** name → caret range, each resolving to exactly one planned version. */
  dependencies: Record<string, string>;
  /** The GitHub identity its provenance is minted for, or null for a plain (registry-signed only) package. */
  provenance: GithubIdentity | null;
}

export interface TreePlan {
  options: Required<TreeOptions>;
  /** Sorted by name, then version. */
  packages: TreePackage[];
  /** The consumer's package.json dependencies. */
  rootDependencies: Record<string, string>;
}

export interface PublishedPackage {
  tarball: Buffer;
  integrity: string;
  /** The folder it was packed from. */
  dir: string;
}

export interface PublishOptions {
  /** Required when the plan has provenance packages. */
  sigstore?: PrivateSigstore;
  /** Parallel publishes (different names only; one name's versions go in order). Default 4. */
  concurrency?: number;
  /** Where package folders are written (default a registry temp folder). */
  workDir?: string;
  /** The files of each package (e.g. the benchmark's size-realistic contents); replaces fileBytes' data.bin. */
  files?: (p: TreePackage) => PackageSpec['files'];
}

export interface ConsumerOptions {
  /** npm state folder (npmrc, cache) for the resolve; default a fresh registry temp folder. */
  stateDir?: string;
  /** 'lockfile' (default): npm install --package-lock-only; 'full': npm install (node_modules too). */
  install?: 'lockfile' | 'full';
}

export interface BuiltTree {
  plan: TreePlan;
  published: Map<string, PublishedPackage>;
  project: string;
  /** The npm state folder the consumer was resolved with (its cache holds the packuments npm fetched). */
  npmStateDir: string;
}

export const treeId = (name: string, version: string): string => `${name}@${version}`;

export function planTree(options: TreeOptions = {}): TreePlan {
  const o: Required<TreeOptions> = {
    packages: options.packages ?? 50,
    provenance: options.provenance ?? 0,
    scopedShare: options.scopedShare ?? 0.2,
    nestedNames: options.nestedNames ?? Math.floor((options.packages ?? 50) / 25),
    prefix: options.prefix ?? 'tree',
    seed: options.seed ?? 1,
    fileBytes: options.fileBytes ?? 0,
    parentWindow: options.parentWindow ?? 30,
  };
  if (o.packages < 2 || o.nestedNames * 2 > o.packages || o.provenance > o.packages) {
    throw new Error(`planTree: impossible options ${JSON.stringify(o)}`);
  }
  const random = mulberry32(o.seed);
  const nameCount = o.packages - o.nestedNames;
  const width = String(nameCount).length;
  const nodes: { name: string; version: string }[] = [];
  for (let k = 0; k < nameCount; k++) {
    const base = `${o.prefix}-${String(k).padStart(width, '0')}`;
    const name = random() < o.scopedShare ? `@${o.prefix}-scope${k % 3}/${base}` : base;
    if (k < o.nestedNames) nodes.push({ name, version: '1.0.0' }, { name, version: '2.0.0' });
    else nodes.push({ name, version: `1.${k % 7}.${k % 3}` });
  }
  shuffle(nodes, random);
  // The second package needs a parent among the ones before it: not the other major of its own name.
  if (nodes.length > 2 && nodes[0]!.name === nodes[1]!.name) [nodes[1], nodes[2]] = [nodes[2]!, nodes[1]!];

  // The root depends on the first ~10% (one version per name); everything later hangs below them.
  const rootDependencies: Record<string, string> = {};
  const rootCount = Math.max(1, Math.ceil(nodes.length / 10));
  const deps = nodes.map(() => new Map<string, string>());
  nodes.forEach((node, j) => {
    if (j < rootCount && rootDependencies[node.name] === undefined) {
      rootDependencies[node.name] = `^${node.version}`;
      return;
    }
    // One parent earlier in the order, of another name, not yet depending on this name (one exists: a
    // package depends on one version per name, and the nodes before j hold another name, see above).
    const parents = [...Array(j).keys()].filter((i) => nodes[i]!.name !== node.name && !deps[i]!.has(node.name));
    const recent = parents.slice(-o.parentWindow);
    const parent = recent[Math.floor(random() * recent.length)];
    if (parent === undefined) throw new Error(`planTree: no parent for ${treeId(node.name, node.version)}`);
    deps[parent]!.set(node.name, `^${node.version}`);
  });
  // Each major of a two-major name gets a second dependent, so whichever major npm nests is nested at
  // several locations (one name@version, many lockfile keys), as in real trees.
  nodes.forEach((node, j) => {
    if (!nodes.some((n) => n.name === node.name && n.version !== node.version)) return;
    const parents = [...Array(j).keys()].filter((i) => nodes[i]!.name !== node.name && !deps[i]!.has(node.name));
    const parent = parents[Math.floor(random() * parents.length)];
    if (parent !== undefined) deps[parent]!.set(node.name, `^${node.version}`);
  });
  const WINDOW = 40;
  nodes.forEach((node, i) => {
    const extra = Math.floor(random() * 4);
    for (let e = 0; e < extra; e++) {
      const j = i + 1 + Math.floor(random() * WINDOW);
      const target = nodes[j];
      if (!target || target.name === node.name || deps[i]!.has(target.name)) continue;
      deps[i]!.set(target.name, `^${target.version}`);
    }
  });

  // Spread evenly, never on the 1.0.0 of a name that also has 2.0.0: provenance on the older major only
  // would be a provenance downgrade, which the default policy denies.
  const eligible = [...nodes.keys()].filter((i) => !(nodes[i]!.version === '1.0.0' && nodes.some((n) => n.name === nodes[i]!.name && n.version === '2.0.0')));
  if (o.provenance > eligible.length) throw new Error(`planTree: only ${eligible.length} packages can carry provenance`);
  const provenanceAt = new Set<number>();
  for (let p = 0; p < o.provenance; p++) provenanceAt.add(eligible[Math.floor((p * eligible.length) / o.provenance)]!);
  const packages = nodes.map(
    (node, i): TreePackage => ({
      ...node,
      dependencies: Object.fromEntries([...deps[i]!].sort(([a], [b]) => compare(a, b))),
      provenance: provenanceAt.has(i) ? githubIdentity(`${o.prefix}-org${i % 3}/${node.name.replace(/^@[^/]+\//, '')}`) : null,
    }),
  );
  packages.sort((a, b) => compare(a.name, b.name) || compare(a.version, b.version));
  return { options: o, packages, rootDependencies: Object.fromEntries(Object.entries(rootDependencies).sort(([a], [b]) => compare(a, b))) };
}

export async function publishTree(registry: TestRegistry, plan: TreePlan, opts: PublishOptions = {}): Promise<Map<string, PublishedPackage>> {
  if (plan.packages.some((p) => p.provenance) && !opts.sigstore) throw new Error('publishTree: provenance packages need opts.sigstore');
  const workDir = opts.workDir ?? (await registry.tempDir(`${plan.options.prefix}-packages`));
  const { default: pacote } = await import('pacote');
  const { default: Arborist } = await import('@npmcli/arborist');
  const packOptions = { Arborist, cache: join(workDir, '.pack-cache') } as unknown as Parameters<typeof pacote.tarball>[1];
  const byName = new Map<string, TreePackage[]>();
  for (const p of plan.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const published = new Map<string, PublishedPackage>();
  await pMap(
    byName.values(),
    async (versions) => {
      for (const p of versions) {
        const dir = await writePackage(workDir, {
          name: p.name,
          version: p.version,
          dependencies: p.dependencies,
          ...(opts.files ? { files: opts.files(p) } : plan.options.fileBytes > 0 ? { files: { 'data.bin': { size: plan.options.fileBytes } } } : {}),
        });
        const tarball = await pacote.tarball(`file:${dir}`, packOptions);
        if (p.provenance) {
          const { integrity } = await publishWithProvenance(registry, dir, opts.sigstore!, p.provenance, { tarball });
          published.set(treeId(p.name, p.version), { tarball, integrity, dir });
          continue;
        }
        const manifest = {
          name: p.name,
          version: p.version,
          description: `vouch test fixture ${treeId(p.name, p.version)}`,
          license: 'MIT',
          main: 'index.js',
          dependencies: p.dependencies,
        };
        const body = publishBody({ name: p.name, version: p.version, tarball, registry: registry.url, manifest });
        const put = await registry.put(encodeURIComponent(p.name), body);
        if (put.status !== 201) throw new Error(`publishing ${treeId(p.name, p.version)} failed: ${put.status} ${put.text}`);
        published.set(treeId(p.name, p.version), { tarball, integrity: sha512(tarball), dir });
      }
    },
    { concurrency: opts.concurrency ?? 4 },
  );
  return published;
}

export async function writeConsumer(registry: TestRegistry, plan: TreePlan, dir: string, opts: ConsumerOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const manifest = { name: `${plan.options.prefix}-consumer`, version: '1.0.0', private: true, dependencies: plan.rootDependencies };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const stateDir = opts.stateDir ?? (await registry.tempDir(`${plan.options.prefix}-consumer-npm`));
  const args = opts.install === 'full' ? ['install', '--ignore-scripts'] : ['install', '--package-lock-only', '--ignore-scripts'];
  const result = await registry.npm(args, { cwd: dir, stateDir });
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} in ${dir} failed (${result.code}):\n${result.stderr}`);
  return dir;
}

export async function buildTree(
  registry: TestRegistry,
  options: TreeOptions,
  opts: PublishOptions & { consumer?: ConsumerOptions & { dir?: string } } = {},
): Promise<BuiltTree> {
  const plan = planTree(options);
  const published = await publishTree(registry, plan, opts);
  const npmStateDir = opts.consumer?.stateDir ?? (await registry.tempDir(`${plan.options.prefix}-consumer-npm`));
  const project = await writeConsumer(registry, plan, opts.consumer?.dir ?? (await registry.tempDir(`${plan.options.prefix}-consumer`)), {
    ...opts.consumer,
    stateDir: npmStateDir,
  });
  return { plan, published, project, npmStateDir };
}

const sha512 = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
