import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeForError, VouchError } from '../../../lib/errors/index.js';
import { loadTrustRoots, PUBLIC_GOOD, publicGoodRoot, trustRootFromBytes, trustRootSet } from '../../../lib/verify/index.js';
import { fixture } from './attestations-fixtures.js';

const SHIPPED = fixture('../trust/public-good.trusted_root.json');
const PRIVATE = fixture('made/private.trusted_root.json');
// Rekor v1's log id in the public-good root (the one every real npm bundle before 2025 was logged in).
const REKOR_V1_LOG_ID = 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=';

function trustedRootError(run: () => unknown): VouchError {
  try {
    run();
  } catch (err) {
    if (err instanceof VouchError) return err;
    throw err;
  }
  throw new Error('expected a VouchError');
}

describe('loadTrustRoots', () => {
  it('loads the shipped public-good root first, with default thresholds and a digest of its bytes', () => {
    const { roots } = loadTrustRoots();
    expect(roots.map((r) => r.name)).toEqual([PUBLIC_GOOD]);
    const root = roots[0]!;
    expect(root.digest).toBe(createHash('sha256').update(readFileSync(SHIPPED)).digest('hex'));
    expect(root.thresholds).toEqual({ ctlogThreshold: 1, tlogThreshold: 1, timestampThreshold: 1 });
    expect(root.logIds.has(REKOR_V1_LOG_ID)).toBe(true);
  });

  it('adds private roots after public-good; a root without CT logs needs no SCT, and the SET gives the time', () => {
    const { roots } = loadTrustRoots([PRIVATE]);
    expect(roots.map((r) => r.name)).toEqual([PUBLIC_GOOD, PRIVATE]);
    expect(roots[1]!.thresholds).toEqual({ ctlogThreshold: 0, tlogThreshold: 1, timestampThreshold: 1 });
  });

  it('builds one Verifier per root per process', () => {
    expect(loadTrustRoots([PRIVATE]).roots[1]!.verifier).toBe(loadTrustRoots([PRIVATE]).roots[1]!.verifier);
    expect(publicGoodRoot()).toBe(publicGoodRoot());
  });

  it('gives the set a digest that changes with the roots it holds', () => {
    const a = loadTrustRoots().digest;
    const b = loadTrustRoots([PRIVATE]).digest;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
    expect(loadTrustRoots([PRIVATE]).digest).toBe(b);
  });

  it('can leave public-good out', () => {
    expect(loadTrustRoots([PRIVATE], { publicGood: false }).roots.map((r) => r.name)).toEqual([PRIVATE]);
  });
});

describe('a bad trusted root is a configuration error (TRUSTED_ROOT, exit 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-trust-'));
  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const privateRoot = JSON.parse(readFileSync(PRIVATE, 'utf8')) as Record<string, unknown>;

  const cases: [string, () => string][] = [
    ['a missing file', () => join(dir, 'absent.json')],
    ['a file that is not JSON', () => write('garbage.json', '{"mediaType": ')],
    ['another kind of document', () => write('bundle.json', JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }))],
    [
      'a certificate that does not parse',
      () =>
        write(
          'bad-cert.json',
          JSON.stringify({
            ...privateRoot,
            certificateAuthorities: [{ certChain: { certificates: [{ rawBytes: Buffer.from('not a certificate').toString('base64') }] } }],
          }),
        ),
    ],
    ['a root with no log and no timestamp authority', () => write('no-time.json', JSON.stringify({ ...privateRoot, tlogs: [] }))],
  ];

  it.each(cases)('rejects %s, naming the file', (_what, file) => {
    const path = file();
    const err = trustedRootError(() => loadTrustRoots([path]));
    expect(err.code).toBe('TRUSTED_ROOT');
    expect(err.where.file).toBe(path);
    expect(exitCodeForError(err)).toBe(2);
  });

  it('rejects the same root given twice', () => {
    const root = trustRootFromBytes('twice', readFileSync(PRIVATE));
    expect(trustedRootError(() => trustRootSet([root, root])).code).toBe('TRUSTED_ROOT');
  });
});
