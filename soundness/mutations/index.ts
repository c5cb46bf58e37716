// Every mutation kind, and the cases they make over the corpus: each candidate (a target and its
// parameters) crossed with a cold and a warm npm cache (and a poisoned one, holding only the attacker's
// bytes, for the kinds that name other bytes), and with every omit flag for the kinds about
// flags (dev, optional, os, cpu) or one seeded omit flag for the others. Seeded and
// deterministic: the same corpus and seed always give the same cases, in the same order.
import { BUNDLE_KINDS } from './bundle.js';
import { DEV_KINDS } from './dev.js';
import { IDENTITY_KINDS } from './identity.js';
import { INTEGRITY_KINDS } from './integrity.js';
import { LINK_KINDS } from './link.js';
import { NESTING_KINDS } from './nesting.js';
import { PLATFORM_KINDS } from './platform.js';
import { REGISTRY_SIDE_KINDS } from './registry-side.js';
import { RESOLVED_KINDS } from './resolved.js';
import { createRng, hashString } from './rng.js';
import type { CacheState, MutationField, MutationKind, OmitFlag, TreeFacts } from './types.js';

export type { ApplyContext, CacheState, MutationEffect, MutationField, MutationKind, OmitFlag, ServeRule, TreeFacts } from './types.js';

export const MUTATION_KINDS: readonly MutationKind[] = [
  ...REGISTRY_SIDE_KINDS,
  ...LINK_KINDS,
  ...RESOLVED_KINDS,
  ...INTEGRITY_KINDS,
  ...BUNDLE_KINDS,
  ...PLATFORM_KINDS,
  ...DEV_KINDS,
  ...IDENTITY_KINDS,
  ...NESTING_KINDS,
];

export interface MutationCase {
  /** Stable: tree/kind/target?params/cache/omit. */
  id: string;
  tree: string;
  kind: string;
  field: MutationField;
  target: string | null;
  params: Record<string, string>;
  cache: CacheState;
  omit: OmitFlag;
  /** Also run `vouch ci` on this case (a deterministic one in CI_SHARE). */
  ci: boolean;
}

/** One case in this many also runs `vouch ci`. */
export const CI_SHARE = 5;
const CACHES: readonly CacheState[] = ['cold', 'warm'];
const POISONING_CACHES: readonly CacheState[] = ['cold', 'warm', 'poisoned'];

export function kindById(id: string): MutationKind {
  const kind = MUTATION_KINDS.find((k) => k.id === id);
  if (!kind) throw new Error(`unknown mutation kind ${id}`);
  return kind;
}

/** Every case over these trees. Each (tree, kind) draws from its own seeded stream, so kinds stay independent. */
export function generateCases(trees: readonly TreeFacts[], seed: number): MutationCase[] {
  const cases = new Map<string, MutationCase>();
  for (const tree of trees) {
    for (const kind of MUTATION_KINDS) {
      const rng = createRng(seed ^ hashString(`${tree.name}/${kind.id}`));
      for (const candidate of kind.candidates(tree, rng)) {
        const omits = kind.omits ?? [defaultOmit(rng.next())];
        for (const cache of kind.poisons ? POISONING_CACHES : CACHES) {
          for (const omit of omits) {
            const id = caseId(tree.name, kind.id, candidate.target, candidate.params, cache, omit);
            cases.set(id, {
              id,
              tree: tree.name,
              kind: kind.id,
              field: kind.field,
              target: candidate.target,
              params: candidate.params,
              cache,
              omit,
              ci: hashString(id) % CI_SHARE === 0,
            });
          }
        }
      }
    }
  }
  return [...cases.values()];
}

/** Round-robin over kinds (each kind's cases shuffled by the seed): any prefix covers every kind evenly. */
export function stratifiedOrder(cases: readonly MutationCase[], seed: number): MutationCase[] {
  const rng = createRng(seed);
  const byKind = new Map<string, MutationCase[]>();
  for (const c of cases) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  const queues = [...byKind.values()].map((list) => rng.shuffle(list));
  const out: MutationCase[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) out.push(q.shift() as MutationCase);
  return out;
}

/** Kinds that do not cross every omit flag run mostly without one, a third of the time with --omit=dev or optional. */
function defaultOmit(draw: number): OmitFlag {
  return draw < 2 / 3 ? 'none' : draw < 5 / 6 ? 'dev' : 'optional';
}

function caseId(tree: string, kind: string, target: string | null, params: Record<string, string>, cache: CacheState, omit: OmitFlag): string {
  const query = Object.entries(params)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `${tree}/${kind}/${target ?? '-'}${query ? `?${query}` : ''}/${cache}/omit-${omit}`;
}
