// lib/patches/notes.ts: a declined patch is noted once, and --verbose's line names it and why.
import { describe, expect, it } from 'vitest';
import { notePatchDeclined, sourceDigest } from '../../../lib/patches/notes.js';
import { patchNoteLines, patchNotes } from '../../../lib/patches/index.js';

describe('patch notes', () => {
  it('records each declined patch once, with the first reason', () => {
    notePatchDeclined('lib/example', 'first');
    notePatchDeclined('lib/example', 'second');
    expect(patchNotes().filter((n) => n.patch === 'lib/example')).toEqual([{ patch: 'lib/example', reason: 'first' }]);
    expect(patchNoteLines()).toContain("vouch: lib/example not installed (first); the library's own code runs instead, slower but with the same results");
  });

  it('digests a function by its source, whitespace aside', () => {
    expect(
      sourceDigest(function f(a: number) {
        return a + 1;
      }),
    ).toBe(
      sourceDigest(function f(a: number) {
        return a + 1;
      }),
    );
    expect(
      sourceDigest(function f(a: number) {
        return a + 2;
      }),
    ).not.toBe(
      sourceDigest(function f(a: number) {
        return a + 1;
      }),
    );
    expect(sourceDigest('not a function')).toBeNull();
  });
});
