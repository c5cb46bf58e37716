// Where the soundness corpus lives (fixtures/soundness/) and what its two description files say.
// Shared by the corpus script, which writes the corpus, and the harness, which only reads it.
//
//   fixtures/soundness/trees.json            the projects (TreeDefinition)
//   fixtures/soundness/made-packages.json    the made packages (MadePackage)
//   fixtures/soundness/<tree>/project/       package.json (+ workspace folders) + package-lock.json, with
//                                            REGISTRY_PLACEHOLDER where npm wrote the registry URL
//   fixtures/soundness/web-app/tarballs/     the real tarballs (ORIGIN.md beside them)
//   fixtures/soundness/made/tarballs/        the made packages, packed
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../lib/config/package-root.js';
import type { PackageSpec } from '../../test/support/packages.js';

export const CORPUS_DIR = packagePath('fixtures', 'soundness');

/** Stands for the registry URL in committed lockfiles; the harness writes the live URL over it. */
export const REGISTRY_PLACEHOLDER = 'http://registry.soundness.invalid/';

/** The real tree whose tarballs come from registry.npmjs.org. */
export const REAL_TREE = 'web-app';

export const REAL_TARBALLS = join(CORPUS_DIR, REAL_TREE, 'tarballs');
export const MADE_TARBALLS = join(CORPUS_DIR, 'made', 'tarballs');

export interface TreeDefinition {
  name: string;
  description: string;
  /** The root package.json, less name/version/private (added: `soundness-<tree>` 1.0.0, private). */
  manifest: Record<string, unknown>;
  /** Workspace folder (relative) → its package.json. */
  workspaces?: Record<string, Record<string, unknown>>;
  /** Extra flags for `npm install --package-lock-only`. */
  npmFlags?: string[];
}

export interface MadePackage extends PackageSpec {
  /** Folders packed inside this package (bundleDependencies): path in the package → package spec. */
  bundled?: Record<string, PackageSpec>;
  /** An npm-shrinkwrap.json to ship: lockfile location → "name@version" of a made package. */
  shrinkwrap?: Record<string, string>;
}

export function readTreeDefinitions(): TreeDefinition[] {
  return (JSON.parse(readFileSync(join(CORPUS_DIR, 'trees.json'), 'utf8')) as { trees: TreeDefinition[] }).trees;
}

export function readMadePackages(): MadePackage[] {
  return (JSON.parse(readFileSync(join(CORPUS_DIR, 'made-packages.json'), 'utf8')) as { packages: MadePackage[] }).packages;
}

export const treeProjectDir = (tree: string): string => join(CORPUS_DIR, tree, 'project');

/** The file name a tarball of name@version is stored under (a scope's slash becomes '+'). */
export const tarballFileName = (name: string, version: string): string => `${name.replace('/', '+')}@${version}.tgz`;

/** Every committed tarball of the corpus, real and made. */
export function corpusTarballs(): string[] {
  return [REAL_TARBALLS, MADE_TARBALLS].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.tgz'))
      .sort()
      .map((f) => join(dir, f)),
  );
}

/** The root manifest a tree's project gets. */
export function rootManifest(tree: TreeDefinition): Record<string, unknown> {
  return { name: `soundness-${tree.name}`, version: '1.0.0', private: true, ...tree.manifest };
}
