// What a vouch JSON report vouches for, per lockfile location: the tarball of the integrity vouch
// verified for the package there. Only `verified` packages count, and only with an integrity the
// registry signed for that name@version (so a wrong "verified" is caught here, not trusted).
import type { ReportJson } from '../../lib/cli/render/index.js';
import type { Catalog } from '../corpus/catalog.js';
import type { TarballStore } from '../corpus/tarball-store.js';
import type { References } from './written-bytes.js';

export function vouchReferences(report: ReportJson | undefined, store: TarballStore, catalog: Catalog): References {
  const byLocation = new Map<string, ReturnType<References>>();
  for (const p of report?.packages ?? []) {
    const id = `${p.name}@${p.version}`;
    const verdict = referenceFor(p, id, store, catalog);
    for (const location of p.locations) byLocation.set(location, verdict);
  }
  return (location) =>
    byLocation.get(location) ?? { refs: [], problem: report ? "installed, but absent from vouch's report" : 'installed, and vouch wrote no JSON report' };
}

function referenceFor(p: ReportJson['packages'][number], id: string, store: TarballStore, catalog: Catalog): ReturnType<References> {
  if (p.status !== 'verified') return { refs: [], problem: `vouch reported ${id} here as ${p.status} (${p.decision})` };
  // The registry-signed integrity is what vouch verified; the lockfile's string may carry other hashes npm also accepts.
  const sri = p.evidence.registryIntegrity ?? p.integrity;
  const tarball = sri ? store.bySri(sri) : undefined;
  if (!sri || !tarball) return { refs: [], problem: `vouch verified ${id} as ${sri ?? 'no integrity'}, the bytes of no known tarball` };
  if (catalog.signed(p.name, p.version)?.integrity !== tarball.integrity) {
    return { refs: [], problem: `vouch verified ${id} as ${sri}, which the registry never signed for ${id}` };
  }
  return { refs: [{ tarball, prefix: '', what: `vouch-verified ${id} (${tarball.integrity.slice(0, 20)}…)` }] };
}
