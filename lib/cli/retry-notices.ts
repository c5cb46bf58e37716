// npm's stack retries a failed request (make-fetch-happen, with npm's fetch-retries and pauses of up to a
// minute) and says so only through proc-log, which npm prints and vouch would not. vouch prints each
// failed attempt as it happens, so a run waiting on a backoff says why, on a terminal and in CI logs.
// vouch's own retries (lib/registry) announce themselves the same way (logRetry).
import { redactSecrets } from '../config/index.js';
import type { Output } from './output.js';

const ATTEMPT_FAILED = / attempt \d+ failed with /;

/** Prints npm's and vouch's retry notices to stderr until the returned function is called. */
export function printRetryNotices(out: Output): () => void {
  const listener = (level: unknown, ...args: unknown[]): void => {
    if (level !== 'http' || args[0] !== 'fetch' || typeof args[1] !== 'string' || !ATTEMPT_FAILED.test(args[1])) return;
    out.stderr(redactSecrets(`vouch: ${args[1]}; retrying`)); // npm's notice names the URL
  };
  process.on('log', listener);
  return () => void process.off('log', listener);
}
