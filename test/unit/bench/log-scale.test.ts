// bench/log-scale.ts on a small log: the measurement runs end to end through vouch-registry's SigningLog
// (its proofs and audits check themselves, so a broken log fails here), and its section is spliced into
// docs/benchmarks.md in place.
import { describe, expect, it } from 'vitest';
import { logScaleSection, spliceLogScale } from '../../../bench/log-scale-report.js';
import { measureLogScale } from '../../../bench/log-scale.js';

describe('bench/log-scale', () => {
  it('measures a log of 10,300 entries: proofs of the right size, the incremental audit of the newest 10,000', async () => {
    const r = await measureLogScale(10_300);
    expect(r.entries).toBe(10_300);
    expect(r.inclusion.hashes).toBeGreaterThanOrEqual(13);
    expect(r.inclusion.hashes).toBeLessThanOrEqual(14);
    expect(r.consistency.from).toBe(300);
    expect(r.audit).toMatchObject({ fullEntries: 300, incrementalEntries: 10_000 });
    expect(r.diskBytes).toBeGreaterThan(10_300 * 32);
  }, 60_000);

  it('replaces its section between the markers, or appends it once', async () => {
    const r = await measureLogScale(10_001);
    const section = logScaleSection(r);
    const appended = spliceLogScale('# Benchmarks\n\nbody\n', section);
    expect(appended).toBe(`# Benchmarks\n\nbody\n\n${section}\n`);
    const again = spliceLogScale(`${appended}tail\n`, section.replace('10,001', '10,002'));
    expect(again.match(/<!-- log-scale -->/g)).toHaveLength(1);
    expect(again).toContain('10,002');
    expect(again.endsWith('tail\n')).toBe(true);
  }, 60_000);
});
