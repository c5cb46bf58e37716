// treeFetchError: what arborist / pacote / vouch's tree packument fetches throw while building the ideal tree,
// as VouchErrors with exit codes (3 for an outage). End to end: test/adversarial/registry-faults.test.ts.
import { describe, expect, it } from 'vitest';
import { exitCodeForError, FetchFailure } from '../../../lib/errors/index.js';
import { treeFetchError } from '../../../lib/tree/build.js';

const npmError = (props: Record<string, unknown>) => Object.assign(new Error('boom'), props);

describe('treeFetchError', () => {
  it.each([
    [npmError({ statusCode: 503, code: 'E503' }), 'REGISTRY_ERROR', 3],
    [npmError({ code: 'ECONNRESET' }), 'REGISTRY_UNREACHABLE', 3],
    [npmError({ code: 'EIDLETIMEOUT' }), 'REGISTRY_UNREACHABLE', 3],
    [npmError({ code: 'FETCH_ERROR', type: 'request-timeout' }), 'REGISTRY_UNREACHABLE', 3],
    [npmError({ code: 'ENOTCACHED' }), 'OFFLINE_MISS', 3],
    [npmError({ type: 'invalid-json' }), 'REGISTRY_ERROR', 3],
    [npmError({ statusCode: 404, code: 'E404', pkgid: 'left@*' }), 'PACKAGE_NOT_FOUND', 2],
    [npmError({ code: 'ETARGET' }), 'PACKAGE_NOT_FOUND', 2],
    [new FetchFailure('TOO_LARGE', 'too big', 'http://r/left'), 'REGISTRY_ERROR', 3],
    [new FetchFailure('REGISTRY_UNREACHABLE', 'no answer', 'http://r/left'), 'REGISTRY_UNREACHABLE', 3],
    [new FetchFailure('NOT_FOUND', '404', 'http://r/left'), 'PACKAGE_NOT_FOUND', 2],
  ])('maps %o to %s (exit %i)', (err, code, exit) => {
    const mapped = treeFetchError(err);
    expect(mapped?.code).toBe(code);
    expect(mapped && exitCodeForError(mapped)).toBe(exit);
  });

  it('keeps the package arborist was fetching', () => {
    expect(treeFetchError(npmError({ statusCode: 500, pkgid: 'left@^1.0.0' }))?.where.pkg).toBe('left@^1.0.0');
  });

  it('leaves anything else alone (ERESOLVE, plain errors, non-errors)', () => {
    expect(treeFetchError(npmError({ code: 'ERESOLVE' }))).toBeUndefined();
    expect(treeFetchError(new Error('x'))).toBeUndefined();
    expect(treeFetchError('x')).toBeUndefined();
  });
});
