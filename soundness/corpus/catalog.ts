// What the registry signed: every corpus tarball, by name@version (the harness published exactly these,
// and the registry's plugin signs what it serves). The reference for "harmless" (over-blocking).
import semver from 'semver';
import type { StoredTarball } from './tarball-store.js';

export class Catalog {
  readonly #byId = new Map<string, StoredTarball>();

  constructor(tarballs: readonly StoredTarball[]) {
    for (const t of tarballs) this.#byId.set(`${t.name}@${t.version}`, t);
  }

  signed(name: string, version: string): StoredTarball | undefined {
    return this.#byId.get(`${name}@${version}`);
  }

  /** Signed versions of a name, ascending. */
  versions(name: string): string[] {
    return [...this.#byId.values()]
      .filter((t) => t.name === name)
      .map((t) => t.version)
      .sort(semver.compare);
  }

  all(): StoredTarball[] {
    return [...this.#byId.values()];
  }
}
