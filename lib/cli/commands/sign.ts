// `vouch sign`: packs (or takes) a tarball, signs an in-toto statement over its exact sha512 and
// writes the Sigstore bundle beside it, never into the package folder. The key flags are shared with `vouch publish`.
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { loadNpmConfig, registryFor, withSlash } from '../../config/index.js';
import { VouchError, type ExitCode } from '../../errors/index.js';
import { PREDICATE_PUBLISHER } from '../../verify/index.js';
import { detectCi, packFileName, signPackage } from '../../sign/index.js';
import type { KeySource, SignResult } from '../../sign/sign-package.js';
import { parseFlags } from '../flags.js';
import { FLAGS } from './flag-table.js';
import type { Output } from '../output.js';

/**
 * Where a packed folder's tarball goes: --out-dir, else here, unless here is the package folder or
 * inside it (null: a folder of its own, outside), so the next pack never ships what vouch wrote.
 */
export async function packDestinationFor(target: string, cwd: string, outDir: string | undefined): Promise<string | null> {
  if (outDir !== undefined) return resolve(cwd, outDir);
  const folder = resolve(cwd, target);
  const isFolder = (await stat(folder).catch(() => undefined))?.isDirectory() ?? false;
  const rel = relative(folder, cwd);
  const cwdInside = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  return isFolder && cwdInside ? null : cwd;
}

export interface SignFlagValues {
  key?: string;
  'key-env'?: string;
  'signer-command'?: string;
  'public-key'?: string;
  keyless?: boolean;
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'identity-token'?: string;
}

/** Exactly one key source; its companion flags only with it. */
export function keySourceOf(values: SignFlagValues, env: NodeJS.ProcessEnv): KeySource {
  const chosen = [
    values.key && '--key',
    values['key-env'] && '--key-env',
    values['signer-command'] && '--signer-command',
    values.keyless && '--keyless',
  ].filter(Boolean);
  if (chosen.length !== 1) {
    throw new VouchError(
      'USAGE',
      chosen.length === 0 ? 'say how to sign' : `choose one way to sign, not ${chosen.join(' and ')}`,
      {},
      'pass one of --key FILE, --key-env VAR, --signer-command CMD --public-key FILE, or --keyless (in CI)',
    );
  }
  if (values['public-key'] && !values['signer-command']) throw new VouchError('USAGE', '--public-key goes with --signer-command');
  if ((values['fulcio-url'] || values['identity-token']) && !values.keyless)
    throw new VouchError('USAGE', '--fulcio-url and --identity-token go with --keyless');
  if (values.key) return { kind: 'file', file: values.key };
  if (values['key-env']) return { kind: 'env', variable: values['key-env'] };
  if (values['signer-command']) {
    if (!values['public-key']) throw new VouchError('USAGE', '--signer-command needs --public-key FILE (the public half of the key it signs with)');
    return { kind: 'command', command: values['signer-command'], publicKeyFile: values['public-key'] };
  }
  const token = values['identity-token'];
  if (!token && !env['SIGSTORE_ID_TOKEN'] && !env['ACTIONS_ID_TOKEN_REQUEST_URL']) {
    throw new VouchError(
      'USAGE',
      '--keyless needs an OIDC token: none in SIGSTORE_ID_TOKEN or from GitHub Actions',
      {},
      'run in CI with an id-token (GitHub: permissions id-token: write), or sign with a publisher key',
    );
  }
  return { kind: 'keyless', ...(values['fulcio-url'] ? { fulcioUrl: values['fulcio-url'] } : {}), ...(token ? { identityToken: token } : {}) };
}

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values, positionals } = parseFlags(argv, FLAGS.sign, true);
  if (positionals.length > 1) throw new VouchError('USAGE', `sign takes one package folder or tarball, got ${positionals.length}`);
  const cwd = process.cwd();
  const env = process.env;
  const key = keySourceOf(values, env);
  const config = await loadNpmConfig(cwd, values.registry ? [`--registry=${values.registry}`] : [], env);
  const target = positionals[0] ?? '.';
  const result = await signPackage({
    target,
    key,
    ...(values['rekor-url'] ? { rekorUrl: values['rekor-url'] } : {}),
    ...(values.out ? { out: values.out } : {}),
    packDestination: (await packDestinationFor(target, cwd, values['out-dir'])) ?? (await mkdtemp(join(tmpdir(), 'vouch-sign-'))),
    flat: config.flat,
    env,
    registry: (manifest) => withSlash(publishConfigRegistry(manifest) ?? registryFor(String(manifest['name']), config)),
    notice: (text) => out.stderr(text),
  });
  out.stdout(values.json ? JSON.stringify(signSummary(result)) : describeSigned(result, env, key, values['rekor-url']));
  return 0;
}

export function signSummary(r: SignResult, kept = { tarball: true, bundle: true }): Record<string, unknown> {
  return {
    name: r.name,
    version: r.version,
    ...(kept.tarball ? { tarball: r.tarballFile } : {}),
    integrity: r.integrity,
    ...(kept.bundle ? { bundle: r.bundleFile } : {}),
    predicateType: r.predicateType,
    ...(r.keyid ? { keyid: r.keyid } : {}),
    ...(r.logIndex !== undefined ? { logIndex: r.logIndex } : {}),
  };
}

/** `kept`: which of the files are still on disk (vouch publish removes its tarball, and its bundle without --out). */
export function describeSigned(
  r: SignResult,
  env: NodeJS.ProcessEnv,
  key: KeySource,
  rekorUrl: string | undefined,
  kept = { tarball: true, bundle: true },
): string {
  const ci = detectCi(env);
  const what = r.predicateType === PREDICATE_PUBLISHER ? 'publisher attestation' : `SLSA provenance v1 from ${ci ?? 'CI'}`;
  const signer = key.kind === 'keyless' ? 'Sigstore keyless (Fulcio certificate for the CI identity)' : `publisher key ${r.keyid}`;
  const log =
    r.logIndex !== undefined
      ? `logged at ${rekorUrl ?? 'Sigstore public-good Rekor'}, index ${r.logIndex}`
      : 'not logged (no --rekor-url): the signature carries no signed time, so consumers cannot tell it predates a key revocation';
  return [
    `Signed ${r.name}@${r.version}: ${what}`,
    `  tarball  ${kept.tarball ? r.tarballFile : `${packFileName(r.name, r.version)} (uploaded, not kept)`}`,
    `           ${r.integrity}`,
    `  bundle   ${kept.bundle ? r.bundleFile : `${packFileName(r.name, r.version, 'sigstore')} (attached, not kept)`}`,
    `  signer   ${signer}`,
    `  log      ${log}`,
  ].join('\n');
}

function publishConfigRegistry(manifest: Record<string, unknown>): string | undefined {
  const config = manifest['publishConfig'];
  const registry = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)['registry'] : undefined;
  return typeof registry === 'string' && registry !== '' ? registry : undefined;
}
