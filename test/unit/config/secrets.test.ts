// redactSecrets, withoutCredentials and the move of a registry URL's userinfo into npm's _auth setting.
import { describe, expect, it } from 'vitest';
import { npmAuthFor, redactDeep, redactSecrets, withoutCredentials } from '../../../lib/config/index.js';
import { withUrlCredentialsMoved } from '../../../lib/config/url-credentials.js';

describe('redactSecrets', () => {
  it.each([
    ['registry http://user:hunter2@127.0.0.1:4873/), retrying', 'registry http://***@127.0.0.1:4873/), retrying'],
    ['https://us%40er:p%40ss@host:1/x', 'https://***@host:1/x'],
    ['http://user:p@ss@host/', 'http://***@host/'],
    ['https://npm_abcdefghijklmnopqrstuvwxyz0123456789@host/', 'https://***@host/'],
    ['https://tok3n-only@host:99999/', 'https://***@host:99999/'],
    ['//host/:_authToken=abc.def/ghi', '//host/:_authToken=***'],
    ['npm_config__auth=dXNlcjpwYXNz', 'npm_config__auth=***'],
    ['{"//h/:_password": "c2VjcmV0"}', '{"//h/:_password": "***"}'],
    ['GET http://h/pkg?token=abc&x=1', 'GET http://h/pkg?token=***&x=1'],
    ['http://h/t.tgz?X-Amz-Signature=f00&access_token=t0k', 'http://h/t.tgz?X-Amz-Signature=***&access_token=***'],
    ['Authorization: Bearer abc123', 'Authorization: ***'],
    ['authorization=Basic dXNl/cjpz+ZWNy==', 'authorization=***'],
    ['sent Basic dXNl/cjpz+ZWNy== to it', 'sent Basic *** to it'],
    ['token npm_abcdefghijklmnopqrstuvwxyz0123456789', 'token npm_***'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123 and eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', '*** and ***'],
  ])('masks %s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it.each([
    'lodash@4.17.21 sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQD8zmuvQ1wMhWpSnR/AixLpqjQw9Eh6gHxW0SZWbEKfaKCDibU0Dg==',
    'git+ssh://git@github.com/acme/x.git#abc',
    'https://registry.npmjs.org/@scope%2fname',
    'key SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA expired',
    'mail jane@acme.example about http://host/',
  ])('keeps %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('keeps JSON valid and is idempotent', () => {
    const json = JSON.stringify({ url: 'http://u:a"b@h/', token: 'x?token=1"2', nested: ['Bearer abc'] });
    const once = redactSecrets(json);
    expect(() => JSON.parse(once) as unknown).not.toThrow();
    expect(once).not.toContain('a\\"b');
    expect(redactSecrets(once)).toBe(once);
  });

  it('redactDeep masks every string and key of plain data and keeps dates and other objects', () => {
    const when = new Date(0);
    const out = redactDeep({ a: ['http://u:p@h/'], 'http://u:p@h/': { when }, n: 1 });
    expect(out).toEqual({ a: ['http://***@h/'], 'http://***@h/': { when }, n: 1 });
    expect(out['http://***@h/' as keyof typeof out]).toEqual({ when });
  });
});

describe('withoutCredentials', () => {
  it('drops the userinfo and keeps every other byte', () => {
    expect(withoutCredentials('https://user:p@ss@Host:443/npm/?q=1')).toBe('https://Host:443/npm/?q=1');
    expect(withoutCredentials('http://127.0.0.1:4873/')).toBe('http://127.0.0.1:4873/');
    expect(withoutCredentials('http://host/path@x/')).toBe('http://host/path@x/');
  });
});

describe('withUrlCredentialsMoved', () => {
  it('moves a registry URL password into //host/path/:_auth with the bytes minipass-fetch would send', () => {
    const flat = withUrlCredentialsMoved({ registry: 'http://user:p%40ss@127.0.0.1:4873/npm/', '@acme:registry': 'https://tok@acme.example/' });
    expect(flat['registry']).toBe('http://127.0.0.1:4873/npm/');
    expect(flat['@acme:registry']).toBe('https://acme.example/');
    expect(flat['//127.0.0.1:4873/npm/:_auth']).toBe(Buffer.from('user:p%40ss').toString('base64'));
    expect(npmAuthFor('http://127.0.0.1:4873/npm/some-pkg', flat).auth).toBe(Buffer.from('user:p%40ss').toString('base64'));
    expect(npmAuthFor('https://acme.example/-/npm/v1/keys', flat).auth).toBe(Buffer.from('tok:').toString('base64'));
  });

  it('keeps credentials configured for the registry (they win in npm too) and only drops the URL ones', () => {
    const flat = withUrlCredentialsMoved({ registry: 'https://user:pw@host/', '//host/:_authToken': 'T' });
    expect(flat).toEqual({ registry: 'https://host/', '//host/:_authToken': 'T' });
  });

  it('leaves options without URL credentials as they are', () => {
    const options = { registry: 'https://registry.npmjs.org/', omit: ['dev'] };
    expect(withUrlCredentialsMoved(options)).toEqual(options);
  });
});
