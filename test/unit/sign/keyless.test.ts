import { describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { identityToken } from '../../../lib/sign/index.js';
import { scrub } from '../../../lib/sign/keyless.js';

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2lnbmF0dXJl`;

describe('identityToken', () => {
  it('prefers --identity-token, then SIGSTORE_ID_TOKEN', async () => {
    const flag = jwt({ sub: 'flag' });
    const env = jwt({ sub: 'env' });
    expect(await identityToken({ explicit: flag, env: { SIGSTORE_ID_TOKEN: env } })).toBe(flag);
    expect(await identityToken({ env: { SIGSTORE_ID_TOKEN: env } })).toBe(env);
  });

  it('fails with USAGE when no token is available (no GitHub token endpoint either)', async () => {
    await expect(identityToken({ env: {} })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(identityToken({ env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/t' } })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('refuses a token that is not a JWT with a subject, without echoing it', async () => {
    const bad = 'opaque-bearer-secret-value-123456';
    const error = await identityToken({ env: { SIGSTORE_ID_TOKEN: bad } }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(VouchError);
    expect((error as VouchError).code).toBe('USAGE');
    expect((error as VouchError).message).not.toContain(bad);
    await expect(identityToken({ env: { SIGSTORE_ID_TOKEN: jwt({ iss: 'x' }) } })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('scrub', () => {
  it('replaces every occurrence of each secret, and leaves short strings alone', () => {
    expect(scrub('a TOKEN123456 b TOKEN123456', ['TOKEN123456'])).toBe('a <redacted> b <redacted>');
    expect(scrub('abc', ['ab'])).toBe('abc');
  });
});
