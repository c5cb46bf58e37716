// A bound on how many packages arborist's reify extracts at once. arborist starts the extraction of
// every node of the tree together and relies on the network to pace them (npm's 15 sockets). vouch
// reifies offline from the verified store, where nothing paces them: at 5,000 packages all 5,000
// tarballs were read, inflated and untarred at once, and the process grew from ~470 MB to ~1.4 GB.
// With a bound, the same extractions run a few at a time, in the same order, with the same results.
import { limitConcurrency } from '../concurrency/index.js';
import { withPacoteWrapped } from './pacote-hooks.js';

/** At most this many extractions at once: enough to keep two cores and the disk busy (bench/). */
export const EXTRACT_CONCURRENCY = 16;

/**
 * Runs `task` (a reify) with pacote.extract, the function arborist's reify calls for each package,
 * limited to `limit` concurrent calls; restores pacote.extract afterwards, also when `task` fails.
 */
export function withExtractLimit<T>(limit: number, task: () => Promise<T>): Promise<T> {
  return withPacoteWrapped('extract', (extract) => limitConcurrency(extract, limit), task);
}
