// `dev` / `devOptional` / `peer`: what --omit=dev and --omit=optional leave out depends on these flags;
// each runs with no omit, --omit=dev and --omit=optional.
import { entry, entryTargets, plain, registryTargets, targetOf } from './select.js';
import type { MutationKind, OmitFlag } from './types.js';
import type { LockEntry } from '../lockfile.js';

const ALL_OMITS: readonly OmitFlag[] = ['none', 'dev', 'optional'];

function devKind(id: string, describe: string, filter: (e: LockEntry) => boolean, edit: (e: LockEntry) => void, anyEntry = false): MutationKind {
  return {
    id,
    field: 'dev',
    describe,
    omits: ALL_OMITS,
    candidates: (tree, rng) => plain(anyEntry ? entryTargets(tree, rng, (_l, e) => filter(e)) : registryTargets(tree, rng, (_l, e) => filter(e))),
    apply: async (ctx, c) => {
      edit(entry(ctx.lock, targetOf(c)));
      return { lock: ctx.lock };
    },
  };
}

export const DEV_KINDS: MutationKind[] = [
  devKind(
    'dev-set',
    'a production entry marked dev',
    (e) => !e.dev,
    (e) => void (e.dev = true),
  ),
  devKind(
    'dev-clear',
    'a dev entry no longer dev',
    (e) => e.dev === true || e.devOptional === true,
    (e) => {
      delete e.dev;
      delete e.devOptional;
    },
    true,
  ),
  devKind(
    'dev-optional-set',
    'a production entry marked devOptional',
    (e) => !e.dev && !e.devOptional,
    (e) => void (e.devOptional = true),
  ),
  devKind(
    'peer-set',
    'a production entry marked peer',
    (e) => !e.peer,
    (e) => void (e.peer = true),
  ),
];
