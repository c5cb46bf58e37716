// `integrity`: what npm checks the bytes against — another package's hash, a second sha512 (ssri accepts
// bytes matching any hash of the strongest algorithm), sha1 only, a stronger algorithm over a sha1 entry,
// a weaker one added, removed, malformed; with the attacker's bytes served for the entry when it matters.
import { attackerFor, entry, pairedCandidates, param, pathOfUrl, plain, registryTargets, signedAt, sriWith, tarballUrlOf, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationEffect, MutationKind } from './types.js';

type IntegrityEdit = (ctx: ApplyContext, c: Candidate, right: string, evil: string) => Promise<string | undefined>;

/**
 * A kind that rewrites the target's integrity (undefined removes it); `params.served` says whether the
 * registry proxy answers the entry's URL with the attacker's bytes. The attacker's bytes always go into
 * a warm cache, as if an earlier install had fetched them.
 */
function integrityKind(id: string, describe: string, variants: Record<string, string>[], edit: IntegrityEdit): MutationKind {
  return {
    id,
    field: 'integrity',
    describe,
    poisons: true,
    candidates: (tree, rng) => variants.flatMap((v) => plain(registryTargets(tree, rng), v)),
    apply: async (ctx, c): Promise<MutationEffect> => {
      const target = targetOf(c);
      const evil = await attackerFor(ctx, target);
      const e = entry(ctx.lock, target);
      const next = await edit(ctx, c, signedAt(ctx, target).integrity, evil.integrity);
      if (next === undefined) delete e.integrity;
      else e.integrity = next;
      const serve = c.params['served'] === 'attacker' ? [{ kind: 'bytes' as const, path: pathOfUrl(tarballUrlOf(ctx, target)), file: evil.file }] : [];
      return { lock: ctx.lock, serve, cacheTarballs: [evil.file] };
    },
  };
}

const MALFORMED: Record<string, (right: string) => string> = {
  'not-base64': () => 'sha512-!!not*base64!!',
  truncated: (right) => right.slice(0, 40),
  empty: () => '',
  'unknown-algorithm': (right) => right.replace(/^sha512-/, 'sha999-'),
};

export const INTEGRITY_KINDS: MutationKind[] = [
  {
    id: 'integrity-other-package',
    field: 'integrity',
    describe: "integrity of another package's tarball",
    poisons: true,
    candidates: (tree, rng) => pairedCandidates(tree, rng, registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).integrity = signedAt(ctx, param(c, 'other')).integrity;
      return { lock: ctx.lock, cacheTarballs: [signedAt(ctx, param(c, 'other')).file] };
    },
  },
  integrityKind(
    'integrity-second-sha512',
    "a second sha512 (the attacker's bytes) appended, or put first",
    [
      { order: 'after', served: 'attacker' },
      { order: 'before', served: 'attacker' },
      { order: 'after', served: 'right' },
    ],
    async (_ctx, c, right, evil) => (c.params['order'] === 'before' ? `${evil} ${right}` : `${right} ${evil}`),
  ),
  integrityKind(
    'integrity-sha1-only',
    "sha1 only: of the right bytes, or of the attacker's bytes it serves",
    [
      { of: 'right', served: 'right' },
      { of: 'attacker', served: 'attacker' },
    ],
    async (ctx, c) => sriWith(c.params['of'] === 'attacker' ? await attackerFor(ctx, targetOf(c)) : signedAt(ctx, targetOf(c)), 'sha1'),
  ),
  integrityKind(
    'integrity-stronger-added',
    "a sha1-only entry with a stronger sha512 of the attacker's bytes added (npm checks the strongest)",
    [{ served: 'attacker' }],
    async (ctx, c, _right, evil) => `${await sriWith(signedAt(ctx, targetOf(c)), 'sha1')} ${evil}`,
  ),
  integrityKind(
    'integrity-weaker-added',
    "a weaker sha256 of the attacker's bytes added beside the right sha512",
    [{ served: 'attacker' }],
    async (ctx, c, right) => `${right} ${await sriWith(await attackerFor(ctx, targetOf(c)), 'sha256')}`,
  ),
  integrityKind(
    'integrity-removed',
    "integrity removed (the registry serves the right bytes, or the attacker's)",
    [{ served: 'right' }, { served: 'attacker' }],
    async () => undefined,
  ),
  integrityKind(
    'integrity-malformed',
    'integrity malformed (not base64, truncated, empty, unknown algorithm)',
    Object.keys(MALFORMED)
      .flatMap((form) => [{ form, served: 'attacker' }])
      .concat([{ form: 'not-base64', served: 'right' }]),
    async (_ctx, c, right) => MALFORMED[param(c, 'form')]?.(right),
  ),
];
