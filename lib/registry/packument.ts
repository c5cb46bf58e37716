// Version metadata from packuments: the abbreviated ("corgi") document first, the full one only when a
// publish time is needed and the corgi lacks it (the public registry's corgi has no `time`).
import { SIGNATURES_MAX_PER_VERSION, type RegistryClaims } from '../verify/index.js';
import { getBytes, parseJsonBody, type HttpOptions } from './http.js';
import { FetchFailure } from '../errors/index.js';
import { cutSignatureLists } from './signature-lists.js';
import { anyProvenance, npmUserClaims, registryClaimsFor } from './tier-claims.js';

export interface VersionDist {
  integrity?: string;
  tarball?: string;
  /** `logIndex`: the entry of the signature in the registry's signing log (vouch-registry), when it names one. */
  signatures: { keyid: string; sig: string; logIndex?: number }[];
  attestations?: { url: string; predicateType?: string };
}

export interface VersionMetadata {
  dist: VersionDist;
  /** packument time[version], unsigned registry data; null when the registry gives none. */
  publishedAt: Date | null;
  /** Trust claims of this and earlier versions (tier-claims.ts), as far as the document read shows them. */
  claims: RegistryClaims;
}

/** The Accept header npm sends for the abbreviated ("corgi") packument. */
export const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const FULL = 'application/json';
/** Packuments over this size are refused without being read whole (documented in docs/verify.md). */
export const PACKUMENT_MAX_BYTES = 64 * 1024 * 1024;
/**
 * Bodies from this size on have their signature lists cut before they are parsed (signature-lists.ts):
 * ~3 ms per MB, while a smaller body costs little to parse whatever it holds. Real abbreviated
 * packuments of big packages reach ~25 MB (firebase, next: measured 2026-12).
 */
const CUT_SIGNATURES_FROM_BYTES = 1024 * 1024;

interface Packument {
  versions: Record<string, unknown>;
  time: Record<string, unknown>;
  document: RegistryClaims['document'];
}

/** Fetches packuments once per name per run and answers per-version questions from them. */
export class PackumentSource {
  private readonly corgi = new Map<string, Promise<Packument>>();
  private readonly full = new Map<string, Promise<Packument>>();

  constructor(private readonly http: HttpOptions) {}

  /**
   * Metadata for the locked name@version, with the trust claims of the document read; throws FetchFailure
   * (NOT_FOUND when the version is absent). `needClaims`: the full document (the only one with `_npmUser`)
   * is fetched for them when some version advertises provenance; packages that never had any cost nothing more.
   */
  async version(name: string, version: string, registry: string, needTime: boolean, needClaims = false): Promise<VersionMetadata> {
    let doc = await this.load(this.corgi, name, registry, CORGI_ACCEPT);
    const wantFull = (needTime && doc.time[version] === undefined) || (needClaims && doc.document === 'abbreviated' && anyProvenance(doc.versions));
    if (wantFull) doc = await this.load(this.full, name, registry, FULL);
    const raw = doc.versions[version];
    if (raw === undefined) throw new FetchFailure('NOT_FOUND', `${name}@${version} is not in the registry's packument`, registry);
    return {
      dist: parseDist(raw, `${name}@${version}`),
      publishedAt: parseTime(doc.time[version]),
      claims: registryClaimsFor(doc.versions, doc.time, version, doc.document),
    };
  }

  private load(cache: Map<string, Promise<Packument>>, name: string, registry: string, accept: string): Promise<Packument> {
    const key = `${registry} ${name}`;
    let doc = cache.get(key);
    if (!doc) {
      const url = new URL(packumentPath(name), registry).href;
      // Not stored in npm's cache: what vouch needs from it goes into the evidence cache (evidence-cache.ts).
      doc = getBytes(url, this.http, { maxBytes: PACKUMENT_MAX_BYTES, accept, store: false }).then((body) =>
        parsePackument(parseJsonBody(boundedBody(body), url), url, accept === FULL ? 'full' : 'abbreviated'),
      );
      cache.set(key, doc);
    }
    return doc;
  }
}

/**
 * A name's packument path, as npm writes it (npm-package-arg's escapedName: a scope's slash as `%2f`).
 * Every other character a valid name can hold passes encodeURIComponent unchanged; anything else is
 * encoded, so no name becomes another path. (npa itself costs ~60 µs a name in hosted-git-info.)
 */
export function packumentPath(name: string): string {
  const encoded = encodeURIComponent(name);
  return name.startsWith('@') ? encoded.replace(/^%40/, '@').replace('%2F', '%2f') : encoded;
}

function parsePackument(body: unknown, url: string, document: Packument['document']): Packument {
  const doc = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof doc.versions !== 'object' || doc.versions === null) throw new FetchFailure('BAD_BODY', `${url} has no versions`, url);
  const time = typeof doc.time === 'object' && doc.time !== null ? doc.time : {};
  // Only each version's `dist` and `_npmUser` claims are kept for the rest of the run: a popular package's
  // packument holds thousands of manifests (dependencies, scripts, readmes) that would otherwise stay in memory.
  const versions: Record<string, unknown> = {};
  for (const [version, manifest] of Object.entries(doc.versions as Record<string, unknown>)) {
    if (typeof manifest !== 'object' || manifest === null) {
      versions[version] = manifest;
      continue;
    }
    const m = manifest as Record<string, unknown>;
    const npmUser = npmUserClaims(m._npmUser);
    versions[version] = { dist: boundedDist(m.dist), ...(Object.keys(npmUser).length > 0 ? { npmUser } : {}) };
  }
  return { versions, time: time as Record<string, unknown>, document };
}

/** The body with each version's signature list cut to one past the cap, when it is big enough to matter. */
function boundedBody(body: Buffer): Buffer {
  return body.length < CUT_SIGNATURES_FROM_BYTES ? body : cutSignatureLists(body, SIGNATURES_MAX_PER_VERSION + 1);
}

/**
 * A dist whose signature list is cut to one past the cap: enough for checkSignatures to refuse it
 * (SIGNATURES_TOO_MANY), and a hostile list (350,000 entries) is neither kept for the run nor cached.
 */
function boundedDist(dist: unknown): unknown {
  if (typeof dist !== 'object' || dist === null) return dist;
  const { signatures } = dist as Record<string, unknown>;
  if (!Array.isArray(signatures) || signatures.length <= SIGNATURES_MAX_PER_VERSION + 1) return dist;
  return { ...dist, signatures: signatures.slice(0, SIGNATURES_MAX_PER_VERSION + 1) };
}

function parseDist(raw: unknown, id: string): VersionDist {
  const manifest = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const dist = (typeof manifest.dist === 'object' && manifest.dist !== null ? manifest.dist : {}) as Record<string, unknown>;
  const signatures = Array.isArray(dist.signatures) ? dist.signatures.map((s: unknown) => parseSignature(s, id)) : [];
  const out: VersionDist = { signatures };
  if (typeof dist.integrity === 'string') out.integrity = dist.integrity;
  if (typeof dist.tarball === 'string') out.tarball = dist.tarball;
  const att = dist.attestations as Record<string, unknown> | undefined;
  if (typeof att === 'object' && att !== null && typeof att.url === 'string') {
    const provenance = att.provenance as Record<string, unknown> | undefined;
    out.attestations = { url: att.url, ...(typeof provenance?.predicateType === 'string' ? { predicateType: provenance.predicateType } : {}) };
  }
  return out;
}

function parseSignature(raw: unknown, id: string): VersionDist['signatures'][number] {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  // A malformed entry still counts as a signature that must verify: it will fail, never be skipped.
  const signature = { keyid: typeof s.keyid === 'string' ? s.keyid : `(malformed in ${id})`, sig: typeof s.sig === 'string' ? s.sig : '' };
  return Number.isSafeInteger(s.logIndex) && (s.logIndex as number) >= 0 ? { ...signature, logIndex: s.logIndex as number } : signature;
}

function parseTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
