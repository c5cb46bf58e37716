// `vouch publish` as a function: npm publish's order (prepublishOnly, pack, sign, PUT, publish and
// postpublish scripts), with the signature made before anything is uploaded: if signing fails,
// nothing is published. Registry, tag and access come from npm's config, then the package's
// publishConfig, then npm flags given after `--` (npm's precedence).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { VouchError } from '../errors/index.js';
import { lifecycle } from './pack.js';
import { buildPublishBody, putPublishBody } from './publish.js';
import { signPackage, type KeySource, type SignResult } from './sign-package.js';

export interface PublishOptions {
  /** Package folder or tarball. */
  target: string;
  key: KeySource;
  rekorUrl?: string;
  /** Bundle file (default beside the tarball). */
  out?: string;
  /** Where the tarball (and bundle) are written; null: a folder of its own, removed after publishing. */
  packDestination: string | null;
  cwd: string;
  /** npm flags (`--tag`, `--access`, `--otp`, `--registry`, `--dry-run`, …), as npm publish takes them. */
  npmArgs: string[];
  env: NodeJS.ProcessEnv;
  notice?: (text: string) => void;
}

export interface PublishResult extends SignResult {
  registry: string;
  tag: string;
  dryRun: boolean;
}

export async function publishPackage(opts: PublishOptions): Promise<PublishResult> {
  // Loaded here, not at import: the registry plugin and `vouch verify` load this stage for key ids.
  const { loadNpmConfig, registryFor, stringOption, withSlash } = await import('../config/index.js');
  const config = await loadNpmConfig(opts.cwd, opts.npmArgs, opts.env);
  const flat = config.flat;
  const onCli = (flag: string) => opts.npmArgs.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const publishConfig = (manifest: Record<string, unknown>): Record<string, unknown> =>
    typeof manifest['publishConfig'] === 'object' && manifest['publishConfig'] !== null ? (manifest['publishConfig'] as Record<string, unknown>) : {};
  const pick = (manifest: Record<string, unknown>, key: string, fallback: string | undefined): string | undefined => {
    const value = publishConfig(manifest)[key];
    return !onCli(key) && typeof value === 'string' && value !== '' ? value : fallback;
  };
  const registryOf = (manifest: Record<string, unknown>): string =>
    withSlash(pick(manifest, 'registry', undefined) ?? registryFor(String(manifest['name']), config));

  const target = resolve(opts.cwd, opts.target);
  const isFolder = (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
  const ignoreScripts = flat['ignoreScripts'] === true;
  if (isFolder && !ignoreScripts) await lifecycle('prepublishOnly', target, await folderManifest(target), flat);

  // Without a destination outside the package folder, the tarball (and, without --out, the bundle) live
  // in a folder of their own, removed afterwards: nothing is left for the next pack to ship.
  const scratch = opts.packDestination === null ? await mkdtemp(join(tmpdir(), 'vouch-publish-')) : null;
  try {
    const signed = await signPackage({
      target,
      key: opts.key,
      ...(opts.rekorUrl ? { rekorUrl: opts.rekorUrl } : {}),
      ...(opts.out ? { out: resolve(opts.cwd, opts.out) } : {}),
      packDestination: scratch ?? opts.packDestination ?? opts.cwd,
      flat,
      env: opts.env,
      registry: registryOf,
      ...(opts.notice ? { notice: opts.notice } : {}),
    });
    if (signed.manifest['private'] === true) {
      throw new VouchError('USAGE', `${signed.name} is marked "private": true and cannot be published`, {}, 'remove "private" from package.json to publish it');
    }
    const registry = registryOf(signed.manifest);
    const tag = pick(signed.manifest, 'tag', stringOption(flat, 'defaultTag')) ?? 'latest';
    const access = pick(signed.manifest, 'access', stringOption(flat, 'access')) ?? null;
    const dryRun = flat['dryRun'] === true;
    if (!dryRun) {
      const body = buildPublishBody({ manifest: signed.manifest, tarball: signed.tarball, bundle: signed.bundle, registry, tag, access });
      await putPublishBody(body, { flat, registry });
      if (isFolder && !ignoreScripts) {
        await lifecycle('publish', target, signed.manifest, flat);
        await lifecycle('postpublish', target, signed.manifest, flat);
      }
    }
    return { ...signed, registry, tag, dryRun };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function folderManifest(dir: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(resolve(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    throw new VouchError('USAGE', `${dir} has no readable package.json`, { file: resolve(dir, 'package.json') });
  }
}
