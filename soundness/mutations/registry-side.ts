// Edits on the registry's side, the lockfile untouched: a tarball answered with other bytes, a packument
// whose dist or dependencies changed (signatures no longer match, or a git/remote/file dependency the
// install must judge before contacting it), tarballs served with Cache-Control: no-store; and the control.
import { packageNameOf } from '../lockfile.js';
import { attackerFor, entry, pairedCandidates, param, pathOfUrl, plain, registryTargets, signedAt, tarballUrlOf, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationKind, Packument, ServeRule } from './types.js';

/** What a packument edit changes in the target's version: dist fields (undefined removes one), dependencies added. */
interface VersionEdit {
  dist?: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

/** A kind that edits the target version's entry in its packument (and may serve the attacker's bytes). */
function packumentKind(
  id: string,
  describe: string,
  variants: Record<string, string>[],
  edit: (ctx: ApplyContext, c: Candidate) => Promise<VersionEdit>,
  opts: { paired?: boolean; failClosed?: boolean } = {},
): MutationKind {
  const paired = opts.paired ?? false;
  return {
    id,
    field: 'packument',
    describe,
    failClosed: opts.failClosed ?? false,
    candidates: (tree, rng) =>
      variants.flatMap((v) => {
        const targets = registryTargets(tree, rng, () => true, 2);
        return paired ? pairedCandidates(tree, rng, targets, v) : plain(targets, v);
      }),
    apply: async (ctx, c) => {
      const target = targetOf(c);
      const e = entry(ctx.lock, target);
      const change = await edit(ctx, c);
      const serve: ServeRule[] = [{ kind: 'packument', name: packageNameOf(target, e), edit: (doc) => editVersion(doc, e.version ?? '', change) }];
      if (c.params['served'] === 'attacker') {
        const evil = await attackerFor(ctx, target);
        serve.push({ kind: 'bytes', path: pathOfUrl(tarballUrlOf(ctx, target)), file: evil.file });
      }
      return { lock: ctx.lock, serve, watchForeign: change.dependencies !== undefined };
    },
  };
}

function editVersion(doc: Packument, version: string, change: VersionEdit): void {
  const v = doc.versions?.[version];
  if (!v) return;
  const dist = { ...v.dist };
  for (const [field, value] of Object.entries(change.dist ?? {})) {
    if (value === undefined) delete dist[field];
    else dist[field] = value;
  }
  v.dist = dist;
  if (change.dependencies) v.dependencies = { ...v.dependencies, ...change.dependencies };
}

const INJECTED: Record<string, (ctx: ApplyContext) => string> = {
  git: (ctx) => `git+${ctx.foreignUrl}evil/repo.git`,
  remote: (ctx) => `${ctx.foreignUrl}evil/remote.tgz`,
  file: () => 'file:../evil-directory',
};

export const REGISTRY_SIDE_KINDS: MutationKind[] = [
  {
    id: 'control',
    field: 'control',
    describe: 'no mutation (the tree as resolved)',
    omits: ['none', 'dev', 'optional'],
    candidates: () => [{ target: null, params: {} }],
    apply: async (ctx) => ({ lock: ctx.lock }),
  },
  {
    id: 'tarball-attacker-bytes',
    field: 'tarball',
    describe: "the registry answers the entry's tarball with the attacker's bytes",
    poisons: true,
    candidates: (tree, rng) => plain(registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      const evil = await attackerFor(ctx, targetOf(c));
      return { lock: ctx.lock, serve: [{ kind: 'bytes', path: pathOfUrl(tarballUrlOf(ctx, targetOf(c))), file: evil.file }], cacheTarballs: [evil.file] };
    },
  },
  {
    id: 'tarball-other-package',
    field: 'tarball',
    describe: "the registry answers the entry's tarball with another package's bytes",
    candidates: (tree, rng) => pairedCandidates(tree, rng, registryTargets(tree, rng)),
    apply: async (ctx, c) => ({
      lock: ctx.lock,
      serve: [{ kind: 'bytes', path: pathOfUrl(tarballUrlOf(ctx, targetOf(c))), file: signedAt(ctx, param(c, 'other')).file }],
    }),
  },
  packumentKind(
    'packument-integrity',
    "the packument's dist.integrity is the attacker's (the registry serves them, or not)",
    [{ served: 'attacker' }, { served: 'right' }],
    async (ctx, c) => ({ dist: { integrity: (await attackerFor(ctx, targetOf(c))).integrity } }),
    { failClosed: true },
  ),
  packumentKind(
    'packument-tarball-url',
    "the packument's dist.tarball points at another package's tarball",
    [{}],
    async (ctx, c) => ({ dist: { tarball: tarballUrlOf(ctx, param(c, 'other')) } }),
    { paired: true },
  ),
  packumentKind('packument-signatures-removed', "the packument's dist.signatures removed", [{}], async () => ({ dist: { signatures: undefined } }), {
    failClosed: true,
  }),
  packumentKind(
    'packument-dependency-injected',
    "a git, remote or file: dependency injected into the packument's version",
    Object.keys(INJECTED).map((source) => ({ source })),
    async (ctx, c) => ({ dependencies: { [`evil-${param(c, 'source')}`]: INJECTED[param(c, 'source')]?.(ctx) ?? '' } }),
  ),
  {
    id: 'tarballs-no-store',
    field: 'headers',
    describe: 'the registry answers every tarball with Cache-Control: no-store',
    candidates: () => [{ target: null, params: {} }],
    apply: async (ctx) => ({ lock: ctx.lock, serve: [{ kind: 'headers', pattern: /\.tgz$/, headers: { 'cache-control': 'no-store' } }] }),
  },
];
