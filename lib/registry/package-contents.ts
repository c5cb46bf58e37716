// What a verified tarball says about itself, read from vouch's verified store before reify: the
// package.json pacote will extract, whether it ships a binding.gyp (npm then runs `node-gyp rebuild`),
// and the files of its `directories.bin`. The bytes are verified, the content is not: the manifest is
// the publisher's word, parsed defensively and bounded, and the packument may say something else.
// On request it also lists every file pacote would write, with its size and sha512 (lib/installed
// compares package folders on disk with that list).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import pMap from 'p-map';
import { VouchError } from '../errors/index.js';
import type { VerifiedTarball } from './tarballs.js';
import type { VerifiedStore } from './verified-store.js';

export interface PackageContents {
  /** package.json as pacote extracts it (the last entry at that path wins, as on disk); null when absent or not a JSON object. */
  manifest: Record<string, unknown> | null;
  /** A regular file `binding.gyp` at the package root (arborist's isNodeGypPackage; any case, for case-insensitive disks). */
  bindingGyp: boolean;
  /** Regular files under the manifest's `directories.bin`, relative to the package folder (npm links each as a bin). */
  binDirFiles: string[];
  /** With `{ digests: true }`: every file pacote extracts, by path in the package folder (the last entry at a path wins). */
  files?: Map<string, FileDigest>;
}

/** One extracted file: its size and the base64 sha512 of its bytes. */
export interface FileDigest {
  size: number;
  sha512: string;
}

/** A package.json past this size is refused rather than buffered (npm's registry caps whole packuments far lower). */
export const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

/** The subset of node-tar's streaming parser used here (tar ships with pacote, which vouch depends on). */
interface TarEntry {
  path: string;
  type: string;
  size: number;
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'end', fn: () => void): this;
  resume(): void;
}
interface TarParser extends NodeJS.WritableStream {
  on(event: 'entry', fn: (entry: TarEntry) => void): this;
  on(event: 'end' | 'close', fn: () => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}
type TarParserClass = new (opts: { strict?: boolean; onwarn?: () => void; filter?: (path: string, entry: TarEntry) => boolean }) => TarParser;
const tarRequire = createRequire(createRequire(import.meta.url).resolve('pacote'));

/** Reads every verified tarball's contents, keyed as `tarballs` is (name@version). */
export async function readVerifiedContents(
  store: VerifiedStore,
  tarballs: ReadonlyMap<string, VerifiedTarball>,
  concurrency: number,
): Promise<Map<string, PackageContents>> {
  const read = new Map<string, Promise<PackageContents>>(); // one read per integrity
  const entries = [...tarballs];
  const contents = await pMap(
    entries,
    ([, t]) => {
      let pending = read.get(t.integrity);
      if (!pending) read.set(t.integrity, (pending = readPackageContents(store.reader(t.integrity), t.url)));
      return pending;
    },
    { concurrency: Math.max(1, concurrency) },
  );
  return new Map(entries.map(([key], i) => [key, contents[i]!]));
}

/**
 * Streams one tarball (gzipped or not) and collects what npm reads from the extracted folder; with
 * `digests`, every file is hashed as it streams by (nothing but package.json is buffered).
 */
export function readPackageContents(source: NodeJS.ReadableStream, label: string, opts: { digests?: boolean } = {}): Promise<PackageContents> {
  const { Parser } = tarRequire('tar') as { Parser: TarParserClass };
  return new Promise((resolve, reject) => {
    let manifestText: Buffer | null = null;
    let bindingGyp = false;
    const files: string[] = [];
    const digests = opts.digests ? new Map<string, FileDigest>() : undefined;
    const extractedPath = npmignoreRename();
    const pathOf = new WeakMap<TarEntry, string>();
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      reject(
        new VouchError(
          'TARBALL_UNREADABLE',
          `could not read the verified tarball of ${label}: ${(err as Error).message ?? String(err)}`,
          {},
          'the bytes match the signed integrity but are not a readable package; nothing was installed',
          { cause: err },
        ),
      );
    };
    // Every entry is seen by `filter`; only package.json is read (the others are skipped unbuffered).
    const parser = new Parser({
      strict: false,
      onwarn: () => undefined,
      filter: (entryPath, entry) => {
        const stripped = packagePath(entryPath);
        // pacote extracts only files (links are dropped) and strips the first path segment.
        if (stripped === null || !/File$/.test(entry.type)) return false;
        const path = extractedPath(stripped);
        if (path === null) return false;
        files.push(path);
        pathOf.set(entry, path);
        if (path.toLowerCase() === 'binding.gyp') bindingGyp = true;
        if (path === 'package.json' && entry.size > MANIFEST_MAX_BYTES) fail(new Error(`its package.json is ${entry.size} bytes (over ${MANIFEST_MAX_BYTES})`));
        return !failed && (digests !== undefined || path === 'package.json');
      },
    });
    parser.on('entry', (entry) => {
      const path = pathOf.get(entry);
      const chunks: Buffer[] = [];
      const hash = digests ? createHash('sha512') : undefined;
      let size = 0;
      entry.on('data', (chunk) => {
        size += chunk.length;
        hash?.update(chunk);
        if (path === 'package.json') chunks.push(chunk);
      });
      entry.on('end', () => {
        if (path === 'package.json') manifestText = Buffer.concat(chunks);
        if (hash && path !== undefined) digests?.set(path, { size, sha512: hash.digest('base64') });
      });
    });
    parser.on('error', fail);
    source.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      const manifest = parseManifest(manifestText);
      resolve({ manifest, bindingGyp, binDirFiles: binDirFiles(manifest, files), ...(digests ? { files: digests } : {}) });
    });
    source.pipe(parser);
  });
}

/** The path inside the package folder: pacote strips the first segment; entries outside it are skipped. */
function packagePath(entryPath: string): string | null {
  const parts = entryPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length < 2 || parts.includes('..')) return null;
  return parts.slice(1).join('/');
}

/**
 * pacote's rename on extract (lib/fetcher.js): a `.gitignore` becomes `.npmignore`, unless a `.npmignore`
 * at that path came earlier in the tarball, in which case the `.gitignore` is dropped.
 */
function npmignoreRename(): (path: string) => string | null {
  const sawIgnores = new Set<string>();
  return (path) => {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base === '.npmignore') sawIgnores.add(path);
    if (base !== '.gitignore') return path;
    const renamed = path.replace(/\.gitignore$/, '.npmignore');
    return sawIgnores.has(renamed) ? null : renamed;
  };
}

function parseManifest(text: Buffer | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text.toString('utf8').replace(/^\uFEFF/, '')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null; // npm cannot read it either: no scripts or bins come from it
  }
}

/** Files under `directories.bin` (only consulted when the manifest has no `bin`, as @npmcli/package-json does). */
function binDirFiles(manifest: Record<string, unknown> | null, files: readonly string[]): string[] {
  const directories = manifest?.['directories'];
  const dir = typeof directories === 'object' && directories !== null ? (directories as Record<string, unknown>)['bin'] : undefined;
  if (typeof dir !== 'string' || manifest?.['bin']) return [];
  const prefix = dir
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (prefix === '' || prefix.split('/').includes('..')) return [];
  return files.filter((f) => f.startsWith(`${prefix}/`)).sort();
}
