// The two read routes Verdaccio lacks: GET /-/npm/v1/keys (public, as npm's) and
// GET /-/npm/v1/attestations/<name>@<version> (behind the package's access rule, like its packument).
import { parseAttestationsSpec } from './attestations.js';
import { sendError, sendJson, sendJsonText, type Handler, type PluginRequest } from './http.js';
import { keysEndpointBody } from './keys.js';
import type { PluginState } from './state.js';

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
        const body = await state.attestations.get(spec.name, spec.version);
        if (body === undefined) return sendError(res, 404, `no attestations for ${spec.name}@${spec.version}`);
        sendJsonText(res, 200, body);
      })
      .catch(next);
  };
}

/** Resolves to a denial, or undefined when the user may read the package. */
function checkAccess(
  auth: VerdaccioAuthView,
  req: PluginRequest,
  packageName: string,
): Promise<{ status: number; message: string } | undefined> {
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
