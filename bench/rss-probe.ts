// Preloaded with `--import` (through NODE_OPTIONS) into every Node process a measured command starts,
// vouch and npm alike: at exit it appends the process's own peak resident set size (getrusage
// ru_maxrss, exact, no sampling) to the file named by VOUCH_BENCH_RSS_FILE. measure.ts reads it back.
import { appendFileSync } from 'node:fs';

const file = process.env['VOUCH_BENCH_RSS_FILE'];
if (file) {
  process.on('exit', () => {
    const line = { pid: process.pid, ppid: process.ppid, script: process.argv[1] ?? '', maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // a measurement that cannot be written shows up as a missing RSS, never as a failed run
    }
  });
}
