import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_VERSIONS, PROGRESS_INTERVAL_MS, progressPrinter } from '../../../packages/vouch-registry/lib/cli/registry-rotate.js';
import type { Output } from '../../../lib/cli/output.js';

describe('progressPrinter (vouch registry rotate)', () => {
  it('prints a plain line every PROGRESS_INTERVAL_MS or every PROGRESS_EVERY_VERSIONS versions, whichever comes first', () => {
    const lines: string[] = [];
    const out: Output = { stdout: () => undefined, stderr: (t) => void lines.push(t), isTTY: false };
    let clock = 0;
    const print = progressPrinter(out, () => clock);
    const tally = { resigned: 0, skipped: 0, refused: [] };
    for (let i = 1; i <= PROGRESS_EVERY_VERSIONS; i += 1) {
      tally.resigned = i;
      print(tally, { name: 'pkg', version: `1.0.${i}` });
    }
    expect(lines).toEqual([
      `rotate: ${PROGRESS_EVERY_VERSIONS} versions done (re-signed ${PROGRESS_EVERY_VERSIONS}, skipped 0, refused 0), at pkg@1.0.${PROGRESS_EVERY_VERSIONS}`,
    ]);
    clock += PROGRESS_INTERVAL_MS - 1;
    print({ ...tally, skipped: 1 }, { name: 'pkg', version: 'x' });
    expect(lines).toHaveLength(1);
    clock += 1;
    print({ ...tally, skipped: 2 }, { name: 'pkg', version: 'y' });
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toMatch(/\r|\x1b/);
  });
});
