// `resolved`: the tarball URL — another package's, another host's, the right one disguised with dot
// segments or encoded slashes, the attacker's, a file: tarball or a git URL in the repository, or none.
import { attackerFor, attackerUrl, entry, pairedCandidates, param, pathOfUrl, plain, registryTargets, tarballUrlOf, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationEffect, MutationKind } from './types.js';

type UrlEdit = (ctx: ApplyContext, c: Candidate, url: URL) => string;

/** A kind that rewrites the target's resolved URL and nothing else. */
function rewrite(id: string, describe: string, edit: UrlEdit, paired = false): MutationKind {
  return {
    id,
    field: 'resolved',
    describe,
    candidates: (tree, rng) => (paired ? pairedCandidates(tree, rng, registryTargets(tree, rng)) : plain(registryTargets(tree, rng))),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).resolved = edit(ctx, c, new URL(tarballUrlOf(ctx, targetOf(c))));
      return { lock: ctx.lock };
    },
  };
}

/** `/a/-/a-1.0.0.tgz` → `../../` enough to climb back to the registry root from its folder. */
const climb = (path: string): string => '../'.repeat(path.split('/').length - 2);

export const RESOLVED_KINDS: MutationKind[] = [
  rewrite('resolved-other-package', "resolved points at another package's tarball", (ctx, c) => tarballUrlOf(ctx, param(c, 'other')), true),
  rewrite('resolved-other-host', 'resolved on another host name (it serves the same bytes)', (ctx, _c, url) => `${ctx.foreignUrl}${url.pathname.slice(1)}`),
  rewrite('resolved-unreachable-host', 'resolved on a host that refuses connections', (_ctx, _c, url) => `http://127.0.0.1:9${url.pathname}`),
  rewrite('resolved-dot-segments-same', 'the right URL written with a dot segment', (_ctx, _c, url) => {
    const dir = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
    return `${url.origin}${dir}/x/../${url.pathname.slice(dir.length + 1)}`;
  }),
  rewrite(
    'resolved-dot-segments-other',
    "dot segments that climb to another package's tarball",
    (ctx, c, url) =>
      `${url.origin}${url.pathname.slice(0, url.pathname.lastIndexOf('/'))}/${climb(url.pathname)}${pathOfUrl(tarballUrlOf(ctx, param(c, 'other'))).slice(1)}`,
    true,
  ),
  rewrite(
    'resolved-encoded-dots-other',
    "%2e%2e segments that climb to another package's tarball",
    (ctx, c, url) =>
      `${url.origin}${url.pathname.slice(0, url.pathname.lastIndexOf('/'))}/${climb(url.pathname).replaceAll('..', '%2e%2e')}${pathOfUrl(tarballUrlOf(ctx, param(c, 'other'))).slice(1)}`,
    true,
  ),
  rewrite(
    'resolved-encoded-slash',
    'the right URL with its slashes %2f-encoded',
    (_ctx, _c, url) => `${url.origin}/${url.pathname.slice(1).replaceAll('/', '%2f')}`,
  ),
  {
    id: 'resolved-removed',
    field: 'resolved',
    describe: 'resolved removed (npm derives the URL from the registry)',
    candidates: (tree, rng) => plain(registryTargets(tree, rng, (_l, e) => e.resolved !== undefined)),
    apply: async (ctx, c) => {
      delete entry(ctx.lock, targetOf(c)).resolved;
      return { lock: ctx.lock };
    },
  },
  {
    id: 'resolved-attacker-url',
    field: 'resolved',
    describe: "resolved points at the attacker's bytes (integrity kept)",
    poisons: true,
    candidates: (tree, rng) => plain(registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      const evil = await attackerFor(ctx, targetOf(c));
      const url = attackerUrl(ctx, evil);
      entry(ctx.lock, targetOf(c)).resolved = url;
      return { lock: ctx.lock, serve: [{ kind: 'bytes', path: pathOfUrl(url), file: evil.file }], cacheTarballs: [evil.file] };
    },
  },
  {
    id: 'resolved-file-tarball',
    field: 'resolved',
    describe: "resolved is a file: tarball the attacker ships in the repository (integrity kept, or the attacker's)",
    candidates: (tree, rng) => [...plain(registryTargets(tree, rng), { integrity: 'kept' }), ...plain(registryTargets(tree, rng), { integrity: 'attacker' })],
    apply: resolvedFileTarball,
  },
  {
    id: 'resolved-git',
    field: 'resolved',
    describe: 'resolved is a git URL on another host (must be judged before contact)',
    candidates: (tree, rng) => plain(registryTargets(tree, rng, () => true, 2)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).resolved = `git+${ctx.foreignUrl}evil/repo.git#0123456789abcdef0123456789abcdef01234567`;
      return { lock: ctx.lock, watchForeign: true };
    },
  },
];

async function resolvedFileTarball(ctx: ApplyContext, c: Candidate): Promise<MutationEffect> {
  const target = targetOf(c);
  const evil = await attackerFor(ctx, target);
  const e = entry(ctx.lock, target);
  const file = `vendor/${evil.name.replace('/', '+')}-${evil.version}.tgz`;
  e.resolved = `file:${file}`;
  if (c.params['integrity'] === 'attacker') e.integrity = evil.integrity;
  return { lock: ctx.lock, copies: { [file]: evil.file } };
}
