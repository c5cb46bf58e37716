// The exact bytes a maintainer signs and publishes: a folder packed as `npm pack` packs it (libnpmpack:
// prepack script, pacote's DirFetcher with Arborist and npm-packlist, postpack script), or a tarball
// given as it is. Its manifest is read back from inside the tarball, so what is signed, what is
// described and what is uploaded are the same bytes.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type pacoteTypes from 'pacote';
import { VouchError, truncate } from '../errors/index.js';

export interface PackedPackage {
  name: string;
  version: string;
  /** The manifest as read from the tarball's package.json (pacote, full metadata). */
  manifest: Record<string, unknown>;
  tarball: Buffer;
  /** Where the tarball lies (written by packFolder, or given). */
  tarballFile: string;
  /** sha512 SRI of the tarball. */
  integrity: string;
  sha512Hex: string;
}

type RunScript = (opts: Record<string, unknown>) => Promise<unknown>;

// Loaded on first use: the registry plugin and `vouch verify` import this stage for key ids and
// bundles, and should not pay for arborist and pacote.
async function pacote(): Promise<typeof pacoteTypes> {
  return (await import('pacote')).default;
}

/** File name `npm pack` gives a tarball: `@scope/name` + `1.2.3` → `scope-name-1.2.3.tgz`. */
export function packFileName(name: string, version: string, extension = 'tgz'): string {
  return `${name}-${version}.${extension}`.replace(/^@/, '').replace(/\//, '-');
}

export interface PackOptions {
  /** npm's flat options (cache, registry, ignoreScripts, scriptShell, …). */
  flat: Record<string, unknown>;
  /** Folder the tarball is written to (npm's pack-destination; default the current folder). */
  destination: string;
}

/** Packs `dir` as `npm pack` does and writes the tarball to `destination`. */
export async function packFolder(dir: string, opts: PackOptions): Promise<PackedPackage> {
  const path = resolve(dir);
  const { default: Arborist } = await import('@npmcli/arborist');
  const pacoteOpts = { ...opts.flat, Arborist } as pacoteTypes.Options;
  let manifest: Record<string, unknown>;
  try {
    manifest = (await (await pacote()).manifest(`file:${path}`, pacoteOpts)) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new VouchError('USAGE', `cannot read the package in ${path}: ${truncate(errorMessage(err))}`, { file: path });
  }
  const ignoreScripts = opts.flat['ignoreScripts'] === true;
  if (!ignoreScripts) await lifecycle('prepack', path, manifest, opts.flat);
  let tarball: Buffer;
  try {
    tarball = await (await pacote()).tarball(String(manifest['_resolved'] ?? path), pacoteOpts);
  } catch (err) {
    throw new VouchError('USAGE', `cannot pack ${path}: ${truncate(errorMessage(err))}`, { file: path });
  }
  if (!ignoreScripts) await lifecycle('postpack', path, manifest, opts.flat);
  const { name, version } = nameAndVersion(manifest, path);
  const tarballFile = resolve(opts.destination, packFileName(name, version));
  await writeFile(tarballFile, tarball);
  return readPacked(tarballFile, tarball, opts.flat);
}

/** A tarball given as a file: its manifest comes from inside it. */
export async function readTarball(file: string, flat: Record<string, unknown>): Promise<PackedPackage> {
  let tarball: Buffer;
  try {
    tarball = await readFile(file);
  } catch (err) {
    throw new VouchError('USAGE', `cannot read tarball ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, { file });
  }
  return readPacked(resolve(file), tarball, flat);
}

async function readPacked(tarballFile: string, tarball: Buffer, flat: Record<string, unknown>): Promise<PackedPackage> {
  let manifest: Record<string, unknown>;
  try {
    const read = (await (
      await pacote()
    ).manifest(`file:${tarballFile}`, { ...flat, fullMetadata: true, fullReadJson: true } as pacoteTypes.Options)) as unknown as Record<string, unknown>;
    // pacote's bookkeeping (_resolved is a local path, _from a spec) is not part of the package.
    manifest = Object.fromEntries(Object.entries(read).filter(([key]) => !['_resolved', '_from', '_integrity'].includes(key)));
  } catch (err) {
    throw new VouchError('USAGE', `${tarballFile} is not an npm package tarball: ${truncate(errorMessage(err))}`, { file: tarballFile });
  }
  const { name, version } = nameAndVersion(manifest, tarballFile);
  const sha512 = createHash('sha512').update(tarball).digest();
  return {
    name,
    version,
    manifest,
    tarball,
    tarballFile,
    integrity: `sha512-${sha512.toString('base64')}`,
    sha512Hex: sha512.toString('hex'),
  };
}

/** Runs a package lifecycle script (prepack, postpack, prepublishOnly, …) when the package has one. */
export async function lifecycle(event: string, path: string, manifest: Record<string, unknown>, flat: Record<string, unknown>): Promise<void> {
  const scripts = manifest['scripts'];
  if (typeof scripts !== 'object' || scripts === null || !(event in scripts)) return;
  const runScript = createRequire(import.meta.url)('@npmcli/run-script') as RunScript;
  try {
    await runScript({
      event,
      path,
      pkg: manifest,
      stdio: 'pipe',
      scriptShell: typeof flat['scriptShell'] === 'string' ? flat['scriptShell'] : undefined,
    });
  } catch (err) {
    throw new VouchError('USAGE', `the ${event} script of ${path} failed: ${truncate(errorMessage(err))}`, { file: path });
  }
}

function nameAndVersion(manifest: Record<string, unknown>, where: string): { name: string; version: string } {
  const { name, version } = manifest;
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    throw new VouchError('USAGE', `the package in ${where} has no name and version`, { file: where });
  }
  return { name, version };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
