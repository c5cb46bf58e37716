// Tarball bytes for install: fetched into npm's cache by their signed integrity (a cache hit costs no
// network), and the sha512 of what was actually fetched bound into the evidence.
import pMap from 'p-map';
import pacote from 'pacote';
import { VouchError } from '../errors/index.js';
import type { NonRegistryRef } from '../tree/types.js';
import { checkIntegrity } from '../verify/integrity.js';
import type { PackageEvidence } from '../verify/types.js';
import type { FlatOptions } from '../config/index.js';

/** Where a verified package's bytes come from and the integrity they must have. */
export interface VerifiedTarball {
  integrity: string;
  url: string;
}

export const tarballKey = (name: string, version: string): string => `${name}@${version}`;

/**
 * Fetches the tarball of every package whose integrity verified, and returns the evidence with the
 * tarball check folded in (TARBALL_MISMATCH when the bytes differ) and the verified tarballs to install.
 */
export async function fetchVerifiedTarballs(
  evidence: readonly PackageEvidence[],
  flat: FlatOptions,
  concurrency: number,
  onPackage?: () => void,
): Promise<{ evidence: PackageEvidence[]; tarballs: Map<string, VerifiedTarball> }> {
  const tarballs = new Map<string, VerifiedTarball>();
  const checked = await pMap(evidence, async (e): Promise<PackageEvidence> => {
    onPackage?.();
    if (e.integrity?.kind !== 'ok') return e;
    // The signing registry's own dist.tarball first: a lockfile `resolved` on another host (lockfile
    // injection) is reported by the policy (RESOLVED_FOREIGN_HOST) and never contacted; the bytes
    // are bound by the signed integrity whichever URL serves them.
    const url = e.tarball ?? e.ref.resolved;
    if (!url) return { ...e, integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: 'the registry gives no tarball URL' } };
    const signed = e.integrity.integrity;
    try {
      // pacote checks the bytes against `integrity` as they stream (EINTEGRITY on a mismatch).
      const data = await pacote.tarball(`${e.ref.name}@${url}`, { ...flat, integrity: signed, resolved: url } as pacote.Options);
      const integrity = checkIntegrity({ locked: e.ref.integrity, registry: e.registryIntegrity, tarball: data.integrity ?? '' });
      if (integrity.kind === 'ok') tarballs.set(tarballKey(e.ref.name, e.ref.version), { integrity: signed, url });
      return { ...e, integrity };
    } catch (err) {
      const error = err as NodeJS.ErrnoException & { found?: unknown };
      if (error.code === 'EINTEGRITY') {
        return { ...e, integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: `the tarball from ${url} does not match the signed integrity`, expected: signed, actual: String(error.found ?? '') } };
      }
      return { ref: e.ref, unverifiable: { code: 'REGISTRY_UNREACHABLE', message: `could not fetch the tarball ${url}: ${error.message}` } };
    }
  }, { concurrency });
  return { evidence: checked, tarballs };
}

/**
 * Brings the git and remote-tarball dependencies the policy allowed by name into npm's cache before
 * the offline reify (which could not fetch them). Nothing signs them: they are installed because the
 * policy names them, and arborist still checks a locked integrity. A fetch failure stops the install
 * before anything is written (exit 3).
 */
export async function prefetchSources(refs: readonly NonRegistryRef[], flat: FlatOptions, concurrency: number): Promise<void> {
  await pMap(refs.filter((r) => r.kind === 'git' || r.kind === 'remote'), async (ref) => {
    try {
      await pacote.tarball(`${ref.name}@${ref.spec}`, { ...flat } as pacote.Options);
    } catch (err) {
      throw new VouchError('REGISTRY_UNREACHABLE', `could not fetch ${ref.name} from ${ref.spec}: ${(err as Error).message}`,
        { pkg: ref.name }, 'retry when the source is reachable; nothing was installed', { cause: err });
    }
  }, { concurrency });
}
