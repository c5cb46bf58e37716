// `node dist/soundness/render-report.js RESULTS.json [OUT]`: docs/soundness.md again from a saved
// results JSON (e.g. after the report's wording changed); nothing is run.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { packagePath } from '../lib/config/package-root.js';
import { renderReport } from './report.js';
import type { SoundnessResults } from './results.js';

const [input, out = packagePath('docs', 'soundness.md')] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node dist/soundness/render-report.js RESULTS.json [OUT]\n');
  process.exit(2);
}
await writeFile(out, renderReport(JSON.parse(readFileSync(input, 'utf8')) as SoundnessResults));
process.stderr.write(`wrote ${out} from ${input}\n`);
