// The corpus as the harness reads it: every committed tarball indexed (TarballStore), what the registry
// will have signed (Catalog), and each tree's project folder and committed lockfile.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lockfile } from '../lockfile.js';
import { Catalog } from './catalog.js';
import { corpusTarballs, readTreeDefinitions, treeProjectDir, type TreeDefinition } from './layout.js';
import { TarballStore, type StoredTarball } from './tarball-store.js';

export interface CorpusTree {
  name: string;
  definition: TreeDefinition;
  /** fixtures/soundness/<tree>/project (copy it; never run in it). */
  projectDir: string;
  /** The committed lockfile (registry URLs are the placeholder). */
  lock: Lockfile;
  catalog: Catalog;
}

export interface Corpus {
  trees: CorpusTree[];
  store: TarballStore;
  catalog: Catalog;
  tarballs: StoredTarball[];
}

export async function loadCorpus(workDir: string): Promise<Corpus> {
  const store = new TarballStore(workDir);
  const tarballs: StoredTarball[] = [];
  for (const file of corpusTarballs()) tarballs.push(await store.add(file));
  const catalog = new Catalog(tarballs);
  const trees: CorpusTree[] = [];
  for (const definition of readTreeDefinitions()) {
    const projectDir = treeProjectDir(definition.name);
    const lock = JSON.parse(await readFile(join(projectDir, 'package-lock.json'), 'utf8')) as Lockfile;
    trees.push({ name: definition.name, definition, projectDir, lock, catalog });
  }
  return { trees, store, catalog, tarballs };
}
