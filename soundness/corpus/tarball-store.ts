// Every tarball the harness knows (the corpus's, and the attacker's it makes), by sha512, with the files
// npm would write from it: extracted once with pacote (npm's own extraction: first path segment
// stripped, links dropped), each file's sha256 kept in a JSON index under the work folder.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pacote from 'pacote';
import ssri from 'ssri';
import { hashFiles } from '../install/file-hashes.js';

export interface StoredTarball {
  file: string;
  name: string;
  version: string;
  /** sha512 SRI of the bytes. */
  integrity: string;
  /** The files npm extracts: path inside the package folder → sha256 hex. */
  files: ReadonlyMap<string, string>;
  hasShrinkwrap: boolean;
}

interface IndexFile {
  name: string;
  version: string;
  files: [string, string][];
}

export class TarballStore {
  readonly #bySha512 = new Map<string, StoredTarball>();

  constructor(private readonly workDir: string) {}

  /** Adds a tarball file (idempotent by content). */
  async add(file: string): Promise<StoredTarball> {
    const bytes = await readFile(file);
    const digest = createHash('sha512').update(bytes).digest('base64');
    const known = this.#bySha512.get(digest);
    if (known) return known;
    const index = await this.#index(file, createHash('sha256').update(digest).digest('hex'));
    const files = new Map(index.files);
    const stored: StoredTarball = {
      file,
      name: index.name,
      version: index.version,
      integrity: `sha512-${digest}`,
      files,
      hasShrinkwrap: files.has('npm-shrinkwrap.json'),
    };
    this.#bySha512.set(digest, stored);
    return stored;
  }

  /** The tarball whose sha512 is this exact SRI's single sha512 hash, if known. */
  bySri(sri: string): StoredTarball | undefined {
    const hashes = ssri.parse(sri)['sha512'] ?? [];
    return hashes.length === 1 && hashes[0] ? this.#bySha512.get(hashes[0].digest) : undefined;
  }

  all(): StoredTarball[] {
    return [...this.#bySha512.values()];
  }

  async #index(file: string, key: string): Promise<IndexFile> {
    const indexFile = join(this.workDir, 'tarball-index', `${key}.json`);
    if (existsSync(indexFile)) return JSON.parse(await readFile(indexFile, 'utf8')) as IndexFile;
    const dest = join(this.workDir, 'tarball-extract', key);
    await rm(dest, { recursive: true, force: true });
    await pacote.extract(`file:${file}`, dest, { cache: join(this.workDir, 'pacote-cache') });
    const manifest = JSON.parse(await readFile(join(dest, 'package.json'), 'utf8')) as { name: string; version: string };
    const index: IndexFile = { name: manifest.name, version: manifest.version, files: [...(await hashFiles(dest))].sort(([a], [b]) => (a < b ? -1 : 1)) };
    await rm(dest, { recursive: true, force: true });
    await mkdir(join(this.workDir, 'tarball-index'), { recursive: true });
    await writeFile(indexFile, JSON.stringify(index));
    return index;
  }
}
