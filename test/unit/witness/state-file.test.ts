// The witness's state file (lib/witness/state-file.ts): what it cosigned survives a restart, it never goes
// back, a damaged file stops the witness instead of resetting it, and one process holds it at a time.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { EMPTY_ROOT, NoteError, leafHash } from '../../../lib/tlog/index.js';
import { WitnessStateFile } from '../../../lib/witness/state-file.js';

const temp = () => mkdtempSync(join(tmpdir(), 'vouch-witness-unit-'));
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof VouchError ? err.code : `not a VouchError: ${String(err)}`;
  }
  return undefined;
};

describe('WitnessStateFile', () => {
  it('starts empty, and what it commits survives a restart (nothing left behind but the file)', () => {
    const dir = temp();
    const file = join(dir, 'state.json');
    const first = WitnessStateFile.open(file);
    expect(first.state.size).toBe(0);
    first.commit('log.example', { size: 3, root: leafHash(Buffer.from('3')) });
    first.commit('log.example', { size: 9, root: leafHash(Buffer.from('9')) });
    first.commit('other.example', { size: 0, root: EMPTY_ROOT });
    first.close();
    expect(readdirSync(dir)).toEqual(['state.json']);
    const again = WitnessStateFile.open(file);
    expect(again.state.get('log.example')).toEqual({ size: 9, root: leafHash(Buffer.from('9')) });
    expect(again.state.get('other.example')?.size).toBe(0);
    again.close();
  });

  it('refuses to roll a log back, on disk as in memory', () => {
    const file = join(temp(), 'state.json');
    const store = WitnessStateFile.open(file);
    store.commit('log.example', { size: 9, root: leafHash(Buffer.from('9')) });
    const before = readFileSync(file, 'utf8');
    expect(() => store.commit('log.example', { size: 8, root: leafHash(Buffer.from('8')) })).toThrow(NoteError);
    expect(() => store.commit('log.example', { size: 9, root: leafHash(Buffer.from('fork')) })).toThrow(NoteError);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.state.get('log.example')?.size).toBe(9);
    store.close();
  });

  it('will not start from a damaged state (that would forget what it cosigned)', () => {
    const file = join(temp(), 'state.json');
    writeFileSync(file, '{"witnessStateVersion":1,"logs":{"log.example":{"size":"nine"}}}');
    expect(codeOf(() => WitnessStateFile.open(file))).toBe('CONFIG');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('is held by one witness at a time; the lock of a process that is gone is taken over', () => {
    const file = join(temp(), 'state.json');
    const store = WitnessStateFile.open(file);
    expect(codeOf(() => WitnessStateFile.open(file))).toBe('CONFIG');
    store.close();
    writeFileSync(`${file}.lock`, '2147483646\n'); // no such process
    const next = WitnessStateFile.open(file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    next.close();
  });
});
