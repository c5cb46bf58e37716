// How far V8 lets the heap grow past what its last full collection kept alive. V8's default (up to 4×)
// suits a long-running server; `vouch ci` on 5,000 packages keeps ~70 MB alive, but allocates fast
// (npm's HTTP and cache machinery, JSON, ASN.1, tarball streams) and let its heap reach ~290 MB before
// collecting: a peak RSS of ~460 MB. Growing at most HEAP_GROWING_PERCENT past the live set kept it
// near 360 MB, for more frequent full collections (CPU the marking threads take, measured in bench/).
// Small trees keep V8's default: their peak is small anyway, and the extra collections would cost
// them time. The bound must come before arborist loads the lockfile (the caller counts its entries):
// set only once the install plan was known, verify on 5,000 packages still peaked at 450 MB in three
// runs of four; set before, 330-336 MB in every run.
import { setFlagsFromString } from 'node:v8';

/** Trees of more packages than this get the bound. */
export const BOUNDED_HEAP_ABOVE = 2_000;
export const HEAP_GROWING_PERCENT = 100;

/**
 * Bounds this process's heap growth when a tree of `packages` is about to be verified (and installed);
 * returns whether it did. V8 reads the flag each time it sets the next heap limit, so it applies from
 * the next collection on (Node 20 and 24; test/cli/heap-growth.test.ts).
 */
export function boundHeapGrowthFor(packages: number): boolean {
  if (packages <= BOUNDED_HEAP_ABOVE) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
