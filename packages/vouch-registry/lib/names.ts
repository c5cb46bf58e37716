// Package names and versions that reach the file system or a signed statement: checked, then encoded.

// Names as npm allows them (old ones may have capitals); never starting with a dot, never a path.
const PACKAGE_NAME = /^(?:@[A-Za-z0-9~-][\w.~-]*\/)?[A-Za-z0-9~-][\w.~-]*$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,255}$/;

export const isPackageName = (name: string): boolean => name.length <= 214 && PACKAGE_NAME.test(name);
export const isVersion = (version: string): boolean => VERSION.test(version);

/** One safe path segment for a name or version: URL-encoded, and never `.` or `..`. */
export function fileSegment(text: string): string {
  return encodeURIComponent(text).replace(/^\./, '%2E');
}

/** npm's package URL for name@version (npm-package-arg toPurl): `pkg:npm/%40scope/name@1.2.3`. */
export function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;
}

/**
 * The package a request path is about, read the way Verdaccio routes it (its encodeScopePackage runs
 * after plugin routes): `/@scope/name`, `/%40scope%2Fname` and `/@scope%2fname` all name `@scope/name`.
 */
export function packageNameFromPath(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const normalized = path.replace(/\/%40/, '/@').replace(/(\/@[^/%]+)\/(?!$)/, '$1%2F');
  const first = normalized.split('/')[1];
  if (!first) return undefined;
  try {
    return decodeURIComponent(first);
  } catch {
    return undefined;
  }
}
