// `link`: an entry turned into a symlink — to another registry entry, to a new registry-resolved target
// outside node_modules (the attacker's bytes, or another package's signed ones), to a directory the
// attacker ships in the repository, to a workspace; or `link: true` added to a registry entry as is.
import { folderNameOf, packageNameOf, workspaceFolders } from '../lockfile.js';
import { attackerFor, attackerUrl, entry, pairedCandidates, param, pathOfUrl, plain, registryTargets, signedAt, targetOf } from './select.js';
import type { ApplyContext, Candidate, MutationEffect, MutationKind } from './types.js';

const vendorFolder = (location: string): string => `vendor/${folderNameOf(location).replace('/', '+')}`;

export const LINK_KINDS: MutationKind[] = [
  {
    id: 'link-to-entry',
    field: 'link',
    describe: "an entry becomes a link to another registry entry's folder",
    candidates: (tree, rng) => pairedCandidates(tree, rng, registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      ctx.lock.packages[targetOf(c)] = { resolved: param(c, 'other'), link: true };
      return { lock: ctx.lock };
    },
  },
  {
    id: 'link-to-new-target',
    field: 'link',
    describe: "an entry becomes a link to a new target outside node_modules, resolved to the attacker's tarball (or another package's signed one)",
    candidates: (tree, rng) => [
      ...plain(registryTargets(tree, rng), { bytes: 'attacker' }),
      ...pairedCandidates(tree, rng, registryTargets(tree, rng), { bytes: 'other-signed' }),
    ],
    apply: linkToNewTarget,
  },
  {
    id: 'link-to-directory',
    field: 'link',
    describe: 'an entry becomes a link to a directory the attacker ships in the repository',
    candidates: (tree, rng) => plain(registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      const target = targetOf(c);
      const e = entry(ctx.lock, target);
      const folder = vendorFolder(target);
      const name = packageNameOf(target, e);
      ctx.lock.packages[target] = { resolved: folder, link: true };
      ctx.lock.packages[folder] = { name, version: e.version ?? '1.0.0' };
      return {
        lock: ctx.lock,
        files: {
          [`${folder}/package.json`]: `${JSON.stringify({ name, version: e.version, main: 'index.js' }, null, 2)}\n`,
          [`${folder}/index.js`]: `module.exports = 'the attacker\\'s directory in place of ${name}';\n`,
        },
      };
    },
  },
  {
    id: 'link-to-workspace',
    field: 'link',
    describe: 'a registry entry becomes a link to a workspace folder',
    candidates: (tree, rng) => {
      const workspaces = workspaceFolders(tree.lock);
      return workspaces.length ? plain(registryTargets(tree, rng), { workspace: rng.pick(workspaces) }) : [];
    },
    apply: async (ctx, c) => {
      ctx.lock.packages[targetOf(c)] = { resolved: param(c, 'workspace'), link: true };
      return { lock: ctx.lock };
    },
  },
  {
    id: 'link-flag-added',
    field: 'link',
    describe: '`link: true` added to a registry entry, its resolved URL kept',
    candidates: (tree, rng) => plain(registryTargets(tree, rng)),
    apply: async (ctx, c) => {
      entry(ctx.lock, targetOf(c)).link = true;
      return { lock: ctx.lock };
    },
  },
];

async function linkToNewTarget(ctx: ApplyContext, c: Candidate): Promise<MutationEffect> {
  const target = targetOf(c);
  const e = entry(ctx.lock, target);
  const folder = vendorFolder(target);
  ctx.lock.packages[target] = { resolved: folder, link: true };
  if (c.params['bytes'] === 'attacker') {
    const evil = await attackerFor(ctx, target);
    const url = attackerUrl(ctx, evil);
    ctx.lock.packages[folder] = { ...e, name: evil.name, resolved: url, integrity: evil.integrity };
    return { lock: ctx.lock, serve: [{ kind: 'bytes', path: pathOfUrl(url), file: evil.file }], cacheTarballs: [evil.file] };
  }
  const other = entry(ctx.lock, param(c, 'other'));
  const signed = signedAt(ctx, param(c, 'other'));
  ctx.lock.packages[folder] = { ...other, name: signed.name };
  return { lock: ctx.lock };
}
