// A registry URL with a password in it (`registry=https://user:pass@host/`, `--registry`, `@scope:registry`)
// is split when npm's configuration is read: the URL keeps the registry's identity, and the credential
// becomes npm's own per-registry setting (`//host/path/:_auth`). Every request npm and vouch make then
// carries the same Authorization header it carried before, and no URL inside vouch (a report, an error,
// vouch.lock, a cache key, npm's cache index) holds the password.
import { createRequire } from 'node:module';
import type { FlatOptions } from './index.js';
import { withoutCredentials } from './secrets.js';

/** What npm-registry-fetch (lib/auth.js) finds for a URL in the options. */
export interface NpmAuth {
  token: string | null;
  auth: string | null;
  cert: string | null;
  key: string | null;
}

// npm-registry-fetch's credential lookup: the same answer for the same URL and options.
const getAuth = createRequire(createRequire(import.meta.url).resolve('npm-registry-fetch'))('./auth.js') as (uri: string, opts: FlatOptions) => NpmAuth;

const NPM_REGISTRY = 'https://registry.npmjs.org/';

/** The credentials npm sends with a request to `url` (npm-registry-fetch's default registry merged in, as it does). */
export function npmAuthFor(url: string, flat: FlatOptions): NpmAuth {
  return getAuth(url, { registry: NPM_REGISTRY, ...flat });
}

/** `flat` with the userinfo of `registry` and every `@scope:registry` moved into that registry's `_auth`. */
export function withUrlCredentialsMoved(flat: FlatOptions): FlatOptions {
  const out: FlatOptions = { ...flat };
  for (const [key, value] of Object.entries(flat)) {
    if ((key !== 'registry' && !/^@[^/]+:registry$/.test(key)) || typeof value !== 'string') continue;
    const url = parse(value);
    if (!url || (url.username === '' && url.password === '')) continue;
    const clean = withoutCredentials(value);
    out[key] = clean;
    // Credentials configured for the registry win over the URL's, as they do in npm (its Authorization
    // header is set, so Node ignores the URL's userinfo); then the URL's are only dropped.
    const configured = npmAuthFor(clean, { ...flat, registry: clean });
    if (configured.token || configured.auth) continue;
    // minipass-fetch sends the userinfo as WHATWG URL serialises it (percent-encoded): the same bytes here.
    out[`//${url.host}${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}:_auth`] = Buffer.from(
      `${url.username}:${url.password}`,
      'utf8',
    ).toString('base64');
  }
  return out;
}

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
