// Publishing with provenance from the private Sigstore deployment (fixtures/scripts/private-sigstore.ts):
// the package is packed with the real npm, a keyless SLSA bundle is minted over its exact sha512, and
// the publish body carries it as `<name>-<version>.sigstore`, as `npm publish --provenance` does.
//
// API
//   publishWithProvenance(registry, dir, sigstore, identity, opts?) → { tarball, integrity }
//     opts.tarball: publish these bytes instead of packing `dir` (e.g. a tarball other than the one signed)
//     opts.signedIntegrity: mint the bundle over this integrity instead of the tarball's (a wrong subject)
//     opts.fresh: sign, log and publish now; by default the bundle's log time is pastPublishTime() and the
//                 packument time is backdated (registry-storage.ts): the log time is the release time
//                 vouch's minReleaseAge reads first, and a release seconds old is denied by default
//   githubIdentity(repo, overrides?) → a GithubIdentity for "owner/repo" with stable ids and a release ref
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GithubIdentity, PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { keySigner, type InTotoStatement } from '../../lib/sign/index.js';
import { PREDICATE_PUBLISH_NPM, type RegistryKey } from '../../lib/verify/types.js';
import { packTarball } from './npm.js';
import { publishBody, sigstoreAttachment } from './packages.js';
import type { TestRegistry } from './registry.js';
import { pastPublishTime } from './registry-storage.js';

export interface ProvenancePublishOptions {
  tarball?: Buffer;
  signedIntegrity?: string;
  fresh?: boolean;
}

export async function publishWithProvenance(
  registry: TestRegistry,
  dir: string,
  sigstore: PrivateSigstore,
  identity: GithubIdentity,
  opts: ProvenancePublishOptions = {},
): Promise<{ tarball: Buffer; integrity: string }> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  const tarball = opts.tarball ?? (await packTarball(dir));
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const bundle = await sigstore.mintProvenance({
    name: manifest.name,
    version: manifest.version,
    integrity: opts.signedIntegrity ?? integrity,
    identity,
    ...(opts.fresh ? {} : { at: pastPublishTime() }),
  });
  const put = await registry.put(
    encodeURIComponent(manifest.name),
    publishBody({
      name: manifest.name,
      version: manifest.version,
      tarball,
      registry: registry.url,
      manifest: manifest as Record<string, unknown>,
      attachments: { [`${manifest.name}-${manifest.version}.sigstore`]: sigstoreAttachment(JSON.stringify(bundle)) },
    }),
    { fresh: opts.fresh ?? false },
  );
  if (put.status !== 201) throw new Error(`publishing ${manifest.name}@${manifest.version} with provenance failed: ${put.status} ${put.text}`);
  return { tarball, integrity };
}

/** A GitHub Actions identity for "owner/repo"; the same repo (owner) always gets the same immutable ids. */
export function githubIdentity(repository: string, overrides: Partial<GithubIdentity> = {}): GithubIdentity {
  const owner = repository.split('/')[0] ?? repository;
  return {
    repository,
    repositoryId: numericId(`repo:${repository}`),
    ownerId: numericId(`owner:${owner}`),
    ref: 'refs/tags/v1.0.0',
    commit: createHash('sha1').update(repository).digest('hex'),
    workflowPath: '.github/workflows/release.yml',
    runnerEnvironment: 'github-hosted',
    ...overrides,
  };
}

const numericId = (label: string): string => String(createHash('sha256').update(label).digest().readUInt32BE(0));

/**
 * A registry's P-256 signing key as its publish attestations use it: the signer, the keys endpoint's entry for it
 * (with `expires`), and the publish statement (in-toto v0.1, npm's publish predicate) over `subject`.
 */
export function registryPublishKey(pkg: { name: string; version: string }, subject: InTotoStatement['subject']) {
  const signer = keySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const spki = (signer.publicKeyPem.match(/^[A-Za-z0-9+/=]+$/gm) ?? []).join('');
  const keys = (expires: Date | null): RegistryKey[] => [{ keyid: signer.keyid, key: spki, expires }];
  const publishStatement: InTotoStatement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject,
    predicateType: PREDICATE_PUBLISH_NPM,
    predicate: { name: pkg.name, version: pkg.version, registry: 'http://127.0.0.1' },
  };
  return { signer, keys, publishStatement };
}
