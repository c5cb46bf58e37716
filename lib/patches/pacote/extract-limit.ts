// Bounds how many packages arborist's reify extracts at once, through the pacote.extract hook
// (./hooks.ts, with the reify boundary's check inside it). Checked against arborist 9.9.3 with pacote
// 21.5.3.
//
// arborist starts the extraction of every node of the tree together and relies on the network to pace
// them (npm's 15 sockets). vouch reifies offline from the verified store, where nothing paces them: at
// 5,000 packages all 5,000 tarballs were read, inflated and untarred at once, and the process grew from
// ~470 MB to ~1.4 GB. With a bound, the same extractions run a few at a time, in the same order, with
// the same results. The bound has no probe of its own: it rides on the hook, whose probe fails closed.
//
// test/registry/extract-limit.test.ts runs a real reify of many packages with the bound in effect and
// compares node_modules with npm's.
import { limitConcurrency } from '../../concurrency/index.js';
import { withPacoteWrapped, type Extract } from './hooks.js';

/** At most this many extractions at once: enough to keep two cores and the disk busy (bench/). */
export const EXTRACT_CONCURRENCY = 16;

/** `extract` limited to `limit` concurrent calls. */
export function limitExtractions(extract: Extract, limit: number = EXTRACT_CONCURRENCY): Extract {
  return limitConcurrency(extract, limit);
}

/**
 * Runs `task` (a reify) with pacote.extract, the function arborist's reify calls for each package,
 * limited to `limit` concurrent calls; restores pacote.extract afterwards, also when `task` fails.
 */
export function withExtractLimit<T>(limit: number, task: () => Promise<T>): Promise<T> {
  return withPacoteWrapped('extract', (extract) => limitExtractions(extract, limit), task);
}
