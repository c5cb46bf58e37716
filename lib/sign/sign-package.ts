// `vouch sign` as a function: pack (or read) the tarball, describe it in an in-toto statement, sign it
// with the chosen key source, optionally log it, check the result, and write `<name>-<version>.sigstore`
// beside the tarball. `vouch publish` calls the same function before it uploads anything.
import { createPublicKey } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Stats } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import type { Witness } from '@sigstore/sign';
import { VouchError, truncate } from '../errors/index.js';
import { detectCi } from './ci-provenance.js';
import { commandSigner, verifySignature } from './command-signer.js';
import { buildBundle, buildKeyedBundle, IN_TOTO_PAYLOAD_TYPE } from './dsse.js';
import { identityToken, keylessSigner, rekorWitness, DEFAULT_REKOR_URL } from './keyless.js';
import { isLooselyProtected, readPrivateKeyEnv, readPrivateKeyFile, readPublicKeyFile, spkiBase64 } from './keys.js';
import { packFileName, packFolder, readTarball, type PackedPackage } from './pack.js';
import { keySigner, type RawSigner } from './signer.js';
import { buildStatement } from './statement.js';

/** Where the signature comes from. */
export type KeySource =
  | { kind: 'file'; file: string }
  | { kind: 'env'; variable: string }
  | { kind: 'command'; command: string; publicKeyFile: string }
  | { kind: 'keyless'; fulcioUrl?: string; identityToken?: string };

export interface SignOptions {
  /** A package folder (packed as npm pack does) or a .tgz. */
  target: string;
  key: KeySource;
  /** Rekor to log in. Keyless always logs (default public-good); key-signed only when given. */
  rekorUrl?: string;
  /** Bundle file; default `<name>-<version>.sigstore` beside the tarball (scope flattened as npm pack does). */
  out?: string;
  /** Where a packed folder's tarball is written (npm's pack-destination). */
  packDestination: string;
  /** npm flat options (pacote, lifecycle scripts). */
  flat: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Registry named in the publisher predicate, when known (a function of the packed manifest). */
  registry?: (manifest: Record<string, unknown>) => string | undefined;
  /** Called with notices worth telling the user (never secrets). */
  notice?: (text: string) => void;
}

export interface SignResult {
  name: string;
  version: string;
  tarballFile: string;
  tarball: Buffer;
  manifest: Record<string, unknown>;
  integrity: string;
  sha512Hex: string;
  bundleFile: string;
  bundle: SerializedBundle;
  predicateType: string;
  /** Key-signed: the publisher key id. */
  keyid?: string;
  /** Log index of the witness entry, when logged. */
  logIndex?: string;
}

export async function signPackage(opts: SignOptions): Promise<SignResult> {
  // Read the key first: a missing key must fail before any prepack script runs.
  const signer = opts.key.kind === 'keyless' ? undefined : await rawSigner(opts.key, opts.env, opts.notice);
  if (!signer && !detectCi(opts.env)) {
    throw new VouchError(
      'USAGE',
      'keyless signing needs a CI that describes the build (GitHub Actions or GitLab CI)',
      {},
      'sign with a publisher key (--key, --key-env or --signer-command) outside CI',
    );
  }
  await refuseOutputsInside(opts);
  const packed = await pack(opts);
  const contents = unpacked(packed.tarball);
  const stale = packedOutputs(contents, packed.name);
  if (stale.length > 0) {
    if (packed.tarballFile !== resolve(opts.target)) await rm(packed.tarballFile, { force: true });
    throw new VouchError(
      'SIGN_FAILED',
      `${packed.name}@${packed.version} would ship ${stale.join(', ')}: tarballs or bundles left by an earlier npm pack or vouch sign; nothing was signed`,
      { file: resolve(opts.target) },
      `delete them from the package folder (vouch sign and vouch publish no longer write there), or exclude them with "files" / .npmignore`,
    );
  }
  if (signer && (await holdsSigningKey(contents, opts.key, opts.env))) {
    if (packed.tarballFile !== resolve(opts.target)) await rm(packed.tarballFile, { force: true }); // ours: don't leave the key lying in it
    throw new VouchError(
      'SIGN_FAILED',
      `${packed.tarballFile} contains the private key you are signing with; nothing was signed`,
      { file: packed.tarballFile },
      'keep the key outside the package folder (vouch keygen writes to ~/.vouch/keys) or exclude it with "files" / .npmignore',
    );
  }
  if (opts.notice && /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/.test(contents)) {
    opts.notice(`warning: ${packed.tarballFile} contains a PEM private key; check what npm pack includes (.npmignore, "files") before publishing`);
  }
  const ci = detectCi(opts.env);
  const registry = opts.registry?.(packed.manifest);
  const statement = buildStatement({
    name: packed.name,
    version: packed.version,
    sha512Hex: packed.sha512Hex,
    ci,
    env: opts.env,
    publisherKey: signer ? { keyid: signer.keyid, publicKey: spkiBase64(createPublicKey(signer.publicKeyPem)) } : undefined,
    ...(registry ? { registry } : {}),
  });
  const witnesses: Witness[] = [];
  let bundle: SerializedBundle;
  if (signer) {
    if (opts.rekorUrl) witnesses.push(rekorWitness(opts.rekorUrl));
    bundle = await signing(() => buildKeyedBundle(statement, signer, witnesses));
    checkKeyedBundle(bundle, signer);
  } else {
    const key = opts.key as Extract<KeySource, { kind: 'keyless' }>;
    const token = await identityToken({ env: opts.env, ...(key.identityToken ? { explicit: key.identityToken } : {}) });
    witnesses.push(rekorWitness(opts.rekorUrl ?? DEFAULT_REKOR_URL));
    bundle = await signing(() => buildBundle(statement, keylessSigner(token, key.fulcioUrl), witnesses));
  }
  const bundleFile = resolve(opts.out ?? join(dirname(packed.tarballFile), packFileName(packed.name, packed.version, 'sigstore')));
  await writeFile(bundleFile, `${JSON.stringify(bundle)}\n`);
  // bundleToJSON leaves out protobuf defaults: an empty tlogEntries list, a logIndex of "0".
  const entries = bundle.verificationMaterial.tlogEntries as SerializedBundle['verificationMaterial']['tlogEntries'] | undefined;
  const logIndex = entries?.[0] ? (entries[0].logIndex ?? '0') : undefined;
  return {
    name: packed.name,
    version: packed.version,
    tarballFile: packed.tarballFile,
    tarball: packed.tarball,
    manifest: packed.manifest,
    integrity: packed.integrity,
    sha512Hex: packed.sha512Hex,
    bundleFile,
    bundle,
    predicateType: statement.predicateType,
    ...(signer ? { keyid: signer.keyid } : {}),
    ...(logIndex !== undefined ? { logIndex } : {}),
  };
}

/** A RawSigner for a key file, a key in the environment, or an external command. */
export async function rawSigner(source: Exclude<KeySource, { kind: 'keyless' }>, env: NodeJS.ProcessEnv, notice?: (text: string) => void): Promise<RawSigner> {
  switch (source.kind) {
    case 'file': {
      const key = await readPrivateKeyFile(source.file);
      if (notice && (await isLooselyProtected(source.file))) notice(`warning: ${source.file} is readable by other users; chmod 600 it`);
      return keySigner(key);
    }
    case 'env':
      return keySigner(readPrivateKeyEnv(source.variable, env));
    case 'command':
      return commandSigner(source.command, await readPublicKeyFile(source.publicKeyFile), { env });
  }
}

async function pack(opts: SignOptions): Promise<PackedPackage> {
  let info: Stats;
  try {
    info = await stat(opts.target);
  } catch {
    throw new VouchError('USAGE', `${opts.target} does not exist`, { file: opts.target }, 'give a package folder or a tarball made by npm pack');
  }
  return info.isDirectory() ? packFolder(opts.target, { flat: opts.flat, destination: opts.packDestination }) : readTarball(opts.target, opts.flat);
}

/**
 * vouch writes nothing into the package folder it signs: a tarball or bundle there is packed into the
 * next release. A destination (--out-dir, --out) inside the folder is refused before anything runs.
 */
async function refuseOutputsInside(opts: SignOptions): Promise<void> {
  const target = resolve(opts.target);
  if (!(await stat(target).catch(() => undefined))?.isDirectory()) return;
  for (const [flag, path] of [
    ['--out-dir', opts.packDestination],
    ['--out', opts.out],
  ] as const) {
    if (path !== undefined && isInside(resolve(path), target)) {
      throw new VouchError(
        'USAGE',
        `${flag} ${path} is inside the package folder ${target}: the next pack would ship what vouch writes there`,
        { file: resolve(path) },
        'write outside it, e.g. --out-dir ../dist',
      );
    }
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Root files of the packed tarball named as npm pack or vouch sign name their outputs for this package. */
function packedOutputs(contents: string, name: string): string[] {
  const stem = packFileName(name, '')
    .replace(/\.tgz$/, '')
    .replace(/-$/, '');
  const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`package/(${escaped}-\\d+\\.\\d+\\.\\d+[^/\\0]*\\.(?:tgz|sigstore))\\0`, 'g');
  return [...new Set([...contents.matchAll(pattern)].map((m) => m[1]!))].sort();
}

/** The tar stream inside the gzip, as latin1 text to search ('' when it is not gzip). */
function unpacked(tarball: Buffer): string {
  try {
    return gunzipSync(tarball).toString('latin1');
  } catch {
    return '';
  }
}

/** True when the packed files include the signing key itself (a line of its PEM body). */
async function holdsSigningKey(contents: string, source: KeySource, env: NodeJS.ProcessEnv): Promise<boolean> {
  let text: string | undefined;
  if (source.kind === 'file') text = await readFile(source.file, 'utf8').catch(() => undefined);
  if (source.kind === 'env') text = env[source.variable];
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 40 && !l.startsWith('-----'));
  return lines.some((line) => contents.includes(line));
}

/** Signing and logging failures become SIGN_FAILED (exit 1), whatever threw them. */
async function signing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof VouchError) throw err;
    throw new VouchError('SIGN_FAILED', `signing failed: ${truncate(err instanceof Error ? err.message : String(err), 300)}`);
  }
}

/** The bundle's signature must verify with the key it names before anyone relies on it. */
function checkKeyedBundle(bundle: SerializedBundle, signer: RawSigner): void {
  const envelope = bundle.dsseEnvelope;
  const signature = envelope?.signatures[0];
  const material = bundle.verificationMaterial.publicKey;
  const ok =
    envelope &&
    signature &&
    material?.hint === signer.keyid &&
    signature.keyid === signer.keyid &&
    envelope.payloadType === IN_TOTO_PAYLOAD_TYPE &&
    verifySignature(
      dsse.preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64')),
      createPublicKey(signer.publicKeyPem),
      Buffer.from(signature.sig, 'base64'),
    );
  if (!ok) throw new VouchError('SIGN_FAILED', `the signed bundle does not verify with key ${signer.keyid}`);
}
