// The packuments arborist reads while it builds the ideal tree (`vouch install <spec>`), fetched by
// vouch. pacote asks its `packumentCache` first — `has(key)`, then `get(key)`, which may be a promise —
// so answering every key here gives the tree builder the bounds of vouch's own HTTP layer: size
// (PACKUMENT_MAX_BYTES, hung up on without reading past it), time (--timeout), bounded retries. pacote
// alone reads any packument whole (res.json(): 200 MB offered cost ~1 GB of RSS, measured) and waits
// npm's 5-minute fetch-timeout on a stalled body.
import { getJson, type HttpOptions } from './http.js';
import { CORGI_ACCEPT, PACKUMENT_MAX_BYTES } from './packument.js';

// pacote's #cacheKey: `${fullMetadata ? 'full' : 'corgi'}:${packumentUrl}`, and its accept headers.
const KEY = /^(full|corgi):(https?:\/\/.+)$/;
const ACCEPT = {
  corgi: CORGI_ACCEPT,
  full: 'application/json',
} as const;

/** A packumentCache for arborist (options.packumentCache) that fetches what it is asked for, bounded. */
export class TreePackuments {
  private readonly docs = new Map<string, Promise<unknown>>();

  constructor(private readonly http: HttpOptions) {}

  has(key: string): boolean {
    return KEY.test(key);
  }

  /** The packument for a pacote cache key: one request per key per run; a failure is not kept. */
  get(key: string): Promise<unknown> | undefined {
    const match = KEY.exec(key);
    if (!match?.[1] || !match[2]) return undefined;
    let doc = this.docs.get(key);
    if (!doc) {
      doc = getJson(match[2], this.http, { maxBytes: PACKUMENT_MAX_BYTES, accept: ACCEPT[match[1] as keyof typeof ACCEPT] });
      this.docs.set(key, doc);
      doc.catch(() => this.docs.delete(key));
    }
    return doc;
  }

  /** pacote stores only what it fetched itself, which it never does while `has` says yes. */
  set(): this {
    return this;
  }

  delete(key: string): boolean {
    return this.docs.delete(key);
  }
}
