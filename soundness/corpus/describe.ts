// The corpus as the report describes it: its trees (with lockfile entry counts) and tarball weights.
import { stat } from 'node:fs/promises';
import type { SoundnessResults } from '../results.js';
import { MADE_TARBALLS, REAL_TARBALLS } from './layout.js';
import type { Corpus } from './load.js';

export async function summarizeCorpus(corpus: Corpus): Promise<SoundnessResults['corpus']> {
  const bytesUnder = async (dir: string): Promise<number> => {
    let total = 0;
    for (const t of corpus.tarballs) if (t.file.startsWith(dir)) total += (await stat(t.file)).size;
    return total;
  };
  return {
    trees: corpus.trees.map((t) => ({ name: t.name, description: t.definition.description, entries: Object.keys(t.lock.packages).length - 1 })),
    tarballs: corpus.tarballs.length,
    realTarballBytes: await bytesUnder(REAL_TARBALLS),
    madeTarballBytes: await bytesUnder(MADE_TARBALLS),
  };
}
