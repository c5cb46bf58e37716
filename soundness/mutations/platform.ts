// `optional` / `os` / `cpu`: a required entry made optional, an optional one required, a platform
// package's os/cpu removed or made to match this machine (npm then installs it), a regular entry
// given another platform. Each runs with no omit, --omit=dev and --omit=optional.
import { entry, entryTargets, plain, registryTargets, targetOf } from './select.js';
import type { Candidate, MutationKind, OmitFlag } from './types.js';
import type { LockEntry } from '../lockfile.js';

const ALL_OMITS: readonly OmitFlag[] = ['none', 'dev', 'optional'];
const OTHER_OS = process.platform === 'darwin' ? 'win32' : 'darwin';
const OTHER_CPU = process.arch === 'arm64' ? 'x64' : 'arm64';

function flagKind(id: string, describe: string, targets: MutationKind['candidates'], edit: (e: LockEntry, c: Candidate) => void): MutationKind {
  return {
    id,
    field: 'optional/os/cpu',
    describe,
    omits: ALL_OMITS,
    candidates: targets,
    apply: async (ctx, c) => {
      edit(entry(ctx.lock, targetOf(c)), c);
      return { lock: ctx.lock };
    },
  };
}

export const PLATFORM_KINDS: MutationKind[] = [
  flagKind(
    'optional-set',
    'a required entry marked optional',
    (tree, rng) => plain(registryTargets(tree, rng, (_l, e) => !e.optional)),
    (e) => void (e.optional = true),
  ),
  flagKind(
    'optional-clear',
    'an optional entry no longer optional',
    (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => e.optional === true || e.devOptional === true)),
    (e) => {
      delete e.optional;
      delete e.devOptional;
    },
  ),
  flagKind(
    'os-cpu-cleared',
    'os and cpu removed from a platform package (npm installs it here)',
    (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => Array.isArray(e.os) || Array.isArray(e.cpu))),
    (e) => {
      delete e.os;
      delete e.cpu;
    },
  ),
  flagKind(
    'cpu-set-matching',
    `cpu set to this machine's (${process.arch}) on a platform package`,
    (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => Array.isArray(e.cpu))),
    (e) => void (e.cpu = [process.arch]),
  ),
  flagKind(
    'os-set-other',
    `os set to ${OTHER_OS} on a regular entry, optional or not`,
    (tree, rng) =>
      ['yes', 'no'].flatMap((optional) =>
        plain(
          registryTargets(tree, rng, (_l, e) => !e.os, 2),
          { optional },
        ),
      ),
    (e, c) => {
      e.os = [OTHER_OS];
      if (c.params['optional'] === 'yes') e.optional = true;
    },
  ),
  flagKind(
    'cpu-set-other',
    `cpu set to ${OTHER_CPU} on a regular entry, optional`,
    (tree, rng) => plain(registryTargets(tree, rng, (_l, e) => !e.cpu, 2)),
    (e) => {
      e.cpu = [OTHER_CPU];
      e.optional = true;
    },
  ),
];
