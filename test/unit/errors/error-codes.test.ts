// Error codes are a closed set with one exit code each: what a thrown code means to CI never depends on
// whether someone remembered to list it (before, a code in no list was exit 1 by default).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { ERROR_CODES, exitCodeForError, VouchError, type ErrorCode } from '../../../lib/errors/index.js';

describe('error codes', () => {
  it('every code has an exit code of 1, 2 or 3; usage is 2, could-not-verify 3, refusals 1', () => {
    for (const code of ERROR_CODES) expect([1, 2, 3], code).toContain(exitCodeForError(new VouchError(code, 'x')));
    expect(exitCodeForError(new VouchError('POLICY_SCHEMA', 'x'))).toBe(2);
    expect(exitCodeForError(new VouchError('REGISTRY_UNREACHABLE', 'x'))).toBe(3);
    expect(exitCodeForError(new VouchError('LOCK_INCONSISTENT', 'x'))).toBe(1);
  });

  it('a code from outside the set (a caller casting) is a denial, never success', () => {
    expect(exitCodeForError(new VouchError('SOMETHING_NEW' as ErrorCode, 'x'))).toBe(1);
  });

  it('every code vouch throws by name in lib/ is in the set', async () => {
    const { execFileSync } = await import('node:child_process');
    const files = execFileSync('git', ['ls-files', 'lib', 'packages/vouch-registry/lib'], { cwd: packagePath(), encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
    const thrown = new Set<string>();
    for (const file of files) {
      const text = await readFile(packagePath(file), 'utf8');
      for (const m of text.matchAll(/new VouchError(?:<[^>]*>)?\('([A-Z_]+)'/g)) thrown.add(m[1]!);
      for (const m of text.matchAll(/problemsError\('([A-Z_]+)'/g)) thrown.add(m[1]!);
    }
    expect(thrown.size).toBeGreaterThan(20);
    expect([...thrown].filter((code) => !(ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
  });
});
