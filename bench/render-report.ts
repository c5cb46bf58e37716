// `node dist/bench/render-report.js RESULTS.json [OUT] [--remeasured LATER.json]`: docs/benchmarks.md again
// from the raw results a run saved (in its work folder), e.g. after the report's wording changed; nothing is
// measured. --remeasured folds in a later, narrower run's comparisons (bench/remeasure.ts), and results.json
// beside OUT is rewritten with them.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { packagePath } from '../lib/config/package-root.js';
import { parseArgs } from 'node:util';
import { foldRemeasured } from './remeasure.js';
import { withInstalledFiles } from './installed-files-report.js';
import { withLogScale } from './log-scale-report.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';

const { values, positionals } = parseArgs({ options: { remeasured: { type: 'string' } }, allowPositionals: true });
const [input, out = packagePath('docs', 'benchmarks.md')] = positionals;
if (!input) {
  process.stderr.write('usage: node dist/bench/render-report.js RESULTS.json [OUT] [--remeasured LATER.json]\n');
  process.exit(2);
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
const base = read(input);
const results = values.remeasured ? foldRemeasured(base, read(values.remeasured)) : base;
if (values.remeasured) await writeFile(`${out.replace(/\.md$/, '')}.results.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(out, withInstalledFiles(withLogScale(renderReport({ ...results, startedAt: results.startedAt ?? results.machine.date }), out), out));
process.stderr.write(`wrote ${out} from ${input}\n`);
