// Where npm would download a locked package from, and whether that is the registry's own tarball for the
// locked name@version. Decides only: npm's configuration and the packument's dist.tarball are arguments.
//
// Untrusted: the lockfile's `resolved` and the registry's dist.tarball (both compared in canonical form).
// Trusted: npm's configuration. A `resolved` on another host is only reported (the bytes are still bound by
// the lockfile integrity, which must be the signed one); on the registry's own host it must be the tarball.
import type { ResolvedResult } from './types.js';

export interface NpmFetchConfig {
  /** npm's `registry` (the default registry: arborist and pacote rewrite `resolved` against it, never a scope's). */
  registry: string;
  /** npm's `replace-registry-host`: 'npmjs' (the default), 'never', 'always', a host name or a URL. */
  replaceRegistryHost?: string | undefined;
}

export interface ResolvedInput {
  /** The lockfile's `resolved`, or null. */
  resolved: string | null;
  /** The registry that signs this package (scope-aware), with a trailing slash. */
  registry: string;
  /** The registry's dist.tarball for the locked name@version, when it gives one. */
  tarball: string | undefined;
  npm: NpmFetchConfig;
}

export function checkResolved(input: ResolvedInput): ResolvedResult {
  if (!input.resolved) return { kind: 'absent' };
  const fetched = npmFetchUrl(input.resolved, input.npm);
  const url = fetched === undefined ? undefined : canonicalTarballUrl(fetched);
  if (url === undefined) return { kind: 'mismatch', url: input.resolved, message: 'is not an http(s) URL npm can fetch from the registry' };
  const tarball = input.tarball === undefined ? undefined : canonicalTarballUrl(input.tarball);
  const fetchedUrl = new URL(url);
  const onRegistry = fetchedUrl.origin === safeOrigin(input.registry);
  if (!onRegistry && (tarball === undefined || fetchedUrl.origin !== new URL(tarball).origin)) return { kind: 'foreign-host', url };
  if (tarball === undefined) return { kind: 'mismatch', url, message: "is on the registry's host, and the registry gives no dist.tarball to compare it with" };
  if (url === tarball) return { kind: 'tarball', url };
  // dist.tarball on another host (a CDN, a redirect target): the same path on the registry's own host is
  // the same file to npm, whose replace-registry-host keeps a tarball's path and swaps its host.
  const tarballUrl = new URL(tarball);
  if (onRegistry && fetchedUrl.pathname + fetchedUrl.search === tarballUrl.pathname + tarballUrl.search) return { kind: 'tarball', url };
  return { kind: 'mismatch', url, message: `is on the registry's host but is not its tarball for this version (${tarball})` };
}

/**
 * The URL npm downloads a lockfile `resolved` from: arborist's reify (#registryResolved, arborist 9.9)
 * rewrites it onto the configured registry under replace-registry-host, then pacote's RemoteFetcher
 * (pacote 21) replaces a matching host again, keeping only the path. Undefined when arborist cannot
 * parse it (it then drops the package from the tree).
 */
export function npmFetchUrl(resolved: string, npm: NpmFetchConfig): string | undefined {
  const replace = !npm.replaceRegistryHost || npm.replaceRegistryHost === 'npmjs' ? 'registry.npmjs.org' : npm.replaceRegistryHost;
  // arborist: `registry.replace(/(?<!\/)\/+$/, '') + '/'`
  const registry = `${npm.registry.replace(/(?<!\/)\/+$/, '')}/`;
  let afterArborist: string;
  try {
    afterArborist = arboristRegistryResolved(resolved, registry, replace);
  } catch {
    return undefined;
  }
  try {
    const url = new URL(afterArborist);
    if (replace !== 'never' && (replace === 'always' || replace === url.host)) {
      return new URL(url.pathname, registry.replace(/\/+$/, '')).href; // pacote's removeTrailingSlashes
    }
    return afterArborist;
  } catch {
    return undefined;
  }
}

/** arborist's #registryResolved, step by step (it uses hosted-git-info's parseUrl: `new URL` for any URL). */
function arboristRegistryResolved(resolved: string, registry: string, replace: string): string {
  const resolvedURL = new URL(resolved);
  const registryURL = new URL(registry);
  const registryPath = registryURL.pathname.replace(/\/$/, '');
  let matchURL: URL | null = null;
  try {
    matchURL = new URL(replace);
  } catch {
    // a host name, 'never' or 'always'
  }
  const matchHost = matchURL?.hostname ?? replace;
  const matchPath = matchURL?.pathname.replace(/\/$/, '') ?? null;
  const hasPathPrefix = (pathname: string, prefix: string) => pathname === prefix || pathname.startsWith(`${prefix}/`);
  const hostMatches = replace === 'always' || matchHost === resolvedURL.hostname;
  const pathMatches = !matchPath || hasPathPrefix(resolvedURL.pathname, matchPath);
  if (!hostMatches || !pathMatches) return resolved;
  resolvedURL.protocol = registryURL.protocol;
  resolvedURL.hostname = registryURL.hostname;
  resolvedURL.port = registryURL.port;
  if (matchPath) resolvedURL.pathname = registryPath + resolvedURL.pathname.slice(matchPath.length);
  else if (registryPath && !hasPathPrefix(resolvedURL.pathname, registryPath)) resolvedURL.pathname = registryPath + resolvedURL.pathname;
  return resolvedURL.toString();
}

// Escapes decoded in a path: RFC 3986's unreserved characters, and `@` and `/`, which registries read the
// same encoded or not (a scoped name's `@scope%2fname`). Every other escape is kept, its hex upper-cased.
const DECODED_IN_PATH = /^[A-Za-z0-9\-._~@/]$/;

/**
 * A tarball URL in the form two URLs for the same download share: WHATWG parsing (host case, default
 * ports, backslashes, `.`/`..` and `%2e` segments), then the escapes above decoded and the dot segments
 * that uncovers resolved again. Credentials and the fragment are dropped (never part of the request);
 * the query is kept. Undefined for anything but an http(s) URL.
 */
export function canonicalTarballUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.pathname = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return DECODED_IN_PATH.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return `${url.origin}${url.pathname}${url.search}`;
}

function safeOrigin(raw: string): string | undefined {
  try {
    return new URL(raw).origin;
  } catch {
    return undefined;
  }
}
