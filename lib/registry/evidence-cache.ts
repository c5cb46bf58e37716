// A persistent cache of what the registry said about immutable name@version@integrity triples (dist,
// signatures, publish time) and of attestation verdicts per trust context. Warm runs re-check signatures
// locally against fresh keys and reuse bundle verdicts, so re-verification costs what changed.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { withoutCredentials } from '../config/index.js';
import type { AttestationResult, RegistryClaims } from '../verify/index.js';
import type { VersionDist } from './packument.js';
import { evidenceKey } from '../tree/index.js';

export interface CachedVersion {
  dist: VersionDist;
  publishedAt: string | null;
  /** When vouch fetched it from the registry (ISO); absent in entries written before vouch recorded it. */
  fetchedAt?: string;
  /** Trust claims of the packument (tier-claims.ts), when the run that fetched it asked for them. */
  claims?: RegistryClaims;
  /** Attestation verdict and the trust context (roots + keys digest) it was reached under. */
  attestation?: { context: string; result: AttestationResult };
}

interface CacheFile {
  version: typeof FORMAT_VERSION;
  entries: Record<string, CachedVersion>;
}

// 2: entries carry the packument's trust claims (v1 files are left alone and a new file started, so a
// warm run never judges a tier without the claims a cold run would have read).
const FORMAT_VERSION = 2;

/** Opens (or starts) the cache file; a corrupt file is ignored and rewritten, never trusted. */
export class EvidenceCache {
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, CachedVersion>,
  ) {}

  /** `npmCacheDir` is npm's cacache folder; vouch keeps its file beside it. */
  static async open(npmCacheDir: string): Promise<EvidenceCache> {
    const file = join(dirname(npmCacheDir), '_vouch', `evidence-v${FORMAT_VERSION}.json`);
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === FORMAT_VERSION && parsed.entries && typeof parsed.entries === 'object') {
        return new EvidenceCache(file, new Map(Object.entries(parsed.entries)));
      }
    } catch {
      // absent or unreadable: start empty
    }
    return new EvidenceCache(file, new Map());
  }

  /** Keyed by the registry's identity: the file never holds a password from a registry URL. */
  static key(registry: string, name: string, version: string, integrity: string | null): string {
    return evidenceKey({ registry: withoutCredentials(registry), name, version, integrity });
  }

  get(key: string): CachedVersion | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: CachedVersion): void {
    this.entries.set(key, value);
    this.dirty = true;
  }

  /** Writes atomically (temp file + rename) so a concurrent reader never sees half a file. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const body: CacheFile = { version: FORMAT_VERSION, entries: Object.fromEntries(this.entries) };
    await writeFile(temp, JSON.stringify(body));
    await rename(temp, this.file);
    this.dirty = false;
  }
}

/** Restores the Date fields of an attestation verdict read back from JSON. */
export function reviveAttestation(result: AttestationResult): AttestationResult {
  if (result.kind !== 'verified') return result;
  const revive = <T extends { integratedTime: Date | null }>(e: T | undefined): T | undefined =>
    e && { ...e, integratedTime: e.integratedTime === null ? null : new Date(e.integratedTime) };
  const out: AttestationResult = { kind: 'verified' };
  const provenance = revive(result.provenance);
  const publish = revive(result.publish);
  const publisher = revive(result.publisher);
  if (provenance) out.provenance = provenance;
  if (publish) out.publish = publish;
  if (publisher) out.publisher = publisher;
  return out;
}
