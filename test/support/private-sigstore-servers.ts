// A private Sigstore deployment over HTTP on 127.0.0.1, for exercising the real @sigstore/sign clients
// (FulcioSigner, RekorWitness) that `vouch sign --keyless` and `--rekor-url` use. Behind the wire:
// createPrivateSigstore()'s CA and log key, so what these servers issue verifies against its trusted root.
//
//   Fulcio  POST {fulcioUrl}/api/v2/signingCert  (Fulcio v2 JSON: credentials.oidcIdentityToken,
//           publicKeyRequest.{publicKey.content (PEM), proofOfPossession = sig over the token's sub}).
//           Checks the token (ES256 by this test issuer, aud "sigstore", unexpired) and the proof of
//           possession, then certifies the key for the token's GitHub claims (Fulcio's OID mapping).
//           Answers {signedCertificateEmbeddedSct: {chain: {certificates: [leaf PEM, root PEM]}}}.
//   Rekor   POST {rekorUrl}/api/v1/log/entries  (Rekor v1 proposed entry, kind dsse 0.0.1:
//           spec.proposedContent.{envelope (JSON text), verifiers[] (base64 PEM)}). Verifies the DSSE
//           signature with the verifier as Rekor does, then logs the body Rekor *stores* for dsse
//           (spec.payloadHash + spec.signatures[{signature, verifier}]), not the proposed shape that
//           @sigstore/mock echoes (notes/sigstore.md §5). Answers {<uuid>: {body, integratedTime, logID,
//           logIndex, verification: {signedEntryTimestamp, inclusionProof}}} with status 201.
//   Token   GET {tokenRequestUrl}?audience=sigstore with `Authorization: Bearer <request token>`:
//           GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL flow, answering {value: <OIDC token>}.
//
// API
//   startSigstoreServers(sigstore)    → SigstoreServers
//   servers.fulcioUrl / rekorUrl       base URLs for --fulcio-url / --rekor-url
//   servers.issueToken(identity, opts?) an OIDC token for a GitHub identity (opts.audience, opts.expiresIn s,
//                                      opts.foreign: signed by a key Fulcio does not trust)
//   servers.githubEnv(identity)        GITHUB_* variables of that run plus ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN
//   servers.requests                   counts of accepted Fulcio, Rekor and token requests
//   servers.close()
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dsse } from '@sigstore/core';
import type { GithubIdentity, PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';

export interface SigstoreServers {
  fulcioUrl: string;
  rekorUrl: string;
  tokenRequestUrl: string;
  issueToken(identity: GithubIdentity, opts?: { audience?: string; expiresIn?: number; foreign?: boolean }): string;
  githubEnv(identity: GithubIdentity): Record<string, string>;
  requests: { fulcio: number; rekor: number; token: number };
  close(): Promise<void>;
}

const ISSUER = 'https://token.actions.githubusercontent.com';
const MAX_BODY = 1024 * 1024;

export async function startSigstoreServers(sigstore: PrivateSigstore): Promise<SigstoreServers> {
  const oidcKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const requestTokens = new Map<string, GithubIdentity>();
  const requests = { fulcio: 0, rekor: 0, token: 0 };
  const witness = sigstore.witness();

  const issueToken: SigstoreServers['issueToken'] = (identity, opts = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: ISSUER,
      aud: opts.audience ?? 'sigstore',
      sub: `repo:${identity.repository}:ref:${identity.ref}`,
      iat: now,
      exp: now + (opts.expiresIn ?? 300),
      repository: identity.repository,
      repository_id: identity.repositoryId,
      repository_owner: identity.repository.split('/')[0],
      repository_owner_id: identity.ownerId,
      ref: identity.ref,
      sha: identity.commit,
      workflow_ref: `${identity.repository}/${identity.workflowPath}@${identity.ref}`,
      job_workflow_ref: `${identity.repository}/${identity.workflowPath}@${identity.ref}`,
      runner_environment: identity.runnerEnvironment ?? 'github-hosted',
      event_name: identity.eventName ?? 'push',
      run_id: identity.runId ?? '1',
    };
    return jwt(claims, opts.foreign ? foreignKey.privateKey : oidcKey.privateKey);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/fulcio/api/v2/signingCert') return fulcio(await readJson(req), res);
    if (req.method === 'POST' && url.pathname === '/rekor/api/v1/log/entries') return rekor(await readJson(req), res);
    if (req.method === 'GET' && url.pathname === '/token') return token(req, url, res);
    send(res, 404, { code: 404, message: 'not found' });
  };

  const fulcio = async (body: unknown, res: ServerResponse): Promise<void> => {
    const request = body as {
      credentials?: { oidcIdentityToken?: string };
      publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
    };
    const claims = verifyJwt(request.credentials?.oidcIdentityToken ?? '', oidcKey.publicKey);
    if (!claims) return send(res, 401, { code: 401, message: 'invalid identity token' });
    const pem = request.publicKeyRequest?.publicKey?.content ?? '';
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      return send(res, 400, { code: 400, message: 'invalid public key' });
    }
    const proof = Buffer.from(request.publicKeyRequest?.proofOfPossession ?? '', 'base64');
    if (!nodeVerify('sha256', Buffer.from(String(claims['sub'])), key, proof)) {
      return send(res, 400, { code: 400, message: 'proof of possession does not verify' });
    }
    const leaf = await sigstore.certifyKey(identityOf(claims), pem);
    requests.fulcio++;
    send(res, 201, { signedCertificateEmbeddedSct: { chain: { certificates: [leaf.certificatePem, sigstore.caCertificatePem] } } });
  };

  const rekor = async (body: unknown, res: ServerResponse): Promise<void> => {
    const entry = body as { apiVersion?: string; kind?: string; spec?: { proposedContent?: { envelope?: string; verifiers?: string[] } } };
    const proposed = entry.spec?.proposedContent;
    if (entry.kind !== 'dsse' || entry.apiVersion !== '0.0.1' || !proposed?.envelope || proposed.verifiers?.length !== 1) {
      return send(res, 400, { code: 400, message: 'this log accepts dsse 0.0.1 entries with one verifier' });
    }
    const envelope = JSON.parse(proposed.envelope) as { payloadType: string; payload: string; signatures: { sig: string; keyid?: string }[] };
    const verifierPem = Buffer.from(proposed.verifiers[0] ?? '', 'base64').toString('utf8');
    const signature = envelope.signatures[0];
    const payload = Buffer.from(envelope.payload, 'base64');
    const key = verifierPem.includes('CERTIFICATE') ? new X509Certificate(verifierPem).publicKey : createPublicKey(verifierPem);
    const pae = dsse.preAuthEncoding(envelope.payloadType, payload);
    const sig = Buffer.from(signature?.sig ?? '', 'base64');
    if (envelope.signatures.length !== 1 || !nodeVerify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', pae, key, sig)) {
      return send(res, 400, { code: 400, message: 'envelope signature does not verify with the verifier' });
    }
    const logged = await witness.testify(
      { $case: 'dsseEnvelope', dsseEnvelope: { payloadType: envelope.payloadType, payload, signatures: [{ sig, keyid: signature?.keyid ?? '' }] } },
      verifierPem,
    );
    const tlog = logged.tlogEntries?.[0];
    const proof = tlog?.inclusionProof;
    if (!tlog || !proof || !tlog.inclusionPromise) return send(res, 500, { code: 500, message: 'log failure' });
    const uuid = createHash('sha256').update(tlog.canonicalizedBody).digest('hex');
    requests.rekor++;
    send(res, 201, {
      [uuid]: {
        body: tlog.canonicalizedBody.toString('base64'),
        integratedTime: Number(tlog.integratedTime),
        logID: Buffer.from(tlog.logId?.keyId ?? []).toString('hex'),
        logIndex: Number(tlog.logIndex),
        verification: {
          signedEntryTimestamp: tlog.inclusionPromise.signedEntryTimestamp.toString('base64'),
          inclusionProof: {
            logIndex: Number(proof.logIndex),
            treeSize: Number(proof.treeSize),
            rootHash: proof.rootHash.toString('hex'),
            hashes: proof.hashes.map((h) => h.toString('hex')),
            checkpoint: proof.checkpoint?.envelope,
          },
        },
      },
    });
  };

  const token = (req: IncomingMessage, url: URL, res: ServerResponse): void => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const identity = requestTokens.get(bearer);
    if (!identity) return send(res, 401, { message: 'bad request token' });
    requests.token++;
    send(res, 200, { count: 1, value: issueToken(identity, { audience: url.searchParams.get('audience') ?? 'sigstore' }) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { code: 500, message: String(err) }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    fulcioUrl: `${base}/fulcio`,
    rekorUrl: `${base}/rekor`,
    tokenRequestUrl: `${base}/token`,
    issueToken,
    githubEnv: (identity) => {
      const requestToken = randomBytes(24).toString('hex');
      requestTokens.set(requestToken, identity);
      return githubActionsEnv(identity, `${base}/token`, requestToken);
    },
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The variables GitHub Actions sets that npm's (and vouch's) SLSA predicate reads, for `identity`. */
export function githubActionsEnv(identity: GithubIdentity, tokenUrl?: string, requestToken?: string): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: identity.serverUrl ?? 'https://github.com',
    GITHUB_REPOSITORY: identity.repository,
    GITHUB_REPOSITORY_ID: identity.repositoryId,
    GITHUB_REPOSITORY_OWNER_ID: identity.ownerId,
    GITHUB_REF: identity.ref,
    GITHUB_SHA: identity.commit,
    GITHUB_WORKFLOW_REF: `${identity.repository}/${identity.workflowPath}@${identity.ref}`,
    GITHUB_EVENT_NAME: identity.eventName ?? 'push',
    GITHUB_RUN_ID: identity.runId ?? '1',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_ENVIRONMENT: identity.runnerEnvironment ?? 'github-hosted',
    ...(tokenUrl && requestToken ? { ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken } : {}),
  };
}

/** Fulcio's view of a GitHub token: the claims it turns into certificate extensions. */
function identityOf(claims: Record<string, unknown>): GithubIdentity {
  const repository = String(claims['repository']);
  const workflowRef = String(claims['workflow_ref']);
  return {
    repository,
    repositoryId: String(claims['repository_id']),
    ownerId: String(claims['repository_owner_id']),
    ref: String(claims['ref']),
    commit: String(claims['sha']),
    workflowPath: workflowRef.slice(repository.length + 1, workflowRef.lastIndexOf('@')),
    runnerEnvironment: String(claims['runner_environment']),
    issuer: String(claims['iss']),
    eventName: String(claims['event_name']),
    runId: String(claims['run_id']),
  };
}

function jwt(claims: Record<string, unknown>, key: KeyObject): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signing = `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}`;
  return `${signing}.${nodeSign('sha256', Buffer.from(signing), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** The claims of a token this issuer signed, for audience "sigstore", not expired; else undefined. */
function verifyJwt(token: string, key: KeyObject): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const ok = nodeVerify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (claims['aud'] !== 'sigstore' || typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < Date.now()) return undefined;
  return claims;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
