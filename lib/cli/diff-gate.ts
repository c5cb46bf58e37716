// `vouch diff`'s pipeline: both lockfiles compared (lib/diff), the head versions of what changed
// verified and judged by the same gate as vouch verify, the lockfile edits npm would not have made found
// against the package.json files of both sides. Reads the project, writes nothing.
//
// The gate runs over the lockfile as written (arborist's loadVirtual), not over the tree `npm ci` would
// build from it as verify does: an injected entry is exactly what `npm ci` would refuse or drop, and the
// reviewer needs its evidence all the same. Only the entries the change touches are verified.
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import mapWorkspaces from '@npmcli/map-workspaces';
import type { NpmConfig } from '../config/index.js';
import {
  assembleDiff,
  compareLockfiles,
  EMPTY_LOCKFILE,
  installScriptFindings,
  isObject,
  lockfileFindings,
  mergeFindings,
  parseLockfile,
} from '../diff/index.js';
import type { PackageChange } from '../diff/changes.js';
import type { Manifest, Manifests } from '../diff/injection.js';
import type { DiffReport, VersionInfo } from '../diff/report.js';
import { VouchError } from '../errors/index.js';
import { fetchVersionInfo } from '../registry/index.js';
import { limitConcurrency } from '../concurrency/index.js';
import { listTargets, loadLockedTree, packageKey } from '../tree/index.js';
import type { Targets } from '../tree/types.js';
import type { BaseSnapshot } from './diff-base.js';
import { httpOptions, readTrustFiles, runGate, treeArborist, type GateOptions } from './gate.js';
import type { Output } from './output.js';

export interface DiffResult extends DiffReport {
  headText: string;
}

export async function gateDiff(opts: GateOptions, config: NpmConfig, base: BaseSnapshot, out: Output): Promise<DiffResult> {
  const file = join(opts.cwd, 'package-lock.json');
  const headText = await readFile(file, 'utf8').catch(() => {
    throw new VouchError(
      'NO_LOCKFILE',
      `no package-lock.json in ${opts.cwd}`,
      { file },
      "vouch diff compares this project's package-lock.json with a base one",
    );
  });
  const head = parseLockfile(headText, 'package-lock.json');
  const baseLock = base.lockfileText === null ? EMPTY_LOCKFILE : parseLockfile(base.lockfileText, `package-lock.json at ${base.label}`);
  const changes = compareLockfiles(baseLock, head);
  const manifests = await headManifests(opts.cwd);
  const baseManifests = await manifestsOf((rel) => base.readFile(rel), [...manifests.workspaces.keys()]);
  const lockfile = lockfileFindings(changes, head, manifests, baseManifests);

  const inputs = await readTrustFiles(opts.cwd);
  const tree = await loadLockedTree(treeArborist(opts.cwd, config, opts), opts.cwd);
  const touched = new Set([...changes.filter((c) => c.kind !== 'removed').flatMap((c) => c.locations), ...lockfile.keys()]);
  const targets = touchedTargets(listTargets(tree, config), touched);
  const { report: gate } = await runGate(targets, inputs, config, opts, out);

  const http = httpOptions(config, opts);
  const fetchInfo = limitConcurrency((name: string, version: string, registry: string) => fetchVersionInfo(name, version, registry, http), opts.concurrency);
  const info = new Map<string, VersionInfo>();
  await Promise.all(
    targets.packages.map(async (ref) => {
      const found = await fetchInfo(ref.name, ref.version, ref.registry);
      if (found) info.set(packageKey(ref.name, ref.version), found);
    }),
  );
  const scriptsOf = (c: PackageChange) => (c.version ? (info.get(packageKey(c.name, c.version))?.scripts ?? null) : null);
  const findings = mergeFindings(lockfile, installScriptFindings(changes, scriptsOf));
  const diff = assembleDiff({
    changes,
    head,
    gate,
    findings,
    policy: inputs.policy,
    now: opts.now,
    info: (name, version) => info.get(packageKey(name, version)),
  });
  return { ...diff, headText };
}

// The packages and sources with a lockfile location the change touched.
function touchedTargets(all: Targets, touched: ReadonlySet<string>): Targets {
  return {
    packages: all.packages.filter((p) => p.locations.some((l) => touched.has(l))),
    nonRegistry: all.nonRegistry.filter((s) => s.locations.some((l) => touched.has(l))),
  };
}

/** The head project's package.json files as on disk: the root's, and each workspace's it declares. */
async function headManifests(cwd: string): Promise<Manifests> {
  const file = join(cwd, 'package.json');
  const root = parseManifest(await readFile(file, 'utf8').catch(() => null));
  if (!root) throw new VouchError('USAGE', `cannot read ${file} as a JSON object: the lockfile is compared with what it declares`, { file });
  const folders = root ? await mapWorkspaces({ cwd, pkg: root }).catch(() => new Map<string, string>()) : new Map<string, string>();
  const locations = [...folders.values()].map((folder) => relative(cwd, folder).split(sep).join('/'));
  return manifestsOf((rel) => readFile(join(cwd, rel), 'utf8').catch(() => null), locations, root);
}

async function manifestsOf(read: (rel: string) => Promise<string | null>, workspaces: readonly string[], root?: Manifest | null): Promise<Manifests> {
  const entries = await Promise.all(workspaces.map(async (w): Promise<[string, Manifest | null]> => [w, parseManifest(await read(`${w}/package.json`))]));
  return { root: root !== undefined ? root : parseManifest(await read('package.json')), workspaces: new Map(entries) };
}

function parseManifest(text: string | null): Manifest | null {
  if (text === null) return null;
  try {
    const doc: unknown = JSON.parse(text);
    return isObject(doc) ? doc : null;
  } catch {
    return null;
  }
}
