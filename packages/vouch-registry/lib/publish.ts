// Publish interception: a PUT /<name> handler registered in front of Verdaccio's own. It parses the
// body (setting body-parser's `_body` flag so Verdaccio reuses it), checks and cleans it
// (publish-body.ts), applies the publish policy (publish-gate.ts: a refusal is a 403 before anything is
// signed, logged or stored), signs the computed integrity and builds the registry's publish attestation,
// then lets Verdaccio store the version. The signature record and attestations are committed only
// when Verdaccio answers 201, synchronously just before the response leaves, so no client can read
// the new version before its record exists. With witnesses, the answer then waits (at most 2 s) for
// their cosignatures of the checkpoint that logs it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sendError, readBody, HttpError, type Handler, type PluginRequest, type PluginResponse, originOf } from './http.js';
import { packageNameFromPath } from './names.js';
import { planPublish, type PublishPlan } from './publish-body.js';
import { judgePublish } from './publish-gate.js';
import { buildPublishAttestation } from './publish-attestation.js';
import type { StoredAttestation } from './attestations.js';
import type { VersionRecord } from './records.js';
import { signVersion } from './signing.js';
import type { PluginState } from './state.js';

/**
 * Every PUT outside `/-/` (`/-/user/…`, `/-/package/…` are not publishes). Wider than Verdaccio's
 * `/:package/:_rev?/:revision?`: its scoped-name rewrite runs after plugins, and a revision PUT
 * can carry a tarball too.
 */
export const PUBLISH_ROUTE = /^\/(?!-\/)[^/]/;

export function publishRoute(state: PluginState): Handler {
  return (req, res, next) => {
    const name = packageNameFromPath(req.url ?? '');
    // Tarball uploads are octet-stream; other non-JSON bodies get Verdaccio's own 415.
    if (!name || name.startsWith('-') || !isJson(req)) return next();
    handlePublish(state, name, req, res).then((proceed) => (proceed ? next() : undefined), next);
  };
}

/**
 * Whether Verdaccio's stored packument (`<storage>/<name>/package.json`, its local-storage layout) lists the
 * version. Another storage plugin keeps no such file: then Verdaccio's own 409 stands, after the attestation.
 */
async function storedVersionExists(storageDir: string, name: string, version: string): Promise<boolean> {
  try {
    const doc = JSON.parse(await readFile(join(storageDir, name, 'package.json'), 'utf8')) as { versions?: Record<string, unknown> };
    return typeof doc.versions === 'object' && doc.versions !== null && version in doc.versions;
  } catch {
    return false;
  }
}

/** Resolves true when Verdaccio should carry on with the (cleaned) request. */
async function handlePublish(state: PluginState, name: string, req: PluginRequest, res: PluginResponse): Promise<boolean> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') {
    sendError(res, 415, `vouch: compressed publish bodies (${encoding}) are not accepted`);
    return false;
  }
  let body: unknown;
  try {
    const bytes = await readBody(req, state.settings.maxBodyBytes);
    body = bytes.length === 0 ? {} : JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    if (err instanceof HttpError) sendError(res, err.status, err.message);
    else sendError(res, 400, 'the request body is not valid JSON');
    return false;
  }
  req.body = body;
  req._body = true;

  const plan = planPublish(body, name);
  if (plan.kind === 'not-publish') return true;
  if (plan.kind === 'reject') {
    sendError(res, plan.status, `vouch: ${plan.message}`);
    return false;
  }
  const refusal = await policyRefusal(state, plan);
  if (refusal) {
    sendError(res, refusal.status, `vouch: ${refusal.message}`);
    return false;
  }
  if (plan.bundle && (await storedVersionExists(state.settings.storageDir, plan.name, plan.version))) {
    // Verdaccio answers this 409 itself, but only after the publish attestation below is in the signing log.
    sendError(res, 409, 'this package is already present');
    return false;
  }
  const signed = await signVersion(state.ring, plan.name, plan.version, plan.integrity, 'publish');
  const attestations: StoredAttestation[] = [];
  if (plan.bundle) {
    const registry = state.settings.registryUrl ?? originOf(req);
    attestations.push(
      await buildPublishAttestation(
        state.ring.active,
        {
          name: plan.name,
          version: plan.version,
          sha512Hex: plan.sha512Hex,
          registry,
        },
        state.log,
      ),
    );
    attestations.push(plan.bundle);
  }
  const record: VersionRecord = plan.bundle ? { ...signed, attestation: { predicateType: plan.bundle.predicateType } } : signed;
  beforeResponse(res, () => {
    if (res.statusCode !== 201) return undefined;
    try {
      if (attestations.length > 0) state.attestations.put(plan.name, plan.version, attestations);
      state.records.put(plan.name, plan.version, record);
    } catch (err) {
      // The version is stored; without a record it is signed lazily from its stored bytes later.
      state.logger.error({ err: String(err), pkg: `${plan.name}@${plan.version}` }, 'vouch: could not record the signature of @{pkg}: @{err}');
    }
    // A client installing right after the publish should find the checkpoint witnessed: wait a little for it.
    return state.witnessing.urls.length > 0 ? state.witnessing.settled(state.log.checkpoint, WITNESS_WAIT_MS) : undefined;
  });
  return true;
}

/** The publish policy's verdict, before anything is signed, logged or stored; undefined: go ahead. */
async function policyRefusal(state: PluginState, plan: Extract<PublishPlan, { kind: 'publish' }>): Promise<{ status: number; message: string } | undefined> {
  const policy = state.settings.publishPolicy;
  if (!policy || !state.policyRoots) return undefined;
  const decision = await judgePublish(policy, plan, {
    roots: state.policyRoots,
    records: () => state.records.read(plan.name),
    now: new Date(),
  });
  if (decision.kind === 'allow') return undefined;
  state.logger.warn({ pkg: `${plan.name}@${plan.version}`, reason: decision.message }, 'vouch: publish of @{pkg} refused: @{reason}');
  return decision;
}

/** How long a publish's answer waits for the witnesses' cosignatures of its checkpoint (ones backing off are not waited for). */
const WITNESS_WAIT_MS = 2000;

/**
 * Runs `hook` once, synchronously, right before the response is finished; when it returns a promise, the
 * response is finished once that settles.
 */
function beforeResponse(res: PluginResponse, hook: () => Promise<void> | undefined): void {
  const end = res.end as (...a: unknown[]) => PluginResponse;
  let ran = false;
  res.end = function (this: PluginResponse, ...args: unknown[]) {
    if (ran) return end.apply(this, args);
    ran = true;
    const wait = hook();
    if (!wait) return end.apply(this, args);
    const finish = () => void end.apply(this, args);
    wait.then(finish, finish);
    return this;
  } as PluginResponse['end'];
}

function isJson(req: PluginRequest): boolean {
  return /\bjson\b/i.test(String(req.headers['content-type'] ?? ''));
}
