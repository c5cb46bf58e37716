// parseJsonText refuses nesting past MAX_JSON_DEPTH before jsonc-parser's recursive descent sees it (a file of
// "[[[[…" within the size bound would otherwise overflow the stack). End to end: test/adversarial/trust-files.test.ts.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonText } from '../../../lib/files/index.js';

const nested = (levels: number, open = '[', close = ']'): string => `${open.repeat(levels)}${close.repeat(levels)}`;

describe('parseJsonText nesting bound', () => {
  it(`parses ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}, at the bracket that goes too deep`, () => {
    expect('value' in parseJsonText(nested(MAX_JSON_DEPTH), 1e6)).toBe(true);
    const refused = parseJsonText(`\n${nested(MAX_JSON_DEPTH + 1)}`, 1e6);
    expect(refused).toEqual({ problems: [{ path: '(syntax)', message: `nested deeper than ${MAX_JSON_DEPTH} levels`, line: 2, column: MAX_JSON_DEPTH + 1 }] });
  });

  it('returns problems for half a million levels instead of throwing RangeError', () => {
    expect(() => parseJsonText(nested(500_000, '{"a":', '}'), 4e6)).not.toThrow();
    expect('problems' in parseJsonText(nested(500_000), 4e6)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ note: `${'['.repeat(200)} \\" ${'{'.repeat(200)}` });
    expect('value' in parseJsonText(text, 1e6)).toBe(true);
  });
});
