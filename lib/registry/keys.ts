// Registry signing keys: `GET {registry}/-/npm/v1/keys`, or npm's pinned TUF keys for registry.npmjs.org.
import { isPublicNpmRegistry, npmPinnedKeys, type RegistryKey } from '../verify/index.js';
import { getJson, type HttpOptions } from './http.js';
import { FetchFailure } from '../errors/index.js';

export type RegistryKeys = { kind: 'keys'; keys: RegistryKey[]; source: 'endpoint' | 'pinned' } | { kind: 'none' }; // 404/400 from the keys endpoint: an unsigned registry (npm/cli#5479 for the 400)

const KEYS_MAX_BYTES = 256 * 1024;

/** The keys that count for `registry`. Throws FetchFailure when the registry cannot be asked (fail closed). */
export async function fetchRegistryKeys(registry: string, http: HttpOptions): Promise<RegistryKeys> {
  // A mirror of the public registry cannot swap or strip npm's keys: they are pinned from the TUF seed.
  if (isPublicNpmRegistry(registry)) return { kind: 'keys', keys: npmPinnedKeys('npm:signatures'), source: 'pinned' };
  const url = new URL('-/npm/v1/keys', registry).href;
  let body: unknown;
  try {
    // Fresh on every online run: a key the registry has since retired or expired must not live on in a cache.
    body = await getJson(url, http, { maxBytes: KEYS_MAX_BYTES, absentStatuses: [400], fresh: true });
  } catch (err) {
    if (err instanceof FetchFailure && err.code === 'NOT_FOUND') return { kind: 'none' };
    throw err;
  }
  const keys = parseKeysResponse(body, url);
  return keys.length === 0 ? { kind: 'none' } : { kind: 'keys', keys, source: 'endpoint' };
}

/** Narrows a keys-endpoint body; a malformed one is a registry error, not "no keys". */
export function parseKeysResponse(body: unknown, url: string): RegistryKey[] {
  const list = typeof body === 'object' && body !== null && 'keys' in body ? body.keys : undefined;
  if (!Array.isArray(list)) throw new FetchFailure('BAD_BODY', `${url} did not return {keys:[…]}`, url);
  if (list.length > MAX_KEYS) throw new FetchFailure('BAD_BODY', `${url} lists ${list.length} keys, more than ${MAX_KEYS}`, url);
  return list.map((entry: unknown, i) => {
    const k = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const expires = optionalDate(k.expires);
    const revoked = optionalDate(k.revoked);
    const endorsements = parseEndorsements(k.endorsements);
    if (typeof k.keyid !== 'string' || typeof k.key !== 'string' || expires === undefined || revoked === undefined || endorsements === undefined) {
      throw new FetchFailure('BAD_BODY', `${url}: keys[${i}] needs string keyid and key, expires and revoked null or a date, endorsements [{keyid, sig}]`, url);
    }
    return { keyid: k.keyid, key: k.key, expires, ...(revoked ? { revoked } : {}), ...(endorsements.length > 0 ? { endorsements } : {}) };
  });
}

/** Bounds on what a keys endpoint may list (npm's lists two keys). */
const MAX_KEYS = 64;
const MAX_ENDORSEMENTS = 8;

/** null or absent → null; a date → the Date; anything else → undefined (malformed). */
function optionalDate(value: unknown): Date | null | undefined {
  if (value === null || value === undefined) return null;
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseEndorsements(value: unknown): { keyid: string; sig: string }[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_ENDORSEMENTS) return undefined;
  const out: { keyid: string; sig: string }[] = [];
  for (const e of value as unknown[]) {
    const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    if (typeof entry.keyid !== 'string' || typeof entry.sig !== 'string') return undefined;
    out.push({ keyid: entry.keyid, sig: entry.sig });
  }
  return out;
}
