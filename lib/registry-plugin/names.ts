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
