// The commands an install plan links into `.bin` folders. `npm run`, `npx` and every install script put
// node_modules/.bin first on PATH, so a package that links a name another package links, or a name of
// the toolchain itself (`node`, `npm`), decides what the project's scripts run. Names come from both
// views of each package: arborist's manifest (the packument's or the lockfile's `bin`, what bin-links
// links on this install) and its verified tarball (its package.json `bin`, or `directories.bin`, what
// npm reads from disk on a later rebuild).
import { basename, posix } from 'node:path';
import type { Node } from '@npmcli/arborist';
import type { PackageContents } from '../registry/package-contents.js';
import type { InstallPlan } from './install-plan.js';
import type { ContentsOf } from './script-review.js';
import { registryName, sourceKind } from './targets.js';
import type { BinLink } from './types.js';
import { compareStrings as cmp } from '../files/index.js';

/**
 * Command names a manifest's `bin` links, normalized as bin-links does (npm-normalize-package-bin): a
 * string is linked under the last segment of the manifest's `name`, an array under each file's basename,
 * an object under each key's basename; entries whose name or target normalize to nothing are dropped.
 */
export function binNames(manifest: Record<string, unknown> | null): string[] {
  const bin = manifest?.['bin'];
  if (!bin) return [];
  const entries: [string, unknown][] =
    typeof bin === 'string'
      ? typeof manifest['name'] === 'string' && manifest['name']
        ? [[manifest['name'], bin]]
        : []
      : Array.isArray(bin)
        ? bin.map((b): [string, unknown] => [typeof b === 'string' ? basename(b) : '', b])
        : typeof bin === 'object'
          ? Object.entries(bin)
          : [];
  const names = new Set<string>();
  for (const [key, target] of entries) {
    if (typeof target !== 'string') continue;
    const name = posix.join('/', posix.basename(key.replace(/\\|:/g, '/'))).slice(1);
    const to = posix.join('/', target.replace(/\\/g, '/')).slice(1);
    if (name && to) names.add(name);
  }
  return [...names].sort();
}

/** Names of `directories.bin` files (npm's `binDir` step: every file below it but dot-files, under its basename). */
function binDirNames(files: readonly string[]): string[] {
  return files.filter((f) => !f.split('/').some((s) => s.startsWith('.'))).map((f) => posix.basename(f));
}

/** The names one package links, by arborist's manifest and by its verified bytes when known. */
export function binLinksOf(manifest: Record<string, unknown>, contents?: PackageContents): string[] {
  const names = new Set(binNames(manifest));
  if (contents) for (const name of [...binNames(contents.manifest), ...binDirNames(contents.binDirFiles)]) names.add(name);
  return [...names].sort();
}

/** The `.bin` folder bin-links uses for a package folder: the node_modules that holds it. */
function binDirOf(location: string): string | null {
  const at = location.lastIndexOf('node_modules/');
  return at < 0 ? null : `${location.slice(0, at)}node_modules/.bin`;
}

/** Every command the plan links: its extracted packages and its links (workspaces included: their bins land in the root's .bin). */
export function planBins(plan: Pick<InstallPlan, 'extracted' | 'links'>, contentsOf: ContentsOf): BinLink[] {
  const links: BinLink[] = [];
  const add = (node: Node, pkg: string, version: string | null, names: readonly string[]) => {
    const dir = binDirOf(node.location);
    if (dir) for (const name of names) links.push({ dir, name, pkg, version, location: node.location });
  };
  for (const node of plan.extracted) {
    if (node.inBundle) continue; // linked only inside its bundler's node_modules/.bin, with the bundler's bytes
    const registry = sourceKind(node) === 'registry';
    add(node, registry ? registryName(node) : node.name, node.version || null, binLinksOf(node.package, registry ? contentsOf(node) : undefined));
  }
  for (const link of plan.links) {
    const target = link.target as Node | null | undefined;
    if (target) add(link, link.name, target.version || null, binLinksOf(target.package));
  }
  return links.sort((a, b) => cmp(a.dir, b.dir) || cmp(a.name, b.name) || cmp(a.location, b.location));
}
