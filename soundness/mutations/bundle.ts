// `inBundle` / `bundleDependencies`: a registry entry claimed to ride in its parent's tarball, a bundled
// entry turned into a registry one (the registry's copy, or the attacker's), a package said to bundle
// a dependency it does not ship, or a bundling package said to bundle nothing.
import { packageNameOf } from '../lockfile.js';
import { attackerFor, attackerUrl, entry, entryTargets, pathOfUrl, plain, registryTargets, signedAt, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationEffect, MutationKind } from './types.js';

export const BUNDLE_KINDS: MutationKind[] = [
  {
    id: 'in-bundle-set',
    field: 'bundle',
    describe: "a registry entry marked inBundle (said to ride in its parent's tarball)",
    candidates: (tree, rng) => plain(registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).inBundle = true;
      return { lock: ctx.lock };
    },
  },
  {
    id: 'in-bundle-clear',
    field: 'bundle',
    describe: "a bundled entry no longer inBundle: as is, resolved to the registry's copy, or to the attacker's",
    candidates: (tree, rng) =>
      ['as-is', 'registry', 'attacker'].flatMap((as) =>
        plain(
          entryTargets(tree, rng, (_l, e) => e.inBundle === true),
          { as },
        ),
      ),
    apply: inBundleClear,
  },
  {
    id: 'bundle-deps-add',
    field: 'bundle',
    describe: 'bundleDependencies added to an entry that bundles nothing',
    candidates: (tree, rng) => plain(registryTargets(tree, rng, (_l, e) => Object.keys(e.dependencies ?? {}).length > 0 && !e.bundleDependencies)),
    apply: async (ctx, c) => {
      const e = entry(ctx.lock, targetOf(c));
      e.bundleDependencies = Object.keys(e.dependencies ?? {}).slice(0, 1);
      return { lock: ctx.lock };
    },
  },
  {
    id: 'bundle-deps-remove',
    field: 'bundle',
    describe: 'bundleDependencies removed from a bundling entry',
    candidates: (tree, rng) => plain(entryTargets(tree, rng, (_l, e) => Array.isArray(e.bundleDependencies))),
    apply: async (ctx, c) => {
      delete entry(ctx.lock, targetOf(c)).bundleDependencies;
      return { lock: ctx.lock };
    },
  },
];

async function inBundleClear(ctx: ApplyContext, c: Candidate): Promise<MutationEffect> {
  const target = targetOf(c);
  const e = entry(ctx.lock, target);
  delete e.inBundle;
  if (c.params['as'] === 'registry') {
    const signed = signedAt(ctx, target);
    e.resolved = new URL(`${packageNameOf(target, e)}/-/${packageNameOf(target, e).replace(/^@[^/]+\//, '')}-${signed.version}.tgz`, ctx.registryUrl).href;
    e.integrity = signed.integrity;
  }
  if (c.params['as'] !== 'attacker') return { lock: ctx.lock };
  const evil = await attackerFor(ctx, target);
  const url = attackerUrl(ctx, evil);
  e.resolved = url;
  e.integrity = evil.integrity;
  return { lock: ctx.lock, serve: [{ kind: 'bytes', path: pathOfUrl(url), file: evil.file }], cacheTarballs: [evil.file] };
}
