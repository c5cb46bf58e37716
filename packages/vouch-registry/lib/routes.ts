// The two read routes Verdaccio lacks: GET /-/npm/v1/keys (public, as npm's) and
// GET /-/npm/v1/attestations/<name>@<version> (behind the package's access rule, like its packument).
// A stored publish attestation whose key is revoked, unlisted or expired, or that carries no log entry (issued
// before the signing log recorded them), is never served as is: it is re-issued (and logged) with the active
// key from the version's record (and stored), or left out.
import { PREDICATE_PUBLISH_NPM } from './vouch-core.js';
import { attestationsBody, parseAttestationsBody, parseAttestationsSpec, type StoredAttestation } from './attestations.js';
import { currentOrigin, sendError, sendJson, sendJsonText, type Handler, type PluginRequest } from './http.js';
import { keysEndpointBody } from './keys.js';
import { isLoggedAttestation, publishAttestationKeyid, renewPublishAttestations } from './publish-attestation.js';
import { isAttestationKeyServable } from './signing.js';
import type { PluginState } from './state.js';
import { trustedRoot } from './trusted-root.js';

export const KEYS_ROUTE = '/-/npm/v1/keys';
export const ATTESTATIONS_ROUTE_PATTERN = /^\/-\/npm\/v1\/attestations\/.+/;

/** The access check Verdaccio's Auth offers plugins (`allow_access` of its auth plugins). */
export interface VerdaccioAuthView {
  allow_access?(
    pkg: { packageName: string; packageVersion?: string },
    user: unknown,
    callback: (err: { status?: number; message?: string } | null, allowed?: boolean) => void,
  ): void;
}

export const LOG_ROUTE_PATTERN = /^\/-\/vouch\/log\/.+/;
const LOG_PREFIX = '/-/vouch/log/';

/**
 * The signing log, read-only, in the tlog-tiles layout: `checkpoint` (changes, so not cached; with the
 * witnesses' cosignatures of it), full tiles
 * (immutable), partial tiles (`.p/W`: replaced by the full one later, so briefly cached), and `key`, the
 * log's verifier key. Public like the keys endpoint: it names packages and versions, never their bytes.
 * The same files answer under `/-/vouch/log/<origin>/…`, the base URL the trusted root names.
 */
export function logRoute(state: PluginState): Handler {
  return (req, res) => {
    const full = req.path.slice(LOG_PREFIX.length);
    const underOrigin = `${state.log.origin}/`;
    const path = full.startsWith(underOrigin) ? full.slice(underOrigin.length) : full;
    if (path === 'key') {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return res.end(`${state.log.verifierKey}\n`);
    }
    // The checkpoint goes out with the cosignature lines witnesses made for exactly its text (witnessing.ts).
    const body = path === 'checkpoint' ? servedCheckpoint(state) : state.log.read(path);
    if (!body) return sendError(res, 404, `no ${path} in the signing log`);
    res.statusCode = 200;
    res.setHeader('Content-Type', path === 'checkpoint' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    res.setHeader('Cache-Control', path === 'checkpoint' || path.includes('.p/') ? 'no-cache' : 'public, max-age=31536000, immutable');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };
}

function servedCheckpoint(state: PluginState): Buffer | undefined {
  const note = state.witnessing.served();
  return note === '' ? undefined : Buffer.from(note, 'utf8');
}

/** GET /-/vouch/trusted_root.json: public, like the keys; the log's base URL uses the registry's public URL. */
export function trustedRootRoute(state: PluginState): Handler {
  return (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    sendJson(res, 200, trustedRoot(state.settings.registryUrl ?? currentOrigin() ?? 'http://localhost', state.log));
  };
}

export function keysRoute(state: PluginState): Handler {
  return (_req, res) => sendJson(res, 200, keysEndpointBody(state.ring.keys));
}

export function attestationsRoute(state: PluginState, auth: VerdaccioAuthView): Handler {
  return (req, res, next) => {
    const spec = parseAttestationsSpec(req.path);
    if (!spec) return sendError(res, 404, 'not a valid <name>@<version>');
    checkAccess(auth, req, spec.name)
      .then(async (denied) => {
        if (denied) return sendError(res, denied.status, denied.message);
        const stored = await state.attestations.get(spec.name, spec.version);
        const body = stored === undefined ? undefined : await servableBody(state, spec.name, spec.version, stored);
        if (body === undefined) return sendError(res, 404, `no attestations for ${spec.name}@${spec.version}`);
        sendJsonText(res, 200, body);
      })
      .catch(next);
  };
}

/** Resolves to a denial, or undefined when the user may read the package. */
function checkAccess(auth: VerdaccioAuthView, req: PluginRequest, packageName: string): Promise<{ status: number; message: string } | undefined> {
  const allowAccess = auth.allow_access;
  // Without an access check in this Verdaccio, refuse rather than leak a private package's bundles.
  if (typeof allowAccess !== 'function') return Promise.resolve({ status: 403, message: 'access check unavailable' });
  const user = (req as PluginRequest & { remote_user?: unknown }).remote_user;
  return new Promise((resolve) => {
    allowAccess.call(auth, { packageName }, user, (err, allowed) => {
      if (err) resolve({ status: err.status ?? 403, message: err.message ?? 'access denied' });
      else resolve(allowed ? undefined : { status: 403, message: 'access denied' });
    });
  });
}

/**
 * The body to serve for a stored one: the stored bytes while every registry publish attestation in it
 * is by a servable key; otherwise those re-issued with the active key (and stored, so once), or left
 * out when the version has no usable record. Undefined when nothing is left to serve.
 */
async function servableBody(state: PluginState, name: string, version: string, stored: string): Promise<string | undefined> {
  const now = new Date();
  const keep = (keyid: string | undefined) => isAttestationKeyServable(keyid, state.ring, now);
  // Served as stored only when by a servable key and logged (one issued before the log recorded them is re-issued).
  const keepLogged = (keyid: string | undefined, entry: StoredAttestation) => keep(keyid) && isLoggedAttestation(entry);
  const entries = parseAttestationsBody(stored);
  if (!entries) throw new Error(`the stored attestations of ${name}@${version} are damaged`);
  if (entries.every((e) => e.predicateType !== PREDICATE_PUBLISH_NPM || keepLogged(publishAttestationKeyid(e), e))) return stored;
  let renewed: StoredAttestation[] | undefined;
  try {
    const record = (await state.records.read(name))[version];
    if (!record) throw new Error('the version has no signing record');
    renewed = await renewPublishAttestations(state.ring.active, state.log, { name, version, integrity: record.integrity }, entries, keepLogged);
  } catch (err) {
    state.logger.error({ err: String(err), pkg: `${name}@${version}` }, 'vouch: cannot re-issue the publish attestation of @{pkg}, serving it without: @{err}');
    const rest = entries.filter((e) => e.predicateType !== PREDICATE_PUBLISH_NPM || keep(publishAttestationKeyid(e)));
    return rest.length > 0 ? attestationsBody(rest) : undefined;
  }
  if (!renewed) return stored;
  state.attestations.put(name, version, renewed);
  return attestationsBody(renewed);
}
