// The files of a synthetic package, shaped like real npm packages: a README, a handful of JavaScript
// sources that gzip like real code (about 4.4:1), and packed sizes with a long tail (median ~10 KB,
// a few up to ~400 KB). Deterministic: the same id always gives the same bytes.
import { createHash } from 'node:crypto';

const PACKED_MEDIAN = 10 * 1024;
const PACKED_SIGMA = 1.1; // log-normal spread: ~5% of packages above 60 KB packed
const PACKED_MIN = 1536;
const PACKED_MAX = 400 * 1024;
const COMPRESSION = 4.4; // what the corpus below gzips by (measured over 2,000 packages: 4.4)
const CORPUS_BYTES = 2 * 1024 * 1024;

/** Relative path → text, for test/support/packages.ts writePackage (package.json and index.js come from there). */
export function packageFiles(id: string): Record<string, string> {
  const random = seeded(id);
  const packed = Math.min(PACKED_MAX, Math.max(PACKED_MIN, PACKED_MEDIAN * Math.exp(PACKED_SIGMA * gaussian(random))));
  const unpacked = Math.round(packed * COMPRESSION);
  const count = Math.min(40, Math.max(2, Math.round(unpacked / 12_000)));
  const text = corpus();
  const files: Record<string, string> = { 'README.md': `# ${id}\n\nA synthetic package for the vouch benchmark.\n\n${text.slice(0, 600)}\n` };
  for (let i = 0; i < count; i++) {
    const length = Math.round(unpacked / count);
    const start = Math.floor(random() * (text.length - length));
    files[i === 0 ? 'lib/main.js' : `lib/part-${i}.js`] = `// ${id} part ${i}\n${text.slice(start, start + length)}\n`;
  }
  return files;
}

let cached: string | undefined;

/** JavaScript-looking text from a fixed vocabulary, made once per process. */
function corpus(): string {
  if (cached) return cached;
  const random = seeded('vouch-bench-corpus');
  const words = Array.from({ length: 1500 }, (_, i) => identifier(random, i));
  const pick = () => words[Math.floor(random() * words.length)]!;
  const lines: string[] = [];
  let size = 0;
  while (size < CORPUS_BYTES) {
    const [a, b, c, f] = [pick(), pick(), pick(), pick()];
    const n = Math.floor(random() * 1000);
    const line = [
      `export function ${f}(${a}, ${b}) {`,
      `  const ${c} = ${a}.map((item) => item.${b} + ${n});`,
      `  if (${c}.length > ${n % 17}) return ${c}.filter((x) => x !== ${JSON.stringify(pick())});`,
      `  return { ${a}, ${b}: ${b} ?? ${n}, ${pick()}: '${pick()}' };`,
      '}',
      '',
    ].join('\n');
    lines.push(line);
    size += line.length;
  }
  cached = lines.join('\n');
  return cached;
}

function identifier(random: () => number, i: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ter', 'ven', 'dor', 'pul', 'sig', 'ra', 'nex', 'tor', 'bel', 'qui', 'zan', 'fe', 'gu'];
  let word = '';
  const parts = 2 + Math.floor(random() * 3);
  for (let p = 0; p < parts; p++) word += syllables[Math.floor(random() * syllables.length)];
  return `${word}${i % 7 === 0 ? 'Sync' : ''}`;
}

/** Standard normal (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A PRNG seeded from a string (sha256 → xorshift32). */
function seeded(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
