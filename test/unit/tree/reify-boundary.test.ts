// lib/tree/reify-boundary.ts on its own: while a reify runs, every extraction arborist asks pacote for is
// checked against what vouch verified at that folder, independently of how the targets were listed.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { withReifyBoundary, type ReifyBoundary } from '../../../lib/tree/reify-boundary.js';

type Extract = (spec: string, dest: string, opts: Record<string, unknown>) => Promise<unknown>;
const arboristRequire = createRequire(createRequire(import.meta.url).resolve('@npmcli/arborist/lib/arborist/reify.js'));
const pacote = arboristRequire('pacote') as { extract: Extract };
const realExtract = pacote.extract;
afterEach(() => {
  pacote.extract = realExtract;
});

const SIGNED = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
const OTHER = `sha512-${Buffer.alloc(64, 2).toString('base64')}`;
const boundary: ReifyBoundary = {
  store: '/store',
  allowed: new Map([
    ['/p/node_modules/a', { kind: 'verified', integrity: SIGNED, url: 'http://r/a/-/a-1.0.0.tgz', pkg: 'a' }],
    ['/p/node_modules/g', { kind: 'source', spec: 'git+https://example.test/g.git#abc', pkg: 'g' }],
  ]),
};

/** Runs `calls` through the boundary over a recording extract; returns what reached it and what was refused. */
async function through(calls: [string, string, Record<string, unknown>][]) {
  const reached: { spec: string; dest: string; opts: Record<string, unknown> }[] = [];
  pacote.extract = async (spec, dest, opts) => void reached.push({ spec, dest, opts });
  const { result, refused } = await withReifyBoundary(boundary, () => Promise.allSettled(calls.map(([s, d, o]) => pacote.extract(s, d, o))));
  return { reached, refused, settled: result };
}

describe('withReifyBoundary', () => {
  it('lets a verified package through, reading its verified bytes by digest from the store, offline', async () => {
    const { reached, refused } = await through([['a@http://elsewhere/a.tgz', '/p/node_modules/a', { integrity: SIGNED, cache: '/npm-cache' }]]);
    expect(refused).toEqual([]);
    expect(reached).toEqual([
      {
        spec: 'a@http://r/a/-/a-1.0.0.tgz',
        dest: '/p/node_modules/a',
        opts: expect.objectContaining({ integrity: SIGNED, resolved: 'http://r/a/-/a-1.0.0.tgz', cache: '/store', offline: true, preferOnline: false }),
      },
    ]);
  });

  it('refuses a folder vouch verified nothing for, before pacote is called', async () => {
    const { reached, refused, settled } = await through([['evil@http://r/evil.tgz', '/p/node_modules/evil', { integrity: SIGNED }]]);
    expect(reached).toEqual([]);
    expect(refused).toEqual([expect.objectContaining({ dest: '/p/node_modules/evil' })]);
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: { code: 'REIFY_UNVERIFIED' } });
  });

  it('refuses other bytes at a verified folder: another integrity, none, a second hash npm would also accept, or only a weaker one', async () => {
    const { reached, refused } = await through([
      ['a@http://r/a.tgz', '/p/node_modules/a', { integrity: OTHER }],
      ['a@http://r/a.tgz', '/p/node_modules/a', {}],
      ['a@http://r/a.tgz', '/p/node_modules/a', { integrity: `${SIGNED} ${OTHER}` }],
      ['a@http://r/a.tgz', '/p/node_modules/a', { integrity: `sha1-${Buffer.alloc(20, 3).toString('base64')}` }],
    ]);
    expect(reached).toEqual([]);
    expect(refused).toHaveLength(4);
  });

  it('lets the verified hash through beside a weaker one, which npm never checks when sha512 is there', async () => {
    const { refused } = await through([['a@http://r/a.tgz', '/p/node_modules/a', { integrity: `sha1-${Buffer.alloc(20, 3).toString('base64')} ${SIGNED}` }]]);
    expect(refused).toEqual([]);
  });

  it('lets an allowed source through at its folder only, from the store, offline', async () => {
    const { reached, refused } = await through([
      ['g@git+https://example.test/g.git#abc', '/p/node_modules/g', {}],
      ['g@git+https://example.test/g.git#abc', '/p/node_modules/other', {}],
    ]);
    expect(reached).toEqual([expect.objectContaining({ dest: '/p/node_modules/g', opts: expect.objectContaining({ cache: '/store', offline: true }) })]);
    expect(refused.map((r) => r.dest)).toEqual(['/p/node_modules/other']);
  });

  it('puts pacote.extract back afterwards, also when the task fails', async () => {
    const mine: Extract = async () => undefined;
    pacote.extract = mine;
    await expect(withReifyBoundary(boundary, () => Promise.reject(new Error('reify failed')))).rejects.toThrow('reify failed');
    expect(pacote.extract).toBe(mine);
  });
});
