import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeForError, isVouchError } from '../../../lib/errors/index.js';
import {
  checkLockCanonical,
  diffLock,
  emptyLock,
  MAX_LOCK_BYTES,
  parseLock,
  readLock,
  serializeLock,
  verifyLockCanonical,
  writeLockAtomic,
  type Lock,
} from '../../../lib/lock/index.js';
import { identityDigest } from '../../../lib/policy/index.js';
import { hasProblems, type FileProblemsError } from '../../../lib/files/index.js';

/** A well-formed sha512 SRI value (88 base64 characters) made of one letter. */
const S = (c: string): string => `sha512-${c.repeat(86)}==`;

const E = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const FILE = 'vouch.lock';
const WIDGET_PIN = {
  workflow: '.github/workflows/release.yml',
  repositoryId: '1001',
  repository: 'https://github.com/acme/widget',
  issuer: 'https://token.actions.githubusercontent.com',
};
const JANE = { repository: 'https://github.com/jane/widget', issuer: 'https://token.actions.githubusercontent.com' };
/** The identity pointers of the widget lines: 2.10.0 under the pin, 2.9.0 under the identity before the approval. */
const PIN_D = identityDigest(WIDGET_PIN);
const JANE_D = identityDigest(JANE);

function sample(): Lock {
  return {
    lockVersion: 1,
    packages: {
      zod: { versions: { '4.0.0': { evidence: E(5), integrity: S('z'), registryKey: 'SHA256:k' } } },
      '@acme/widget': {
        versions: {
          '2.10.0': { evidence: E(2), integrity: S('b'), attested: 'provenance', identity: PIN_D, registryKey: 'SHA256:k' },
          '2.9.0': { evidence: E(1), integrity: S('a'), attested: 'provenance', identity: JANE_D, registryKey: 'SHA256:k' },
          '2.10.0-rc.1': { evidence: E(3) },
        },
        approvals: [
          {
            reason: 'moved to the org',
            approvedAt: '2026-11-01T10:00:00.000Z',
            approvedBy: 'jane@acme.example',
            from: JANE,
            to: { repository: 'https://github.com/acme/widget', issuer: 'https://token.actions.githubusercontent.com' },
          },
        ],
        identity: WIDGET_PIN,
      },
      '10': { versions: { '1.0.0': { evidence: E(6) } }, identity: {} },
      '9': { versions: {} },
    },
  };
}

const CANONICAL = `{
  "lockVersion": 1,
  "packages": {
    "10": {
      "versions": {
        "1.0.0": { "evidence": "${E(6)}" }
      }
    },
    "9": {
      "versions": {}
    },
    "@acme/widget": {
      "identity": {
        "issuer": "https://token.actions.githubusercontent.com",
        "repository": "https://github.com/acme/widget",
        "repositoryId": "1001",
        "workflow": ".github/workflows/release.yml"
      },
      "approvals": [
        {
          "approvedBy": "jane@acme.example",
          "approvedAt": "2026-11-01T10:00:00.000Z",
          "reason": "moved to the org",
          "from": { "issuer": "https://token.actions.githubusercontent.com", "repository": "https://github.com/jane/widget" },
          "to": { "issuer": "https://token.actions.githubusercontent.com", "repository": "https://github.com/acme/widget" }
        }
      ],
      "versions": {
        "2.10.0": { "integrity": "${S('b')}", "registryKey": "SHA256:k", "attested": "provenance", "identity": "${PIN_D}", "evidence": "${E(2)}" },
        "2.10.0-rc.1": { "evidence": "${E(3)}" },
        "2.9.0": { "integrity": "${S('a')}", "registryKey": "SHA256:k", "attested": "provenance", "identity": "${JANE_D}", "evidence": "${E(1)}" }
      }
    },
    "zod": {
      "versions": {
        "4.0.0": { "integrity": "${S('z')}", "registryKey": "SHA256:k", "evidence": "${E(5)}" }
      }
    }
  }
}
`;

function failure(text: string): FileProblemsError {
  try {
    parseLock(text, FILE);
  } catch (err) {
    if (hasProblems(err)) return err;
    throw err;
  }
  throw new Error('expected the lock to be rejected');
}

describe('serializeLock', () => {
  it('writes the canonical form: names in code-point order, versions by semver newest first, fixed field order, one line per version, empties omitted', () => {
    expect(serializeLock(sample())).toBe(CANONICAL);
  });

  it('round-trips: parse(serialize(x)) serializes to the same text', () => {
    const text = serializeLock(sample());
    expect(serializeLock(parseLock(text, FILE))).toBe(text);
  });

  it('does not depend on the order the data was built in', () => {
    const a = sample();
    const b: Lock = { lockVersion: 1, packages: Object.fromEntries(Object.entries(a.packages).reverse()) };
    expect(serializeLock(b)).toBe(serializeLock(a));
  });

  it.each(['2.11.0', '2.9.5'])('adds a new version (%s) as a one-line diff', (version) => {
    const after = sample();
    const widget = after.packages['@acme/widget'];
    if (!widget) throw new Error('fixture');
    widget.versions[version] = { evidence: E(9), integrity: S('c'), attested: 'provenance', identity: PIN_D };
    const diff = diffLock(serializeLock(sample()), serializeLock(after));
    const changed = diff.split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l));
    expect(changed).toEqual([expect.stringMatching(new RegExp(`^\\+ +"${version.replace(/\./g, '\\.')}": \\{ .* \\},$`))]);
  });

  it('writes an empty lock', () => {
    expect(serializeLock(emptyLock())).toBe('{\n  "lockVersion": 1,\n  "packages": {}\n}\n');
  });
});

describe('parseLock', () => {
  it('reports bad JSON with line and column (LOCK_PARSE, exit 2)', () => {
    const err = failure('{\n  "lockVersion": 1,\n  "packages": {,}\n}\n');
    expect(err.code).toBe('LOCK_PARSE');
    expect(exitCodeForError(err)).toBe(2);
    expect(err.problems[0]).toMatchObject({ line: 3 });
  });

  it('recognizes merge conflict markers and says how to resolve them', () => {
    const text = CANONICAL.replace('    "zod": {', '<<<<<<< HEAD\n    "zod": {').replace('  }\n}\n', '  }\n=======\n>>>>>>> branch\n}\n');
    const err = failure(text);
    expect(err.code).toBe('LOCK_PARSE');
    expect(err.hint).toContain('vouch install');
  });

  it('rejects unknown keys, a wrong lockVersion, a bad digest and a non-semver version together (LOCK_SCHEMA)', () => {
    const doc = JSON.parse(CANONICAL) as { lockVersion: number; packages: Record<string, { versions: Record<string, { evidence: string }>; extra?: number }> };
    doc.lockVersion = 2;
    const zod = doc.packages.zod;
    if (!zod?.versions['4.0.0']) throw new Error('fixture');
    zod.extra = 1;
    zod.versions['4.0.0'].evidence = 'md5:abc';
    const err = failure(JSON.stringify(doc, null, 2));
    expect(err.code).toBe('LOCK_SCHEMA');
    expect(err.problems.map((p) => p.path).sort()).toEqual(['lockVersion', 'packages.zod.extra', 'packages.zod.versions["4.0.0"].evidence']);
  });

  it("accepts only one sha512 SRI hash as a version's integrity (md5, sha1 or two hashes: LOCK_SCHEMA)", () => {
    const sha512 = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
    for (const bad of ['md5-XrY7u+Ae7tCTyyK7j1rNww==', 'sha1-Kq5sNclPz7QV2+lfQIuc6R7oRu0=', `${sha512} ${sha512}`, 'sha512-short']) {
      const doc = JSON.parse(CANONICAL) as { packages: Record<string, { versions: Record<string, { integrity?: string }> }> };
      doc.packages.zod!.versions['4.0.0']!.integrity = bad;
      const err = failure(JSON.stringify(doc, null, 2));
      expect(err.code, bad).toBe('LOCK_SCHEMA');
      expect(err.problems.map((p) => p.path)).toEqual(['packages.zod.versions["4.0.0"].integrity']);
    }
  });

  it('rejects a version key that is not a semver version', () => {
    const err = failure(serializeLock(sample()).replace('"4.0.0"', '"latest"'));
    expect(err.code).toBe('LOCK_SCHEMA');
    expect(err.problems[0]?.path).toBe('packages.zod.versions.latest');
  });

  it('refuses a lock over the size bound', () => {
    expect(failure(' '.repeat(MAX_LOCK_BYTES + 1)).code).toBe('LOCK_PARSE');
  });
});

describe('--locked: canonical form', () => {
  it('accepts the canonical text', () => {
    expect(checkLockCanonical(CANONICAL, FILE).canonical).toBe(true);
    expect(verifyLockCanonical(CANONICAL, FILE)).toEqual(parseLock(CANONICAL, FILE));
  });

  it('rejects a reordered (hand-edited) lock with LOCK_NOT_CANONICAL and a unified diff of stored vs canonical', () => {
    const reordered = CANONICAL.replace(
      `"4.0.0": { "integrity": "${S('z')}", "registryKey": "SHA256:k", "evidence": "${E(5)}" }`,
      `"4.0.0": { "evidence": "${E(5)}", "integrity": "${S('z')}", "registryKey": "SHA256:k" }`,
    );
    expect(reordered).not.toBe(CANONICAL);
    const result = checkLockCanonical(reordered, FILE);
    expect(result.canonical).toBe(false);
    if (!result.canonical) expect(result.diff).toMatch(/^--- vouch\.lock \(stored\)/m);
    const err = (() => {
      try {
        verifyLockCanonical(reordered, FILE);
      } catch (e) {
        return e;
      }
    })();
    expect(isVouchError(err) && err.code).toBe('LOCK_NOT_CANONICAL');
    expect(isVouchError(err) && exitCodeForError(err)).toBe(2);
  });

  it('rejects a lock missing its final newline', () => {
    expect(checkLockCanonical(CANONICAL.trimEnd(), FILE).canonical).toBe(false);
  });
});

describe('readLock / writeLockAtomic', () => {
  it('reads an absent lock as empty with no text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-lock-'));
    expect(await readLock(dir)).toEqual({ lock: emptyLock(), text: null, file: join(dir, 'vouch.lock') });
  });

  it('writes the canonical text through a temporary file and leaves nothing else behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-lock-'));
    writeFileSync(join(dir, 'vouch.lock'), 'old');
    await writeLockAtomic(dir, sample());
    expect(readFileSync(join(dir, 'vouch.lock'), 'utf8')).toBe(CANONICAL);
    expect(readdirSync(dir)).toEqual(['vouch.lock']);
    expect((await readLock(dir)).text).toBe(CANONICAL);
  });

  it('never rewrites a corrupt lock: reading it throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-lock-'));
    writeFileSync(join(dir, 'vouch.lock'), '{ "lockVersion": 1, ');
    const err = await readLock(dir).catch((e: unknown) => e);
    expect(isVouchError(err) && err.code).toBe('LOCK_PARSE');
    expect(readFileSync(join(dir, 'vouch.lock'), 'utf8')).toBe('{ "lockVersion": 1, ');
  });
});

describe('vouch.lock registries and credentials', () => {
  const pin = { keys: { 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U': { key: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQc=' } } };

  it('never writes a registry URL with its password: keyed by the URL without it', () => {
    const lock: Lock = { ...emptyLock(), registries: { 'http://user:pa55@127.0.0.1:4873/': pin } };
    const text = serializeLock(lock);
    expect(text).not.toContain('pa55');
    expect(Object.keys(parseLock(text, 'vouch.lock').registries ?? {})).toEqual(['http://127.0.0.1:4873/']);
  });

  it('reads a lock an older vouch wrote with a password under the clean key, the pins kept, and calls it not canonical', () => {
    const clean = serializeLock({ ...emptyLock(), registries: { 'http://127.0.0.1:4873/': pin } });
    const text = clean.replace('http://127.0.0.1:4873/', 'http://user:pa55@127.0.0.1:4873/');
    const lock = parseLock(text, 'vouch.lock');
    expect(lock.registries).toEqual({ 'http://127.0.0.1:4873/': pin });
    expect(checkLockCanonical(text, 'vouch.lock').canonical).toBe(false);
    expect(checkLockCanonical(clean, 'vouch.lock').canonical).toBe(true);
  });
});
