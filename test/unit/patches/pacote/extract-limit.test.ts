// lib/patches/pacote/extract-limit.ts: while a reify runs, arborist's pacote.extract never has more than the
// bound in flight, every call still gets its own result or error, and pacote.extract is restored after.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { limitConcurrency } from '../../../../lib/concurrency/index.js';
import { withExtractLimit } from '../../../../lib/patches/pacote/extract-limit.js';

type Extract = (spec: string, dest: string, opts: Record<string, unknown>) => Promise<unknown>;
// The copy arborist's reify.js calls (it does `require('pacote')` and calls `pacote.extract` at each node).
const arboristRequire = createRequire(createRequire(import.meta.url).resolve('@npmcli/arborist/lib/arborist/reify.js'));
const pacote = arboristRequire('pacote') as { extract: Extract };
const realExtract = pacote.extract;

afterEach(() => {
  pacote.extract = realExtract;
});

/** An extract that records how many calls overlap and settles after a few turns of the event loop. */
function countingExtract(): { extract: Extract; maxInFlight: () => number } {
  let inFlight = 0;
  let max = 0;
  const extract: Extract = async (spec) => {
    inFlight++;
    max = Math.max(max, inFlight);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    inFlight--;
    if (spec.startsWith('bad')) throw Object.assign(new Error(`cannot extract ${spec}`), { code: 'EINTEGRITY' });
    return `extracted ${spec}`;
  };
  return { extract, maxInFlight: () => max };
}

describe('withExtractLimit', () => {
  it('keeps reify to the bound, with each call its own result or error, and restores pacote.extract', async () => {
    const counting = countingExtract();
    pacote.extract = counting.extract;
    const specs = Array.from({ length: 40 }, (_, i) => (i === 17 ? 'bad@1.0.0' : `pkg${i}@1.0.0`));
    const settled = await withExtractLimit(3, () => Promise.allSettled(specs.map((s) => pacote.extract(s, `/nowhere/${s}`, {}))));
    expect(counting.maxInFlight()).toBe(3);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'extracted pkg0@1.0.0' });
    expect(settled[39]).toEqual({ status: 'fulfilled', value: 'extracted pkg39@1.0.0' });
    expect(settled[17]).toMatchObject({ status: 'rejected', reason: { code: 'EINTEGRITY' } });
    expect(pacote.extract).toBe(counting.extract);
  });

  it('restores pacote.extract when the reify fails', async () => {
    await expect(withExtractLimit(2, () => Promise.reject(new Error('reify failed')))).rejects.toThrow('reify failed');
    expect(pacote.extract).toBe(realExtract);
  });

  it('without the bound the same calls all overlap (what arborist does by itself)', async () => {
    const counting = countingExtract();
    await Promise.all(Array.from({ length: 40 }, (_, i) => counting.extract(`pkg${i}@1.0.0`, '/nowhere', {})));
    expect(counting.maxInFlight()).toBe(40);
  });
});

describe('limitConcurrency', () => {
  it('releases the slot of a call that throws synchronously', async () => {
    let calls = 0;
    const limited = limitConcurrency((n: number) => {
      calls++;
      if (n % 2 === 0) throw new Error(`sync ${n}`);
      return Promise.resolve(n);
    }, 1);
    const settled = await Promise.allSettled([0, 1, 2, 3].map((n) => limited(n)));
    expect(calls).toBe(4);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
  });
});
