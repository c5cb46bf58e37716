// Sources judged before contact. While arborist builds the ideal tree it asks pacote for the manifest of
// every spec it meets: install arguments, the root manifest, and the dependencies packuments declare.
// A git, remote-tarball, file or directory spec goes to the judge first, and one it refuses is never
// fetched: no git ls-remote or clone, no HTTP request.
import npa from 'npm-package-arg';
import { withPacoteWrapped } from '../patches/pacote/hooks.js';
import type { NonRegistryRef, SourceKind } from './types.js';

/** True when the policy allows this source. */
export type SourceJudge = (ref: NonRegistryRef) => boolean;

/** Thrown inside arborist when it asked for a source the judge refused; carries the source. */
export class SourceDenied extends Error {
  constructor(readonly ref: NonRegistryRef) {
    super(`${ref.name} is a ${ref.kind} dependency (${ref.spec}) the policy does not allow; it was not fetched`);
    this.name = 'SourceDenied';
  }
}

/** Runs `task` (arborist building a tree) with every non-registry manifest request judged first. */
export function withSourceGuard<T>(judge: SourceJudge, task: () => Promise<T>): Promise<T> {
  return withPacoteWrapped(
    'manifest',
    (manifest) => async (spec, opts) => {
      const ref = nonRegistrySource(spec);
      if (ref && !judge(ref)) throw new SourceDenied(ref);
      return manifest(spec, opts);
    },
    task,
  );
}

const KINDS: Readonly<Record<string, Exclude<SourceKind, 'registry'>>> = { git: 'git', remote: 'remote', file: 'file', directory: 'directory' };

/** The source a pacote spec (a string or npm-package-arg's result) names, or null for a registry spec. */
export function nonRegistrySource(spec: unknown): NonRegistryRef | null {
  const parsed = parseSpec(spec);
  if (!parsed) return null;
  const target = parsed.type === 'alias' ? (parsed as npa.AliasResult).subSpec : parsed;
  const kind = KINDS[target.type];
  if (!kind) return null;
  return { name: parsed.name ?? parsed.raw, kind, spec: target.rawSpec || target.raw, locations: [] };
}

function parseSpec(spec: unknown): npa.Result | null {
  if (typeof spec === 'object' && spec !== null && typeof (spec as { type?: unknown }).type === 'string') return spec as npa.Result;
  if (typeof spec !== 'string') return null;
  try {
    return npa(spec);
  } catch {
    return null; // pacote rejects it without fetching anything
  }
}
