import { describe, expect, it } from 'vitest';
import { LOG_INTERVAL_MS, PROGRESS_THRESHOLD, REDRAW_INTERVAL_MS, createProgress, progressLine } from '../../../lib/cli/progress.js';

// A fake stderr that records writes, and a clock the test moves by hand (no timers, no sleeping).
function stream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns, write: (chunk: string) => writes.push(chunk) } };
}
function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const TOTAL = PROGRESS_THRESHOLD + 50;

describe('createProgress', () => {
  it('off a TTY (CI logs): nothing in the first interval, then a plain line every LOG_INTERVAL_MS, no carriage returns', () => {
    const { writes, out } = stream(false);
    const c = clock();
    const p = createProgress({ total: TOTAL, out, now: c.now });
    for (let i = 0; i < 10; i++) p.tick(`pkg${i}@1.0.0`);
    expect(writes).toEqual([]); // a short run says nothing
    c.advance(LOG_INTERVAL_MS);
    p.tick('a@1.0.0');
    c.advance(LOG_INTERVAL_MS - 1);
    p.tick('b@1.0.0');
    c.advance(1);
    p.tick('c@1.0.0');
    p.done();
    expect(writes).toEqual(['vouch: verifying 11/100 packages (5 s)\n', 'vouch: verifying 13/100 packages (10 s)\n']);
  });

  it('writes nothing for a small tree, or when the caller disables it', () => {
    for (const opts of [{ total: PROGRESS_THRESHOLD }, { total: TOTAL, enabled: false }]) {
      const { writes, out } = stream(true);
      const p = createProgress({ ...opts, out, now: clock().now });
      p.tick('a');
      p.done();
      expect(p.active).toBe(false);
      expect(writes).toEqual([]);
    }
  });

  it('draws on a TTY for a large tree, at most once per redraw interval', () => {
    const { writes, out } = stream(true);
    const c = clock();
    const p = createProgress({ total: TOTAL, out, now: c.now });
    expect(p.active).toBe(true);
    p.tick('first@1.0.0'); // drawn: the first tick always is
    for (let i = 0; i < 30; i++) p.tick('fast@1.0.0'); // same instant: throttled
    c.advance(REDRAW_INTERVAL_MS - 1);
    p.tick('still@1.0.0'); // throttled
    c.advance(1);
    p.tick('next@1.0.0'); // drawn
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^\rvouch: verifying \[-+\] 1\/100 first@1\.0\.0\u001b\[K$/);
    expect(writes[1]).toContain(' 33/100 next@1.0.0');
    // A second of ticks every 10 ms draws about 10 times.
    for (let i = 0; i < 100; i++) {
      c.advance(10);
      p.tick('x');
    }
    expect(writes.length - 2).toBeLessThanOrEqual(1000 / REDRAW_INTERVAL_MS);
    expect(writes.length - 2).toBeGreaterThanOrEqual(1000 / REDRAW_INTERVAL_MS - 1);
  });

  it('clears its line once at the end and ignores ticks after done', () => {
    const { writes, out } = stream(true);
    const c = clock();
    const p = createProgress({ total: TOTAL, out, now: c.now });
    p.tick('a');
    p.done();
    p.done();
    c.advance(1_000);
    p.tick('late');
    expect(writes.slice(1)).toEqual(['\r\u001b[K']);
  });

  it('writes nothing at done when nothing was drawn', () => {
    const { writes, out } = stream(true);
    createProgress({ total: TOTAL, out, now: clock().now }).done();
    expect(writes).toEqual([]);
  });
});

describe('progressLine', () => {
  it('fills the bar in proportion, caps the count at the total, and fits the terminal width', () => {
    expect(progressLine('verifying', 50, 100, undefined, 80)).toBe('vouch: verifying [##########----------] 50/100');
    expect(progressLine('verifying', 120, 100, 'a', 80)).toBe('vouch: verifying [####################] 100/100 a');
    expect(progressLine('verifying', 1, 100, 'x'.repeat(200), 40)).toHaveLength(39);
  });

  it('escapes control characters in labels', () => {
    expect(progressLine('verifying', 1, 100, 'evil\u001b[2J', 80)).toContain('evil\\x1b[2J');
  });
});
