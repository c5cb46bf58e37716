// The signing filter: every manifest Verdaccio serves (full, abbreviated, single version, and its
// tarball checks) passes through here. Each version gets exactly the registry's signature over the
// integrity the registry recorded; whatever a publisher stored in dist.signatures/attestations is
// dropped. Verdaccio serves a filter's input when the filter throws (fail-open), so this never
// throws: a version it cannot sign goes out unsigned, which npm reports as missing while keys exist.
import type { KeyRing } from './keys.js';
import type { PackageRecords, RecordStore, VersionRecord } from './records.js';
import { isServable, publishTime, signVersion } from './signing.js';

export interface FilterDeps {
  ring: KeyRing;
  records: RecordStore;
  /** sha512 SRI of a tarball in this registry's storage; rejects when it is not stored here. */
  hashStoredTarball(name: string, filename: string): Promise<string>;
  /** Absolute URL of a version's attestations. */
  attestationsUrl(name: string, version: string): string;
  /** Lazy signings under way, keyed name@version. */
  inflight: Map<string, Promise<VersionRecord>>;
  onError(message: string, err: unknown): void;
}

type Json = Record<string, unknown>;

export async function signManifest(manifest: unknown, deps: FilterDeps): Promise<unknown> {
  if (!isRecord(manifest) || typeof manifest['name'] !== 'string' || !isRecord(manifest['versions'])) return manifest;
  const out = structuredClone(manifest);
  const name = manifest['name'];
  const versions = out['versions'] as Json;
  for (const v of Object.values(versions)) {
    if (isRecord(v) && isRecord(v['dist'])) {
      delete v['dist']['signatures'];
      delete v['dist']['attestations'];
    }
  }
  let records: PackageRecords;
  try {
    records = await deps.records.read(name);
  } catch (err) {
    deps.onError(`cannot read the signing records of ${name}; serving it unsigned`, err);
    return out;
  }
  for (const [version, v] of Object.entries(versions)) {
    if (!isRecord(v) || !isRecord(v['dist'])) continue;
    const dist = v['dist'];
    try {
      const record = await recordFor(name, version, dist, records[version], publishTime(out['time'], version), deps);
      dist['integrity'] = record.integrity;
      // logIndex: the signature's entry in the signing log (records signed before the log kept indexes have none).
      dist['signatures'] = [{ keyid: record.keyid, sig: record.sig, ...(record.logIndex !== undefined ? { logIndex: record.logIndex } : {}) }];
      if (record.attestation) {
        dist['attestations'] = {
          url: deps.attestationsUrl(name, version),
          provenance: { predicateType: record.attestation.predicateType },
        };
      }
    } catch (err) {
      deps.onError(`cannot sign ${name}@${version}; serving it unsigned`, err);
    }
  }
  return out;
}

/** The record to serve: the stored one while its key is valid, else a re-signing, else a lazy signing. */
async function recordFor(
  name: string,
  version: string,
  dist: Json,
  stored: VersionRecord | undefined,
  publishedAt: Date,
  deps: FilterDeps,
): Promise<VersionRecord> {
  if (stored && isServable(stored, deps.ring, publishedAt)) return stored;
  if (stored) {
    // The recorded integrity was computed by the registry, so it stays trusted across a key change.
    const renewed = {
      ...(await signVersion(deps.ring, name, version, stored.integrity, 're-signed')),
      ...(stored.attestation ? { attestation: stored.attestation } : {}),
    };
    return deps.records.put(name, version, renewed);
  }
  const key = `${name}@${version}`;
  let pending = deps.inflight.get(key);
  if (!pending) {
    pending = signStoredTarball(name, version, dist, deps).finally(() => deps.inflight.delete(key));
    deps.inflight.set(key, pending);
  }
  return pending;
}

/** A version that predates the plugin: hash the bytes in storage (never trust dist.integrity) and sign. */
async function signStoredTarball(name: string, version: string, dist: Json, deps: FilterDeps): Promise<VersionRecord> {
  // A concurrent request may have just recorded it (its read raced ours): hash a tarball only once.
  const recorded = (await deps.records.read(name))[version];
  if (recorded) return recorded;
  const tarball = dist['tarball'];
  if (typeof tarball !== 'string' || tarball === '') throw new Error('no dist.tarball to hash');
  const integrity = await deps.hashStoredTarball(name, tarball.replace(/.*\//, ''));
  const record = await signVersion(deps.ring, name, version, integrity, 'lazy');
  return deps.records.putIfMissing(name, version, record);
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
