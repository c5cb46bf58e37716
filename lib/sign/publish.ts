// Publishing a signed tarball: the publish document npm's libnpmpublish builds (buildMetadata), with
// the Sigstore bundle attached as `<name>-<version>.sigstore` exactly as npm attaches provenance (raw
// JSON text, content_type = the bundle's media type), sent with npm-registry-fetch and the user's npm
// auth. libnpmpublish itself cannot take this bundle: its `provenanceFile` path runs sigstore.verify(),
// which needs the TUF CDN and rejects key-signed bundles.
// Credentials stay inside npm-registry-fetch; error texts are scrubbed of every credential in the config.
import type { SerializedBundle } from '@sigstore/bundle';
import { createHash } from 'node:crypto';
import npa from 'npm-package-arg';
import type npmFetch from 'npm-registry-fetch';
import { VouchError, truncate } from '../errors/index.js';
import { scrub } from './keyless.js';

export interface PublishBodyInput {
  /** The manifest read from the tarball. */
  manifest: Record<string, unknown>;
  tarball: Buffer;
  bundle: SerializedBundle;
  /** Registry URL with a trailing slash. */
  registry: string;
  /** dist-tag (npm's `tag`, default "latest"). */
  tag: string;
  /** npm's `access` (null when unset, as npm sends it). */
  access: string | null;
}

/** The PUT body for a first or later publish of one version (libnpmpublish `buildMetadata`). */
export function buildPublishBody(input: PublishBodyInput): Record<string, unknown> {
  const manifest: Record<string, unknown> = { ...input.manifest, _nodeVersion: process.versions.node };
  const name = String(manifest['name']);
  const version = String(manifest['version']);
  const tarballName = `${name}-${version}.tgz`;
  manifest['_id'] = `${name}@${version}`;
  manifest['dist'] = {
    ...(isRecord(manifest['dist']) ? manifest['dist'] : {}),
    integrity: `sha512-${createHash('sha512').update(input.tarball).digest('base64')}`,
    shasum: createHash('sha1').update(input.tarball).digest('hex'), // legacy, as npm still sends it
    // npm writes http:// here; clients upgrade to the registry's scheme.
    tarball: new URL(`${name}/-/${tarballName}`, input.registry).href.replace(/^https:\/\//, 'http://'),
  };
  const bundleText = JSON.stringify(input.bundle);
  return {
    _id: name,
    name,
    description: manifest['description'],
    'dist-tags': { [input.tag]: version },
    versions: { [version]: manifest },
    access: input.access,
    _attachments: {
      [tarballName]: { content_type: 'application/octet-stream', data: input.tarball.toString('base64'), length: input.tarball.length },
      [`${name}-${version}.sigstore`]: { content_type: input.bundle.mediaType, data: bundleText, length: bundleText.length },
    },
  };
}

export interface PutOptions {
  /** npm flat options: auth (nerf-darted), otp, timeouts, proxies, CA. */
  flat: Record<string, unknown>;
  registry: string;
}

/** PUT /<escaped name> on the registry; a refusal is REGISTRY_ERROR (exit 3) or a clear auth/usage error. */
export async function putPublishBody(body: Record<string, unknown>, opts: PutOptions): Promise<void> {
  const name = String(body['name']);
  const escaped = npa(name).escapedName ?? encodeURIComponent(name);
  const { default: fetch } = await import('npm-registry-fetch'); // loaded only when publishing
  try {
    await fetch(escaped, {
      ...opts.flat,
      registry: opts.registry,
      method: 'PUT',
      body,
      ignoreBody: true,
    } as npmFetch.Options);
  } catch (err) {
    throw publishError(err, name, opts);
  }
}

function publishError(err: unknown, name: string, opts: PutOptions): VouchError {
  const secrets = Object.entries(opts.flat)
    .filter(([key, value]) => /(_authToken|_auth|_password|token|otp)$/i.test(key) && typeof value === 'string')
    .map(([, value]) => value as string);
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown; body?: { error?: unknown } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const detail = scrub(truncate(String(e.body?.error ?? e.message ?? err), 240), secrets);
  if (e.code === 'EOTP')
    return new VouchError('USAGE', `the registry wants a one-time password to publish ${name}`, {}, 'pass it to npm: vouch publish … -- --otp=123456');
  if (status === 401 || status === 403) {
    return new VouchError(
      'PUBLISH_DENIED',
      `the registry refused to publish ${name} (HTTP ${status}): ${detail}`,
      { pkg: name },
      `log in first: npm login --registry ${opts.registry}`,
    );
  }
  if (status === 409) return new VouchError('PUBLISH_DENIED', `${name}: this version is already published (HTTP 409): ${detail}`, { pkg: name });
  if (status !== undefined && status < 500)
    return new VouchError('PUBLISH_DENIED', `the registry refused to publish ${name} (HTTP ${status}): ${detail}`, { pkg: name });
  return new VouchError(status === undefined ? 'REGISTRY_UNREACHABLE' : 'REGISTRY_ERROR', `publishing ${name} to ${opts.registry} failed: ${detail}`, {
    pkg: name,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
