// Where vouch's own files are (trust/, package.json), whether running from lib/ (tests)
// or from dist/lib/ (the built CLI): the nearest folder above this module with vouch's package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isVouchManifest(manifest)) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vouch: cannot find its own package.json');
    dir = parent;
  }
}

/** A path inside vouch's package, e.g. packagePath('trust', 'public-good.trusted_root.json'). */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

function isVouchManifest(file: string): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'vouch';
  } catch {
    return false;
  }
}
