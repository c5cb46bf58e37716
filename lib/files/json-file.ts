// Reading the JSON files people commit (vouch.policy.json, vouch.lock): bounded size, every syntax
// problem with its line and column, duplicate keys refused, and JSON paths located back in the text.
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { VouchError, type ErrorCode } from '../errors/index.js';

/** One problem in a file: where it is (JSON path, 1-based line and column) and what was expected. */
export interface FileProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** A VouchError that carries every problem found in one file, not just the first. */
export type FileProblemsError<C extends ErrorCode = ErrorCode> = VouchError<C> & { problems: readonly FileProblem[] };

export type PathSegment = string | number;

/** A parsed JSON document plus what is needed to point back into its text. */
export interface JsonDocument {
  value: unknown;
  text: string;
  tree: Node | undefined;
}

/** `$.rules[0].identity`-style path without the `$`: `rules[0].identity`, `exceptions["left-pad"][0]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Nesting a file people write or vouch writes never comes near; jsonc-parser recurses per level. */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses strict JSON (no comments, no trailing commas, no duplicate keys) of at most `maxBytes`.
 * Returns the document or every problem found; never throws.
 */
export function parseJsonText(text: string, maxBytes: number): JsonDocument | { problems: FileProblem[] } {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    return { problems: [{ path: '(root)', message: `file is ${size} bytes; the limit is ${maxBytes} bytes` }] };
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Measured before parsing: jsonc-parser's recursive descent overflows the stack on a file of "[[[[…"
  // well within the size bound, which would crash vouch instead of naming the file.
  const tooDeep = firstTooDeep(body, MAX_JSON_DEPTH);
  if (tooDeep >= 0) {
    return { problems: [{ path: '(syntax)', message: `nested deeper than ${MAX_JSON_DEPTH} levels`, ...lineColumn(body, tooDeep) }] };
  }
  const errors: ParseError[] = [];
  const tree = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  // One problem per place: the parser's recovery often reports a second error at the same offset.
  const offsets = new Set<number>();
  const problems: FileProblem[] = errors
    .filter((e) => !offsets.has(e.offset) && offsets.add(e.offset))
    .map((e) => ({ path: '(syntax)', message: words(printParseErrorCode(e.error)), ...lineColumn(body, e.offset) }));
  if (tree) problems.push(...duplicateKeys(tree, body));
  if (problems.length > 0) return { problems };
  try {
    return { value: JSON.parse(body) as unknown, text: body, tree };
  } catch (err) {
    // jsonc-parser accepted what JSON.parse refuses (it should not happen): still a syntax error.
    return { problems: [{ path: '(syntax)', message: (err as Error).message }] };
  }
}

/** Adds line and column (of the value at `segments`, or of the nearest enclosing value) to a problem. */
export function locate(doc: JsonDocument, segments: readonly PathSegment[], message: string): FileProblem {
  const problem: FileProblem = { path: formatPath(segments), message };
  if (!doc.tree) return problem;
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(doc.tree, segments.slice(0, n) as PathSegment[]);
    if (node) return { ...problem, ...lineColumn(doc.text, node.parent?.type === 'property' ? node.parent.offset : node.offset) };
  }
  return problem;
}

/** One VouchError for all problems of a file: the message lists each with its place. */
export function problemsError<C extends ErrorCode>(code: C, file: string, problems: readonly FileProblem[], hint?: string): FileProblemsError<C> {
  const sorted = [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  const lines = sorted.map((p) => `  ${place(p)}: ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const err = new VouchError<C>(code, `${file}: ${count}\n${lines.join('\n')}`, { file, path: sorted[0]?.path ?? '(root)' }, hint);
  return Object.assign(err, { problems: sorted });
}

/** True for errors that list every problem in a file. */
export function hasProblems(err: unknown): err is FileProblemsError {
  return err instanceof VouchError && Array.isArray((err as { problems?: unknown }).problems);
}

/** Offset of the first `[` or `{` (outside strings) that opens level `maxDepth + 1`, or -1. Iterative. */
function firstTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

function place(p: FileProblem): string {
  return p.line === undefined ? p.path : `${p.path} (line ${p.line}, column ${p.column})`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// A reviewer reads the first of two equal keys, JSON.parse keeps the last: refuse the ambiguity.
function duplicateKeys(root: Node, text: string): FileProblem[] {
  const problems: FileProblem[] = [];
  const walk = (node: Node, path: PathSegment[]): void => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        const key = keyNode?.value as string;
        if (seen.has(key)) {
          problems.push({ path: formatPath([...path, key]), message: `duplicate key ${JSON.stringify(key)}`, ...lineColumn(text, prop.offset) });
        }
        seen.add(key);
        if (valueNode) walk(valueNode, [...path, key]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => walk(child, [...path, i]));
    }
  };
  walk(root, []);
  return problems;
}

// 'PropertyNameExpected' → 'property name expected'
function words(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
