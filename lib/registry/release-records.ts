// What the full packument says about chosen versions of a package: install scripts, bins, dependencies,
// who published (`_npmUser`, and whether by trusted publishing) and when. For the change alerts between
// a version and the one it replaces. Registry data, unsigned: lib/policy/change-alerts.ts lets it only
// add findings. Fetched once per name, only for packages an update changes; only the asked versions kept.
import { manifestView } from '../tree/index.js';
import type { ReleaseView } from '../tree/version-change.js';
import { getBytes, parseJsonBody, type HttpOptions } from './http.js';
import { PACKUMENT_MAX_BYTES, packumentPath } from './packument.js';

/** The full packument (abbreviated ones carry neither scripts nor `_npmUser`). */
const FULL = 'application/json';

/** The versions' views from `registry`'s full packument of `name`; throws FetchFailure when it cannot be read. */
export async function releaseRecords(name: string, registry: string, versions: readonly string[], http: HttpOptions): Promise<Map<string, ReleaseView>> {
  const url = new URL(packumentPath(name), registry).href;
  const doc = parseJsonBody(await getBytes(url, http, { maxBytes: PACKUMENT_MAX_BYTES, accept: FULL, store: false }), url);
  const record = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const manifests = objectAt(record, 'versions');
  const times = objectAt(record, 'time');
  const out = new Map<string, ReleaseView>();
  for (const version of versions) {
    const manifest = manifests[version];
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) continue;
    const view = manifestView('packument', manifest as Record<string, unknown>);
    delete view.hasInstallScript; // the abbreviated packument's summary, not the manifest's word
    const publisher = publisherOf((manifest as Record<string, unknown>)['_npmUser']);
    if (publisher) view.publisher = publisher;
    const time = typeof times[version] === 'string' ? new Date(times[version]) : null;
    if (time && !Number.isNaN(time.getTime())) view.publishedAt = time;
    out.set(version, view);
  }
  return out;
}

function objectAt(doc: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = doc[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** `_npmUser`: `{ name, email, trustedPublisher? }` on the public registry; absent on registries that do not record it. */
function publisherOf(raw: unknown): ReleaseView['publisher'] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const user = raw as Record<string, unknown>;
  const name = typeof user['name'] === 'string' && user['name'] !== '' ? user['name'] : null;
  const trusted = typeof user['trustedPublisher'] === 'object' && user['trustedPublisher'] !== null;
  return name === null && !trusted ? undefined : { name, trusted };
}
