// Checks and cleans a publish body (PUT /<name>) before Verdaccio stores it. The registry computes the
// tarball's sha512 itself and signs that; a publisher's dist.integrity must agree with the attached
// bytes, and anything a publisher claims on the registry's behalf (dist.signatures,
// dist.attestations) is dropped. A `<name>-<version>.sigstore` attachment is taken out (Verdaccio
// accepts exactly one attachment) and handed back to be stored next to the version.
import { createHash } from 'node:crypto';
import { truncate } from './vouch-core.js';
import { checkBundleAttachment, type StoredAttestation } from './attestations.js';
import { isVersion } from './names.js';

export type PublishPlan =
  | { kind: 'not-publish' } // star, deprecate, unpublish: no tarball attached, nothing to sign
  | { kind: 'reject'; status: 400; message: string }
  | {
      kind: 'publish';
      name: string;
      version: string;
      /** sha512 SRI of the attached tarball. */
      integrity: string;
      sha512Hex: string;
      /** The publisher's bundle, when a .sigstore attachment came with the publish. */
      bundle: StoredAttestation | undefined;
    };

const SUPPORTED_ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/** Decides what a PUT body is; for a publish, rewrites `body` in place into what Verdaccio should store. */
export function planPublish(body: unknown, name: string): PublishPlan {
  if (!isRecord(body)) return { kind: 'not-publish' };
  const attachments = body['_attachments'];
  if (!isRecord(attachments) || Object.keys(attachments).length === 0) return { kind: 'not-publish' };

  const versions = body['versions'];
  const versionKeys = isRecord(versions) ? Object.keys(versions) : [];
  const [version] = versionKeys;
  if (!isRecord(versions) || versionKeys.length !== 1 || version === undefined) {
    return reject('a publish must carry exactly one version');
  }
  const manifest = versions[version];
  if (!isRecord(manifest) || !isVersion(version)) return reject(`version ${truncate(version, 60)} is not valid`);
  if (manifest['version'] !== undefined && manifest['version'] !== version) {
    return reject(`versions["${truncate(version, 60)}"].version says ${truncate(String(manifest['version']), 60)}`);
  }
  if (manifest['name'] !== undefined && manifest['name'] !== name) {
    return reject(`the version's name ${truncate(String(manifest['name']), 80)} is not the package ${name}`);
  }

  const bundleKeys = Object.keys(attachments).filter((k) => k.endsWith('.sigstore'));
  const tarballKeys = Object.keys(attachments).filter((k) => !k.endsWith('.sigstore'));
  if (bundleKeys.length > 1) return reject('a publish may carry at most one .sigstore attachment');
  const [tarballKey] = tarballKeys;
  if (tarballKeys.length !== 1 || tarballKey === undefined) return reject('a publish must attach exactly one tarball');

  const tarball = attachments[tarballKey];
  const data = isRecord(tarball) ? tarball['data'] : undefined;
  if (typeof data !== 'string' || data === '') return reject('the tarball attachment has no base64 data');
  const bytes = Buffer.from(data, 'base64');
  const sha512 = createHash('sha512').update(bytes).digest();
  const integrity = `sha512-${sha512.toString('base64')}`;

  const dist = isRecord(manifest['dist']) ? manifest['dist'] : {};
  const claimed = dist['integrity'];
  if (claimed !== undefined) {
    const problem = checkClaimedIntegrity(claimed, bytes);
    if (problem) return reject(`dist.integrity does not match the attached tarball: ${problem} (the tarball is ${integrity})`);
  }
  if (typeof dist['tarball'] === 'string' && basename(dist['tarball']) !== basename(tarballKey)) {
    return reject(`dist.tarball names ${truncate(basename(dist['tarball']), 80)} but the attachment is ${truncate(basename(tarballKey), 80)}`);
  }

  let bundle: StoredAttestation | undefined;
  const [bundleKey] = bundleKeys;
  if (bundleKey !== undefined) {
    const attachment = attachments[bundleKey];
    const checked = checkBundleAttachment(isRecord(attachment) ? attachment['data'] : undefined);
    if (checked.kind === 'reject') return reject(checked.message);
    bundle = checked.attestation;
    delete attachments[bundleKey];
  }

  // The registry vouches; a publisher cannot do it for it.
  delete dist['signatures'];
  delete dist['attestations'];
  dist['integrity'] = integrity;
  manifest['dist'] = dist;
  return { kind: 'publish', name, version, integrity, sha512Hex: sha512.toString('hex'), bundle };
}

/** Every hash in a claimed SRI string must match the bytes; an algorithm we cannot check is refused. */
export function checkClaimedIntegrity(claimed: unknown, bytes: Buffer): string | undefined {
  if (typeof claimed !== 'string' || claimed.trim() === '') return 'it is empty';
  for (const token of claimed.trim().split(/\s+/)) {
    const match = /^([a-z0-9]+)-([A-Za-z0-9+/=]+)(?:\?.*)?$/.exec(token);
    if (!match?.[1] || !match[2]) return `${truncate(token, 40)} is not an SRI hash`;
    const [, algorithm, digest] = match;
    if (!SUPPORTED_ALGORITHMS.has(algorithm)) return `algorithm ${truncate(algorithm, 20)} is not supported`;
    const actual = createHash(algorithm).update(bytes).digest('base64');
    if (actual !== digest) return `${algorithm} ${truncate(digest, 24)} differs`;
  }
  return undefined;
}

function basename(path: string): string {
  return path.replace(/.*\//, '');
}

function reject(message: string): PublishPlan {
  return { kind: 'reject', status: 400, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
