// Sigstore's keyless flow and the transparency-log witness, through @sigstore/sign: an OIDC token
// (CI) is exchanged at Fulcio for a ten-minute certificate over an ephemeral key, and Rekor logs the
// signature. URLs default to public-good; a private deployment passes its own (that is how the tests
// exercise this: test/support/private-sigstore-servers.ts).
// The token is a bearer credential: it is never printed, and sigstore error texts are scrubbed of it.
import { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL, FulcioSigner, RekorWitness, type Signer, type Witness } from '@sigstore/sign';
import { VouchError, truncate } from '../errors/index.js';

export { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL };

const TOKEN_REQUEST_TIMEOUT_MS = 30_000;
const SIGSTORE_TIMEOUT_MS = 30_000;

export interface TokenSource {
  /** `--identity-token` (prefer the environment: a flag shows in the process list). */
  explicit?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The OIDC token for Fulcio: `--identity-token`, else SIGSTORE_ID_TOKEN (GitLab `id_tokens`, cosign's
 * convention), else GitHub Actions' token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, which need
 * `permissions: id-token: write`) with audience "sigstore".
 */
export async function identityToken(source: TokenSource): Promise<string> {
  const token = source.explicit ?? nonEmpty(source.env['SIGSTORE_ID_TOKEN']) ?? (await githubToken(source.env));
  if (!token) {
    throw new VouchError(
      'USAGE',
      'keyless signing needs an OIDC identity token and none is available',
      {},
      'in GitHub Actions grant `permissions: id-token: write`; in GitLab CI add an id_tokens entry SIGSTORE_ID_TOKEN with aud "sigstore"; or pass --identity-token',
    );
  }
  assertJwt(token);
  return token;
}

/** A FulcioSigner for `token` at `fulcioUrl` (an ephemeral P-256 key, certified for the token's identity). */
export function keylessSigner(token: string, fulcioUrl: string = DEFAULT_FULCIO_URL): Signer {
  const fulcio = new FulcioSigner({
    fulcioBaseURL: trimSlash(fulcioUrl),
    identityProvider: { getToken: async () => token },
    timeout: SIGSTORE_TIMEOUT_MS,
    retry: 2,
  });
  return { sign: (data) => scrubbed(() => fulcio.sign(data), [token], 'Fulcio') };
}

/** A Rekor v1 witness at `rekorUrl`, logging DSSE entries (what npm's bundles carry since 2024). */
export function rekorWitness(rekorUrl: string = DEFAULT_REKOR_URL): Witness {
  const rekor = new RekorWitness({ rekorBaseURL: trimSlash(rekorUrl), entryType: 'dsse', timeout: SIGSTORE_TIMEOUT_MS, retry: 2 });
  return { testify: (content, publicKey) => scrubbed(() => rekor.testify(content, publicKey), [], 'Rekor') };
}

async function githubToken(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const url = nonEmpty(env['ACTIONS_ID_TOKEN_REQUEST_URL']);
  const bearer = nonEmpty(env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']);
  if (!url || !bearer) return undefined;
  const target = new URL(url);
  target.searchParams.append('audience', 'sigstore');
  let res: Response;
  try {
    res = await fetch(target, {
      headers: { accept: 'application/json', authorization: `Bearer ${bearer}` },
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    throw new VouchError('SIGN_FAILED', `could not request the GitHub Actions OIDC token: ${truncate(scrub(errorText(err), [bearer]))}`);
  }
  const body = (await res.json().catch(() => undefined)) as { value?: unknown } | undefined;
  if (!res.ok || typeof body?.value !== 'string') {
    throw new VouchError('SIGN_FAILED', `the GitHub Actions OIDC token endpoint answered HTTP ${res.status} without a token`);
  }
  return body.value;
}

/** A JWT whose payload names a subject: what FulcioSigner needs (its own error would echo the token). */
function assertJwt(token: string): void {
  const parts = token.split('.');
  let payload: unknown;
  try {
    payload = parts.length === 3 && parts[1] ? JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) : undefined;
  } catch {
    payload = undefined;
  }
  const claims = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  if (!claims || (typeof claims['sub'] !== 'string' && typeof claims['email'] !== 'string')) {
    throw new VouchError(
      'USAGE',
      'the OIDC identity token is not a JWT with a subject',
      {},
      'check where the token comes from (SIGSTORE_ID_TOKEN, --identity-token)',
    );
  }
}

async function scrubbed<T>(run: () => Promise<T>, secrets: string[], service: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new VouchError('SIGN_FAILED', `${service}: ${truncate(scrub(`${errorText(err)}${cause}`, secrets), 300)}`);
  }
}

export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 8).reduce((out, secret) => out.split(secret).join('<redacted>'), text);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return 'code' in err && typeof err.code === 'string' ? `${err.code} ${err.message}` : err.message;
  return String(err);
}

const nonEmpty = (value: string | undefined): string | undefined => (value && value.trim() !== '' ? value.trim() : undefined);
const trimSlash = (url: string): string => url.replace(/\/+$/, '');
