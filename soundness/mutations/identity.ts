// `name` / `version` / aliases: the version field edited alone, the whole entry moved to another signed
// version, a `name` that claims another package, a folder that holds another package (alias substitution),
// an alias retargeted or its `name` dropped.
import semver from 'semver';
import { packageNameOf, type LockEntry } from '../lockfile.js';
import { entry, entryTargets, pairedCandidates, param, registryTargets, signedAt, tarballUrlOf, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationKind, TreeFacts } from './types.js';
import type { Rng } from './rng.js';

/** Each target with another signed version of its package (or a patch bump when there is none). */
function otherVersionCandidates(tree: TreeFacts, rng: Rng, needSigned: boolean): Candidate[] {
  const targets = registryTargets(tree, rng, (l, e) => !needSigned || tree.catalog.versions(packageNameOf(l, e)).length > 1);
  return targets.map((target) => {
    const e = entry(tree.lock, target);
    const others = tree.catalog.versions(packageNameOf(target, e)).filter((v) => v !== e.version);
    return { target, params: { to: others.length ? rng.pick(others) : (semver.inc(e.version ?? '0.0.0', 'patch') ?? '9.9.9') } };
  });
}

/** The target takes over another entry's package: name, version, resolved, integrity. */
function substitute(ctx: ApplyContext, target: string, other: string): void {
  const e = entry(ctx.lock, target);
  const signed = signedAt(ctx, other);
  const from: LockEntry = entry(ctx.lock, other);
  e.name = signed.name;
  e.version = signed.version;
  e.resolved = tarballUrlOf(ctx, other);
  if (from.integrity !== undefined) e.integrity = from.integrity;
}

export const IDENTITY_KINDS: MutationKind[] = [
  {
    id: 'version-field-edit',
    field: 'name/version/alias',
    describe: 'the version field changed alone (resolved and integrity kept)',
    candidates: (tree, rng) => otherVersionCandidates(tree, rng, false),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).version = param(c, 'to');
      return { lock: ctx.lock };
    },
  },
  {
    id: 'version-swap',
    field: 'name/version/alias',
    describe: 'version, resolved and integrity moved together to another signed version',
    candidates: (tree, rng) => otherVersionCandidates(tree, rng, true),
    apply: async (ctx, c) => {
      const target = targetOf(c);
      const e = entry(ctx.lock, target);
      const name = packageNameOf(target, e);
      const signed = ctx.catalog.signed(name, param(c, 'to'));
      if (!signed) throw new Error(`no signed ${name}@${param(c, 'to')}`);
      e.version = signed.version;
      e.integrity = signed.integrity;
      if (e.resolved !== undefined) e.resolved = new URL(`${name}/-/${name.replace(/^@[^/]+\//, '')}-${signed.version}.tgz`, ctx.registryUrl).href;
      return { lock: ctx.lock };
    },
  },
  {
    id: 'name-set',
    field: 'name/version/alias',
    describe: 'a `name` claiming another package (version, resolved, integrity kept)',
    candidates: (tree, rng) => pairedCandidates(tree, rng, registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).name = packageNameOf(param(c, 'other'), entry(ctx.lock, param(c, 'other')));
      return { lock: ctx.lock };
    },
  },
  {
    id: 'alias-substitute',
    field: 'name/version/alias',
    describe: 'a folder holds another signed package (name, version, resolved, integrity of it)',
    candidates: (tree, rng) => pairedCandidates(tree, rng, registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      substitute(ctx, targetOf(c), param(c, 'other'));
      return { lock: ctx.lock };
    },
  },
  {
    id: 'alias-retarget',
    field: 'name/version/alias',
    describe: 'an npm alias entry retargeted to another signed package',
    candidates: (tree, rng) =>
      pairedCandidates(
        tree,
        rng,
        entryTargets(tree, rng, (_l, e) => typeof e.name === 'string' && !e.link && typeof e.version === 'string'),
      ),
    apply: async (ctx, c) => {
      substitute(ctx, targetOf(c), param(c, 'other'));
      return { lock: ctx.lock };
    },
  },
  {
    id: 'alias-name-dropped',
    field: 'name/version/alias',
    describe: 'an npm alias entry without its `name` (the folder name is taken as the package)',
    candidates: (tree, rng) =>
      entryTargets(tree, rng, (l, e) => typeof e.name === 'string' && !e.link && l.includes('node_modules/')).map((target) => ({ target, params: {} })),
    apply: async (ctx, c) => {
      delete entry(ctx.lock, targetOf(c)).name;
      return { lock: ctx.lock };
    },
  },
];
