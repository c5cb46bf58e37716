// zod issues turned into file problems people can act on: an unknown key points at the key and lists
// the keys that are allowed there; a bad value says what was expected and what was found.
import type { z } from 'zod';
import { truncate } from '../errors/index.js';
import { locate, type FileProblem, type JsonDocument, type PathSegment } from './json-file.js';

export function schemaProblems(doc: JsonDocument, issues: readonly z.core.$ZodIssue[], root: z.ZodType): FileProblem[] {
  const problems: FileProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push(locate(doc, [...path, key], `unknown key ${JSON.stringify(key)} (expected one of: ${knownKeys(root, path)})`));
      continue;
    }
    problems.push(locate(doc, path, `${issue.message}${got(doc.value, path)}`));
  }
  return problems;
}

function got(value: unknown, path: readonly PathSegment[]): string {
  let v: unknown = value;
  for (const s of path) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string | number, unknown>)[s];
  }
  if (v === undefined) return '';
  return `, got ${truncate(JSON.stringify(v) ?? String(v), 60)}`;
}

type Def = { type?: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown; options?: unknown[]; innerType?: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

// The keys the schema object at `path` accepts.
function knownKeys(root: unknown, path: readonly PathSegment[]): string {
  let schema: unknown = root;
  for (const s of path) schema = child(schema, s);
  const def = defOf(unwrap(schema));
  const keys = def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
  return keys.length > 0 ? keys.join(', ') : 'nothing else';
}

function child(schema: unknown, segment: PathSegment): unknown {
  const def = defOf(unwrap(schema));
  if (def?.type === 'object') return def.shape?.[segment as string];
  if (def?.type === 'record') return def.valueType;
  if (def?.type === 'array') return def.element;
  if (def?.type === 'union') return def.options?.map((o) => child(o, segment)).find((c) => c !== undefined);
  return undefined;
}

function unwrap(schema: unknown): unknown {
  let s = schema;
  while (defOf(s)?.type === 'optional') s = defOf(s)?.innerType;
  return s;
}
