// A bound on calls in flight, shared by the tarball downloads and the reify's extractions.

/** `fn` with at most `limit` calls in flight; the others wait their turn, first come first served. */
export function limitConcurrency<A extends unknown[], R>(fn: (...args: A) => Promise<R>, limit: number): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return (...args: A) =>
    new Promise<R>((resolve, reject) => {
      const run = () => {
        running++;
        // A synchronous throw becomes a rejection, so the slot is always released.
        Promise.resolve()
          .then(() => fn(...args))
          .then(resolve, reject)
          .finally(release);
      };
      if (running < limit) run();
      else waiting.push(run);
    });
}
