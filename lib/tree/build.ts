// Building the ideal tree (`vouch install`, `vouch ci`) is arborist asking the registry for packuments
// through pacote and npm-registry-fetch, before vouch's own, bounded evidence stage runs. Its failures are
// registry failures: an outage exits 3 and a missing package names itself, never "a bug in vouch".
import type Arborist from '@npmcli/arborist';
import type { Tree } from '@npmcli/arborist';
import { VouchError, truncate, FetchFailure } from '../errors/index.js';

type BuildOptions = Parameters<Arborist['buildIdealTree']>[0];

/** arb.buildIdealTree with its registry failures turned into VouchErrors (see treeFetchError). */
export async function buildIdealTree(arb: Arborist, options?: BuildOptions): Promise<Tree> {
  try {
    return await arb.buildIdealTree(options);
  } catch (err) {
    throw treeFetchError(err) ?? err;
  }
}

// Socket-level failures (node), @npmcli/agent's timeouts, minipass-fetch's FetchError types.
const UNREACHABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_TIMEOUT',
  'ECONNECTIONTIMEOUT',
  'EIDLETIMEOUT',
  'ERESPONSETIMEOUT',
  'ETRANSFERTIMEOUT',
  'request-timeout',
  'body-timeout',
  'system',
]);

interface NpmErrorLike {
  code?: unknown;
  type?: unknown;
  statusCode?: unknown;
  message?: unknown;
  pkgid?: unknown;
  uri?: unknown;
}

/** The VouchError an arborist/pacote fetch failure stands for, or undefined for anything else. */
export function treeFetchError(err: unknown): VouchError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as NpmErrorLike;
  const message = truncate(typeof e.message === 'string' ? e.message : String(err), 300);
  const pkg = typeof e.pkgid === 'string' ? e.pkgid : undefined;
  const where = pkg ? { pkg } : {};
  const hint = 'vouch never installs what it could not verify: run the command again when the registry answers';
  if (err instanceof FetchFailure) return fromFetchFailure(err, where, hint);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === 404 || e.code === 'E404' || e.code === 'ETARGET' || e.code === 'ENOVERSIONS') {
    return new VouchError('PACKAGE_NOT_FOUND', `the registry has no such package or version: ${message}`, where, 'check the name and the version range', {
      cause: err,
    });
  }
  if (status !== undefined) {
    return new VouchError('REGISTRY_ERROR', `the registry answered ${status} while resolving the tree: ${message}`, where, hint, { cause: err });
  }
  if (e.code === 'EBADPLATFORM' || e.code === 'EBADENGINE') {
    // As npm: a required package that cannot run on this platform (or engine, with engine-strict) stops the install.
    return new VouchError(
      'PLATFORM_UNSUPPORTED',
      `a required package does not support this platform: ${message}`,
      where,
      'npm refuses it too; make it optional, or install on a matching platform',
      { cause: err },
    );
  }
  if (e.code === 'ENOTCACHED') {
    return new VouchError('OFFLINE_MISS', `not in the cache (offline) while resolving the tree: ${message}`, where, 'run once online, or drop --offline', {
      cause: err,
    });
  }
  if (e.code === 'EBADJSON' || e.type === 'invalid-json') {
    return new VouchError('REGISTRY_ERROR', `the registry did not answer with JSON while resolving the tree: ${message}`, where, hint, { cause: err });
  }
  if ([e.code, e.type].some((c) => typeof c === 'string' && UNREACHABLE_CODES.has(c))) {
    return new VouchError('REGISTRY_UNREACHABLE', `could not reach the registry while resolving the tree: ${message}`, where, hint, { cause: err });
  }
  return undefined;
}

/** A packument request made by vouch for arborist (lib/registry/tree-packuments.ts) that failed. */
function fromFetchFailure(err: FetchFailure, where: { pkg?: string }, hint: string): VouchError {
  const message = `${err.message} (while resolving the tree)`;
  switch (err.code) {
    case 'NOT_FOUND':
      return new VouchError('PACKAGE_NOT_FOUND', `the registry has no such package: ${message}`, where, 'check the name and the version range', { cause: err });
    case 'OFFLINE_MISS':
      return new VouchError('OFFLINE_MISS', message, where, 'run once online, or drop --offline', { cause: err });
    case 'REGISTRY_UNREACHABLE':
      return new VouchError('REGISTRY_UNREACHABLE', message, where, hint, { cause: err });
    case 'REGISTRY_ERROR':
    case 'TOO_LARGE':
    case 'BAD_BODY':
      return new VouchError('REGISTRY_ERROR', message, where, hint, { cause: err });
  }
}
