// `node dist/bench/render-report.js RESULTS.json [OUT]`: docs/benchmarks.md again from the raw results a
// run saved (in its work folder), e.g. after the report's wording changed; nothing is measured.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { packagePath } from '../lib/config/package-root.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';

const [input, out = packagePath('docs', 'benchmarks.md')] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node dist/bench/render-report.js RESULTS.json [OUT]\n');
  process.exit(2);
}
const results = JSON.parse(readFileSync(input, 'utf8')) as BenchResults;
await writeFile(out, renderReport({ ...results, startedAt: results.startedAt ?? results.machine.date }));
process.stderr.write(`wrote ${out} from ${input}\n`);
