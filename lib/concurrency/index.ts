// The concurrency stage: one bound on calls in flight, shared by the tree's extractions, the registry's
// downloads and the installed-files check. It imports nothing, so every stage may use it.
export { limitConcurrency } from './limit.js';
