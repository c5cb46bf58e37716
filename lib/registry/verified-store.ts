// vouch's own store of verified tarballs: a cacache folder beside npm's cache, content-addressed by the
// integrity vouch verified. reify reads it by digest, as pacote reads npm's cache (cacache re-hashes
// every read), so whatever the registry's cache headers or the lockfile's `resolved` say, the bytes
// installed are bytes vouch verified. Only content vouch checked against a signed integrity is put here.
import { dirname, join } from 'node:path';
import cacache from 'cacache';

export class VerifiedStore {
  constructor(readonly path: string) {}

  /** The store that belongs to npm's cache folder (`<cache>/_cacache` → `<cache>/_vouch/tarballs`). */
  static beside(npmCacheDir: string): VerifiedStore {
    return new VerifiedStore(join(dirname(npmCacheDir), '_vouch', 'tarballs'));
  }

  /** Whether bytes with this integrity are stored (their hash is checked again whenever they are read). */
  async has(integrity: string): Promise<boolean> {
    return Boolean(await cacache.get.hasContent(this.path, integrity).catch(() => false));
  }

  /**
   * A writer for bytes expected to hash to `integrity`: cacache moves them into place only if they do,
   * and otherwise fails with EINTEGRITY, leaving nothing behind.
   */
  writer(integrity: string): ReturnType<typeof cacache.put.stream> {
    return cacache.put.stream(this.path, `vouch:verified:${integrity}`, { integrity, algorithms: ['sha512'] });
  }

  reader(integrity: string): NodeJS.ReadableStream {
    return cacache.get.stream.byDigest(this.path, integrity);
  }
}

/** Whether npm's own cache holds bytes with this integrity (read by digest: cacache checks them). */
export async function npmCacheHas(npmCacheDir: string, integrity: string): Promise<boolean> {
  return Boolean(await cacache.get.hasContent(npmCacheDir, integrity).catch(() => false));
}

export function npmCacheReader(npmCacheDir: string, integrity: string): NodeJS.ReadableStream {
  return cacache.get.stream.byDigest(npmCacheDir, integrity);
}
