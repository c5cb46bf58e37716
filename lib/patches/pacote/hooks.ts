// arborist calls pacote's functions directly (no injection point): vouch's checks at the edges of
// arborist's work wrap the very functions of the pacote copy arborist loaded, for the duration of one
// task, and always put them back.
import { arboristRequire } from './arborist-require.js';

export type Extract = (spec: string, dest: string, opts: Record<string, unknown>) => Promise<unknown>;
export type Manifest = (spec: unknown, opts: Record<string, unknown>) => Promise<unknown>;

interface ArboristPacote {
  extract: Extract;
  manifest: Manifest;
}

/** Runs `task` with arborist's pacote.<name> replaced by `wrap(original)`; restores it afterwards, also on failure. */
export async function withPacoteWrapped<K extends keyof ArboristPacote, T>(name: K, wrap: (original: ArboristPacote[K]) => ArboristPacote[K], task: () => Promise<T>): Promise<T> {
  const pacote = arboristPacote();
  const original = pacote[name];
  pacote[name] = wrap(original);
  try {
    return await task();
  } finally {
    pacote[name] = original;
  }
}

/** The pacote module arborist itself loaded (resolved from arborist, in case a second copy existed). */
function arboristPacote(): ArboristPacote {
  return arboristRequire('pacote') as ArboristPacote;
}
