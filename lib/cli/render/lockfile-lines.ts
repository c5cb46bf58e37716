// Where each package sits in package-lock.json, so SARIF results point at the right line.
// Scans the JSON tokens rather than matching lines: the key "node_modules/a" can also appear inside a
// value (a resolved URL, a workspace link), and npm preserves whatever indentation the file had.

/**
 * Maps each key of the lockfile's top-level `"packages"` object (`node_modules/a`,
 * `packages/w/node_modules/b`) to its 1-based line. Returns an empty map for text that is not a
 * lockfile v2/v3; it never throws, since a missing line only degrades the report.
 */
export function lockfileLineIndex(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  // One frame per open container; `key` is the last key read in an object frame.
  const stack: { object: boolean; key: string | null }[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line += 1;
    else if (ch === '{' || ch === '[') stack.push({ object: ch === '{', key: null });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === '"') {
      const start = i;
      const startLine = line;
      for (i += 1; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i += 1;
      const top = stack[stack.length - 1];
      if (!top?.object || !isKey(text, i + 1)) continue;
      const key = decodeString(text.slice(start, i + 1));
      top.key = key;
      if (key !== null && stack.length === 2 && stack[0]?.key === 'packages' && !lines.has(key)) {
        lines.set(key, startLine);
      }
    }
  }
  return lines;
}

/** The line of a lockfile location, or 1 (the file itself) when the lockfile does not show it. */
export function lineOfLocation(index: ReadonlyMap<string, number>, location: string): number {
  return index.get(location) ?? 1;
}

// A string is a key when the next non-blank character is a colon.
function isKey(text: string, from: number): boolean {
  for (let j = from; j < text.length; j++) {
    const ch = text[j];
    if (ch === ':') return true;
    if (ch !== ' ' && ch !== '\t' && ch !== '\r' && ch !== '\n') return false;
  }
  return false;
}

function decodeString(token: string): string | null {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** A package as the lockfile names it: its registry name, and its version (registry packages) or none (sources). */
export interface LockedName {
  name: string;
  version?: string;
}

/**
 * Finds each package's line in the lockfile at `uri`: by npm's `packages` keys in package-lock.json and
 * npm-shrinkwrap.json; in pnpm-lock.yaml, yarn.lock and bun.lock by the first line naming `name@version`
 * (pnpm's and Bun's keys, Yarn Berry's `name@npm:version` locator), else `name@` (Yarn classic's
 * descriptors), else the file itself (line 1).
 */
export function lockfileLines(text: string | undefined, uri: string): (location: string, pkg: LockedName) => number {
  if (/(^|\/)(package-lock|npm-shrinkwrap)\.json$/.test(uri)) {
    const index = lockfileLineIndex(text ?? '');
    return (location) => lineOfLocation(index, location);
  }
  const lines = (text ?? '').split('\n');
  return (_location, pkg) => {
    const wanted = pkg.version ? [`${pkg.name}@${pkg.version}`, `${pkg.name}@npm:${pkg.version}`, `${pkg.name}@`] : [`${pkg.name}@`];
    for (const needle of wanted) {
      const index = lines.findIndex((line) => line.includes(needle));
      if (index >= 0) return index + 1;
    }
    return 1;
  };
}

/** How a verdict's package is named in a lockfile. */
export function lockedName(v: { kind: string; ref: { name: string; version?: string } }): LockedName {
  return v.kind === 'package' && v.ref.version ? { name: v.ref.name, version: v.ref.version } : { name: v.ref.name };
}
