// Nesting and extraneous entries: an entry moved under another package or hoisted to the top, an
// entry nobody depends on (another package's signed bytes, or the attacker's), and a dependency's
// shrinkwrap: its children dropped from the root lockfile, its hasShrinkwrap flag cleared or invented.
import { folderNameOf, parentLocation, registryEntries } from '../lockfile.js';
import { attackerFor, attackerUrl, entry, entryTargets, pairedCandidates, param, pathOfUrl, plain, registryTargets, signedAt, targetOf } from './select.js';
import type { MutationKind } from './types.js';

const isTop = (location: string): boolean => parentLocation(location) === '' && location.startsWith('node_modules/');

export const NESTING_KINDS: MutationKind[] = [
  {
    id: 'move-nested',
    field: 'nesting',
    describe: "a top-level entry moved under another package's node_modules",
    candidates: (tree, rng) =>
      registryTargets(tree, rng, (l) => isTop(l)).flatMap((target) => {
        const parents = registryEntries(tree.lock)
          .map(([l]) => l)
          .filter((l) => isTop(l) && l !== target && !tree.lock.packages[`${l}/node_modules/${folderNameOf(target)}`]);
        return parents.length ? [{ target, params: { parent: rng.pick(parents) } }] : [];
      }),
    apply: async (ctx, c) => {
      const target = targetOf(c);
      ctx.lock.packages[`${param(c, 'parent')}/node_modules/${folderNameOf(target)}`] = entry(ctx.lock, target);
      delete ctx.lock.packages[target];
      return { lock: ctx.lock };
    },
  },
  {
    id: 'move-up',
    field: 'nesting',
    describe: 'a nested entry hoisted to the top level (replacing what was there)',
    candidates: (tree, rng) => plain(registryTargets(tree, rng, (l) => parentLocation(l) !== '')),
    apply: async (ctx, c) => {
      const target = targetOf(c);
      ctx.lock.packages[`node_modules/${folderNameOf(target)}`] = entry(ctx.lock, target);
      delete ctx.lock.packages[target];
      return { lock: ctx.lock };
    },
  },
  {
    id: 'extraneous-signed',
    field: 'nesting',
    describe: "an extraneous entry (nothing depends on it) holding another package's signed tarball",
    candidates: (tree, rng) =>
      pairedCandidates(
        tree,
        rng,
        registryTargets(tree, rng, () => true, 2),
      ),
    apply: async (ctx, c) => {
      const signed = signedAt(ctx, param(c, 'other'));
      ctx.lock.packages[`node_modules/extra-${folderNameOf(targetOf(c)).replace('/', '-')}`] = { ...entry(ctx.lock, param(c, 'other')), name: signed.name };
      return { lock: ctx.lock };
    },
  },
  {
    id: 'extraneous-attacker',
    field: 'nesting',
    describe: "an extraneous entry resolved to the attacker's tarball",
    candidates: (tree, rng) => plain(registryTargets(tree, rng, () => true, 2)),
    apply: async (ctx, c) => {
      const evil = await attackerFor(ctx, targetOf(c));
      const url = attackerUrl(ctx, evil);
      ctx.lock.packages[`node_modules/extra-${folderNameOf(targetOf(c)).replace('/', '-')}`] = {
        name: evil.name,
        version: evil.version,
        resolved: url,
        integrity: evil.integrity,
      };
      return { lock: ctx.lock, serve: [{ kind: 'bytes', path: pathOfUrl(url), file: evil.file }], cacheTarballs: [evil.file] };
    },
  },
  {
    id: 'shrinkwrap-children-dropped',
    field: 'shrinkwrap',
    describe: "the entries a dependency's npm-shrinkwrap.json pins dropped from the root lockfile",
    candidates: (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => e.hasShrinkwrap === true)),
    apply: async (ctx, c) => {
      for (const location of Object.keys(ctx.lock.packages)) if (location.startsWith(`${targetOf(c)}/node_modules/`)) delete ctx.lock.packages[location];
      return { lock: ctx.lock };
    },
  },
  {
    id: 'has-shrinkwrap-cleared',
    field: 'shrinkwrap',
    describe: 'hasShrinkwrap removed from a dependency that ships npm-shrinkwrap.json',
    candidates: (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => e.hasShrinkwrap === true)),
    apply: async (ctx, c) => {
      delete entry(ctx.lock, targetOf(c)).hasShrinkwrap;
      return { lock: ctx.lock };
    },
  },
  {
    id: 'has-shrinkwrap-set',
    field: 'shrinkwrap',
    describe: 'hasShrinkwrap claimed for a dependency that ships none',
    candidates: (tree, rng) => plain(registryTargets(tree, rng, (_l, e) => !e.hasShrinkwrap, 2)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).hasShrinkwrap = true;
      return { lock: ctx.lock };
    },
  },
];
