import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVouchError } from '../../../lib/errors/index.js';
import { ed25519Cosigner } from '../../../lib/tlog/index.js';
import { exitCodeForError } from '../../../lib/errors/index.js';
import { builtInPolicy, loadPolicy, MAX_POLICY_BYTES, needsPublishTime, parsePolicy } from '../../../lib/policy/index.js';
import { hasProblems, type FileProblemsError } from '../../../lib/files/index.js';

const FILE = '/repo/vouch.policy.json';

function failure(text: string): FileProblemsError {
  try {
    parsePolicy(text, FILE);
  } catch (err) {
    if (hasProblems(err)) return err;
    throw err;
  }
  throw new Error('expected the policy to be rejected');
}

const json = (doc: unknown) => JSON.stringify(doc, null, 2);

describe('parsePolicy: syntax (POLICY_PARSE)', () => {
  it('reports bad JSON with its line and column, and exit code 2', () => {
    const err = failure('{\n  "defaults": {\n    "signatures": "require",\n  }\n}\n');
    expect(err.code).toBe('POLICY_PARSE');
    expect(exitCodeForError(err)).toBe(2);
    expect(err.where.file).toBe(FILE);
    expect(err.problems[0]).toMatchObject({ line: 4, column: 3 });
  });

  it('reports every syntax error, not only the first', () => {
    const err = failure('{\n  "a": 1 // comment\n  "b": ,\n}');
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.problems.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses duplicate keys, which a reviewer and JSON.parse would read differently', () => {
    const err = failure('{\n  "defaults": { "signatures": "off" },\n  "defaults": { "signatures": "require" }\n}');
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.problems[0]).toMatchObject({ path: 'defaults', line: 3 });
  });

  it('refuses a file over 1 MiB before parsing it', () => {
    const big = json({ rules: [{ packages: 'a', provenance: 'require', description: 'x'.repeat(MAX_POLICY_BYTES) }] });
    const err = failure(big);
    expect(err.code).toBe('POLICY_PARSE');
    expect(err.problems[0]?.path).toBe('(root)');
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(parsePolicy(`\uFEFF${json({ defaults: { signatures: 'warn' } })}`, FILE).defaults.signatures).toBe('warn');
  });
});

describe('parsePolicy: shape (POLICY_SCHEMA)', () => {
  it('names the JSON path, what was expected and what was found for a wrong type', () => {
    const err = failure(json({ defaults: { minReleaseAge: '3' } }));
    expect(err.code).toBe('POLICY_SCHEMA');
    expect(err.where.path).toBe('defaults.minReleaseAge');
    expect(err.problems[0]).toMatchObject({ path: 'defaults.minReleaseAge', line: 3 });
    expect(err.problems[0]?.message).toContain('"3"');
  });

  it('rejects an unknown key instead of ignoring it, pointing at the key', () => {
    const err = failure(json({ defaults: { signatures: 'require', provenence: 'require' } }));
    expect(err.code).toBe('POLICY_SCHEMA');
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ path: 'defaults.provenence', line: 4, column: 5 });
    expect(err.problems[0]?.message).toContain('provenance');
  });

  it('reports every problem of the file in one error', () => {
    const err = failure(
      json({
        defaults: { signatures: 'maybe' },
        rules: [{ packages: '@acme/*', provenance: 'sometimes' }],
        exceptions: { 'left-pad': [{ allow: ['PROVENANCE_MISSING'], reason: '', approvedBy: 'jane', expires: '2027-13-01' }] },
        extra: true,
      }),
    );
    expect(err.code).toBe('POLICY_SCHEMA');
    expect(err.problems.map((p) => p.path).sort()).toEqual([
      'defaults.signatures',
      'exceptions["left-pad"][0].expires',
      'exceptions["left-pad"][0].reason',
      'extra',
      'rules[0].provenance',
    ]);
  });

  it('requires reason, approvedBy and expires on an exception', () => {
    const err = failure(json({ exceptions: { a: [{ allow: ['PROVENANCE_MISSING'] }] } }));
    expect(err.problems.map((p) => p.path).sort()).toEqual(['exceptions.a[0].approvedBy', 'exceptions.a[0].expires', 'exceptions.a[0].reason']);
  });

  it('refuses an exception for a code that must not be waived (tampering, identity change)', () => {
    const err = failure(
      json({ exceptions: { a: [{ allow: ['SIGNATURE_INVALID', 'IDENTITY_CHANGED'], reason: 'r', approvedBy: 'j', expires: '2027-01-01' }] } }),
    );
    expect(err.code).toBe('POLICY_SCHEMA');
    expect(err.problems.map((p) => p.path)).toEqual(['exceptions.a[0].allow[0]', 'exceptions.a[0].allow[1]']);
  });
});

describe('parsePolicy: meaning (POLICY_RULE)', () => {
  it.each(['*', '**', '@*/*'])('rejects a rule for %j alone as too broad by accident', (glob) => {
    const err = failure(json({ rules: [{ packages: glob, provenance: 'require' }] }));
    expect(err.code).toBe('POLICY_RULE');
    expect(err.problems[0]?.path).toBe('rules[0].packages');
  });

  it('accepts a broad rule that says "broad": true', () => {
    expect(parsePolicy(json({ rules: [{ packages: '**', broad: true, provenance: 'require' }] }), FILE).rules).toHaveLength(1);
  });

  it('does not call a scoped glob broad', () => {
    expect(parsePolicy(json({ rules: [{ packages: ['@acme/*', 'acme-*'], provenance: 'require' }] }), FILE).rules).toHaveLength(1);
  });

  it('rejects invalid ranges, negated globs, glob exception names, bad registry URLs and empty rules together', () => {
    const err = failure(
      json({
        registries: { 'not a url': { keys: 'none' } },
        rules: [{ packages: '!@acme/*', versions: 'one point two', provenance: 'require' }, { packages: 'x' }],
        exceptions: { '@acme/*': [{ allow: ['PROVENANCE_MISSING'], reason: 'r', approvedBy: 'j', expires: '2027-01-01' }] },
      }),
    );
    expect(err.code).toBe('POLICY_RULE');
    expect(err.problems.map((p) => p.path).sort()).toEqual([
      'exceptions["@acme/*"]',
      'registries["not a url"]',
      'rules[0].packages',
      'rules[0].versions',
      'rules[1]',
    ]);
  });

  it('rejects a rule an earlier rule always pre-empts', () => {
    const err = failure(
      json({
        rules: [
          { packages: '@acme/*', provenance: 'require' },
          { packages: '@acme/*', provenance: 'warn' },
        ],
      }),
    );
    expect(err.problems[0]?.path).toBe('rules[1]');
  });

  it('rejects a ref pattern that is not a full ref glob', () => {
    const err = failure(json({ rules: [{ packages: '@acme/*', identity: { ref: 'v*' } }] }));
    expect(err.problems[0]?.path).toBe('rules[0].identity.ref');
  });

  it('rejects a registry URL with credentials (the file is committed) and names it without them', () => {
    const err = failure(json({ registries: { 'https://user:pa55@r.example/npm/': { keys: 'none' } } }));
    expect(err.code).toBe('POLICY_RULE');
    expect(err.problems.map((p) => p.message).join()).toContain('holds credentials');
  });

  it('checks witnesses: each key a cosigner key, each witness once, require at most the number named', () => {
    const w1 = ed25519Cosigner('w1.example', generateKeyPairSync('ed25519').privateKey).verifierKey;
    const w2 = ed25519Cosigner('w2.example', generateKeyPairSync('ed25519').privateKey).verifierKey;
    const url = 'https://r.example/';
    const ok = parsePolicy(json({ registries: { [url]: { witnesses: { keys: [w1, w2] } } } }), FILE);
    expect(ok.registries.get(url)?.witnesses).toEqual({ keys: [w1, w2], require: 2 });
    const err = failure(json({ registries: { [url]: { witnesses: { keys: ['not a key', w1, w1], require: 4 } } } }));
    expect(err.code).toBe('POLICY_RULE');
    expect(err.problems.map((p) => p.path)).toEqual([
      `registries["${url}"].witnesses.keys[0]`,
      `registries["${url}"].witnesses.keys[2]`,
      `registries["${url}"].witnesses.require`,
    ]);
  });

  it('rejects the same registry named twice with and without the trailing slash', () => {
    const err = failure(json({ registries: { 'https://r.example/npm': { keys: 'none' }, 'https://r.example/npm/': { keys: 'required' } } }));
    expect(err.code).toBe('POLICY_RULE');
  });
});

describe('parsePolicy: result', () => {
  it('fills in the file defaults: signatures require, provenance no-downgrade, unsigned registry deny, release age 1 day', () => {
    const p = parsePolicy('{}', FILE);
    expect(p).toMatchObject({
      source: 'file',
      file: FILE,
      defaults: { signatures: 'require', provenance: 'no-downgrade', unsignedRegistry: 'deny', minReleaseAge: 1 },
    });
  });

  it('keeps "minReleaseAge": 0 (the check off) and other values as written', () => {
    expect(parsePolicy(json({ defaults: { minReleaseAge: 0 } }), FILE).defaults.minReleaseAge).toBe(0);
    expect(parsePolicy(json({ defaults: { minReleaseAge: 2.5 } }), FILE).defaults.minReleaseAge).toBe(2.5);
  });

  it('normalizes registry URLs to a trailing slash', () => {
    const p = parsePolicy(json({ registries: { 'https://npm.acme.example/repo': { keys: 'none' } } }), FILE);
    expect(p.registries.get('https://npm.acme.example/repo/')?.keys).toBe('none');
  });
});

describe('loadPolicy', () => {
  it('uses the built-in default when there is no vouch.policy.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-policy-'));
    const p = await loadPolicy(dir);
    expect(p).toMatchObject({ source: 'default', file: null, defaults: { unsignedRegistry: 'warn', signatures: 'require', provenance: 'no-downgrade' } });
  });

  it('reads and validates the file next to package-lock.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-policy-'));
    writeFileSync(join(dir, 'vouch.policy.json'), json({ defaults: { provenance: 'require' } }));
    expect((await loadPolicy(dir)).defaults.provenance).toBe('require');
  });

  it('refuses an enormous file without reading it whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-policy-'));
    writeFileSync(join(dir, 'vouch.policy.json'), ' '.repeat(MAX_POLICY_BYTES + 1));
    const err = await loadPolicy(dir).catch((e: unknown) => e);
    expect(isVouchError(err) && err.code).toBe('POLICY_PARSE');
  });

  it('names the file in a schema error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-policy-'));
    writeFileSync(join(dir, 'vouch.policy.json'), json({ defaults: { signatures: 1 } }));
    const err = await loadPolicy(dir).catch((e: unknown) => e);
    expect(isVouchError(err) && err.where.file).toBe(join(dir, 'vouch.policy.json'));
  });
});

describe('needsPublishTime', () => {
  it('is true only when an age or a publisher key date may need the packument time', () => {
    const ageOff = { minReleaseAge: 0 };
    expect(needsPublishTime(parsePolicy(JSON.stringify({ defaults: ageOff }), FILE))).toBe(false);
    expect(needsPublishTime(parsePolicy(JSON.stringify({ defaults: { minReleaseAge: 2 } }), FILE))).toBe(true);
    expect(needsPublishTime(parsePolicy(JSON.stringify({ defaults: ageOff, rules: [{ packages: 'a', minReleaseAge: 1 }] }), FILE))).toBe(true);
    expect(
      needsPublishTime(
        parsePolicy(JSON.stringify({ defaults: ageOff, rules: [{ packages: 'a', publisherKeys: [{ keyid: 'k', revokedAt: '2027-01-01' }] }] }), FILE),
      ),
    ).toBe(true);
    expect(needsPublishTime(parsePolicy(JSON.stringify({ defaults: ageOff, rules: [{ packages: 'a', publisherKeys: [{ keyid: 'k' }] }] }), FILE))).toBe(false);
  });

  it('is true by default (release age is on): for the built-in policy and a file that leaves minReleaseAge out', () => {
    expect(needsPublishTime(builtInPolicy())).toBe(true);
    expect(needsPublishTime(parsePolicy('{}', FILE))).toBe(true);
  });
});
