// Fixture package folders for registry tests: write them, publish them with registry.publish(dir).
//
// API
//   writePackage(root, spec)       → the folder `<root>/<name with / as +>@<version>/` holding package.json,
//                                    index.js (exports {name, version}) and spec.files.
//   writePackages(root, specs)     → their folders, in order.
//   publishBody({name, version, tarball, registry, dist?, manifest?, attachments?})
//                                  → the JSON npm publish (libnpmpublish) sends, for raw PUTs that npm itself
//                                    would refuse to make (forged signatures, a wrong integrity, a .sigstore
//                                    attachment). `dist` overrides/extends the computed dist; `attachments` adds entries.
//   sigstoreAttachment(bundleText) → a `.sigstore` attachment as libnpmpublish writes it (raw JSON, not base64).
//   markerScript(file)             → a lifecycle script (e.g. scripts.postinstall) that writes `name@version`
//                                    to `file` (absolute path), to prove whether a script ran.
//   PackageSpec: { name, version, dependencies?, scripts?, files?, manifest? }
//     files: relative path → text, or { size } for that many deterministic, incompressible bytes
//     manifest: extra package.json fields (bin, optionalDependencies, …)
// Contents are deterministic, so the same spec always packs to the same tarball (same integrity).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface PackageSpec {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  files?: Record<string, string | { size: number }>;
  manifest?: Record<string, unknown>;
}

export async function writePackage(root: string, spec: PackageSpec): Promise<string> {
  const dir = join(root, `${spec.name.replace('/', '+')}@${spec.version}`);
  await mkdir(dir, { recursive: true });
  const manifest = {
    name: spec.name,
    version: spec.version,
    description: `vouch test fixture ${spec.name}@${spec.version}`,
    license: 'MIT',
    main: 'index.js',
    ...(spec.dependencies ? { dependencies: spec.dependencies } : {}),
    ...(spec.scripts ? { scripts: spec.scripts } : {}),
    ...spec.manifest,
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify({ name: spec.name, version: spec.version })};\n`);
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : filler(content.size, `${spec.name}@${spec.version}/${path}`));
  }
  return dir;
}

export async function writePackages(root: string, specs: readonly PackageSpec[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const spec of specs) dirs.push(await writePackage(root, spec));
  return dirs;
}

/** A script that records that it ran: writes `name@version` of the package running it to `file`. */
export function markerScript(file: string): string {
  const code = `require('fs').writeFileSync(${JSON.stringify(file)}, process.env.npm_package_name + '@' + process.env.npm_package_version)`;
  return `node -e ${JSON.stringify(code)}`;
}

/** `size` bytes that gzip cannot shrink, the same for the same seed. */
function filler(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha512').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha512').update(block).digest();
  }
  return out;
}

export interface PublishBodyOptions {
  name: string;
  version: string;
  tarball: Buffer;
  /** Registry URL with a trailing slash (dist.tarball points into it). */
  registry: string;
  manifest?: Record<string, unknown>;
  dist?: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}

/** The publish document libnpmpublish builds (`buildMetadata`): one version, the tarball attached in base64. */
export function publishBody(o: PublishBodyOptions): Record<string, unknown> {
  const unscoped = o.name.replace(/^@[^/]+\//, '');
  const dist = {
    integrity: `sha512-${createHash('sha512').update(o.tarball).digest('base64')}`,
    shasum: createHash('sha1').update(o.tarball).digest('hex'),
    tarball: `${o.registry}${o.name}/-/${unscoped}-${o.version}.tgz`,
    ...o.dist,
  };
  return {
    _id: o.name,
    name: o.name,
    'dist-tags': { latest: o.version },
    versions: { [o.version]: { name: o.name, version: o.version, _id: `${o.name}@${o.version}`, ...o.manifest, dist } },
    access: 'public',
    _attachments: {
      [`${o.name}-${o.version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: o.tarball.toString('base64'),
        length: o.tarball.length,
      },
      ...o.attachments,
    },
  };
}

/** A `<name>-<version>.sigstore` attachment value: the bundle as raw JSON text, content_type its media type. */
export function sigstoreAttachment(bundleText: string): { content_type: string; data: string; length: number } {
  const mediaType = (JSON.parse(bundleText) as { mediaType?: string }).mediaType ?? 'application/vnd.dev.sigstore.bundle.v0.3+json';
  return { content_type: mediaType, data: bundleText, length: Buffer.byteLength(bundleText) };
}
