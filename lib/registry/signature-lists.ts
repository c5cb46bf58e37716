// Cuts each version's `dist.signatures` list of a packument body to a few entries before JSON.parse sees
// it: a registry serving 350,000 signatures on one version (58 MB, under the packument size bound) would
// otherwise cost ~0.5 s and ~170 MB to parse into objects that are dropped at once (packument.ts keeps one
// past the cap, so checkSignatures refuses the version with SIGNATURES_TOO_MANY all the same).
//
// Untrusted input, so the contract is narrow: the result parses (JSON.parse) to exactly what the body
// parses to, with every `versions.<v>.dist.signatures` array cut to its first `keep` elements (what
// packument.ts's boundedDist does after parsing). Anything the scan does not follow (a key written with
// escapes, nesting past MAX_DEPTH, unbalanced brackets) leaves the body as it is: then JSON.parse and
// boundedDist do the same work the slow way, or JSON.parse refuses the body.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MAX_DEPTH = 256;

// Where a container sits on the path root → "versions" → <any version> → "dist" → "signatures".
const ROOT = 0;
const VERSIONS = 1;
const VERSION = 2;
const DIST = 3;
const SIGNATURES = 4;
const ELSEWHERE = -1;

const KEY_VERSIONS = Buffer.from('versions');
const KEY_DIST = Buffer.from('dist');
const KEY_SIGNATURES = Buffer.from('signatures');

interface Frame {
  isObject: boolean;
  level: number;
  /** Objects: the next string is a key. */
  expectKey: boolean;
  /** Objects: the level a container value under the last key gets. */
  childLevel: number;
  /** Signature arrays: commas seen at this depth, and where the cut starts (the `keep`-th comma). */
  commas: number;
  cutFrom: number;
}

/** The body with every version's signature list cut to `keep` entries, or the body itself. */
export function cutSignatureLists(body: Buffer, keep: number): Buffer {
  const cuts: [number, number][] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      const end = stringEnd(body, i);
      if (end < 0) return body;
      const top = stack[stack.length - 1];
      if (top?.isObject && top.expectKey) {
        top.expectKey = false;
        top.childLevel = childLevel(top.level, body, i + 1, end);
      }
      i = end;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (stack.length >= MAX_DEPTH) return body;
      const isObject = byte === OPEN_OBJECT;
      const parent = stack[stack.length - 1];
      const wanted = parent === undefined ? ROOT : parent.isObject ? parent.childLevel : ELSEWHERE;
      const level = wanted !== ELSEWHERE && isObject === (wanted !== SIGNATURES) ? wanted : ELSEWHERE;
      stack.push({ isObject, level, expectKey: isObject, childLevel: ELSEWHERE, commas: 0, cutFrom: -1 });
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      const top = stack.pop();
      if (!top || top.isObject !== (byte === CLOSE_OBJECT)) return body;
      if (top.cutFrom >= 0) cuts.push([top.cutFrom, i]);
    } else if (byte === COMMA) {
      const top = stack[stack.length - 1];
      if (top?.isObject) {
        top.expectKey = true;
        top.childLevel = ELSEWHERE;
      } else if (top?.level === SIGNATURES && ++top.commas === keep) {
        top.cutFrom = i;
      }
    }
  }
  if (stack.length > 0 || cuts.length === 0) return body;
  const parts: Buffer[] = [];
  let from = 0;
  for (const [start, end] of cuts) {
    parts.push(body.subarray(from, start));
    from = end;
  }
  parts.push(body.subarray(from));
  return Buffer.concat(parts);
}

/** Index of the quote closing the string that opens at `start`, or -1. Skips natively, not byte by byte. */
function stringEnd(body: Buffer, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** The level of a container value under the key body[from, to) of an object at `level`. */
function childLevel(level: number, body: Buffer, from: number, to: number): number {
  const key = (name: Buffer) => to - from === name.length && body.compare(name, 0, name.length, from, to) === 0;
  if (level === ROOT) return key(KEY_VERSIONS) ? VERSIONS : ELSEWHERE;
  if (level === VERSIONS) return VERSION;
  if (level === VERSION) return key(KEY_DIST) ? DIST : ELSEWHERE;
  if (level === DIST) return key(KEY_SIGNATURES) ? SIGNATURES : ELSEWHERE;
  return ELSEWHERE;
}
