// Plain data the tree stage hands to the evidence stage: one entry per unique name@version.
import type { VersionChange } from './version-change.js';

/** Where a package's bytes come from, as npm-package-arg classifies the locked spec. */
export type SourceKind = 'registry' | 'git' | 'remote' | 'file' | 'directory';

/** A registry package to verify. `name` is the real package name (alias-resolved), never the folder name. */
export interface PackageRef {
  name: string;
  version: string;
  /** Folder names this package is installed under when they differ from `name` (npm aliases). */
  aliases: string[];
  /** Lockfile locations (`node_modules/a`, `node_modules/b/node_modules/a`), sorted. */
  locations: string[];
  /** Lockfile `integrity`, or null when the lockfile has none. */
  integrity: string | null;
  /** Lockfile `resolved`, or null (npm omits it with omit-lockfile-registry-resolved). */
  resolved: string | null;
  /** The registry npm would fetch this name from (`@scope:registry` or `registry`), with a trailing slash. */
  registry: string;
  dev: boolean;
  optional: boolean;
  /** The package has install scripts (preinstall/install/postinstall) per the lockfile or manifest. */
  hasInstallScript: boolean;
  /**
   * The lockfile binds the bytes with a checksum of its own manager's, not npm's integrity (Yarn Berry):
   * `integrity` is null until vouch hashes the tarball the registry serves for this version.
   */
  integrityFromTarball?: boolean;
}

/** A dependency that is not fetched from a registry: reported as unverifiable, never skipped silently. */
export interface NonRegistryRef {
  name: string;
  kind: Exclude<SourceKind, 'registry'>;
  /** The locked spec or resolved URL (git URL, tarball URL, file path). */
  spec: string;
  locations: string[];
  /**
   * Set when vouch cannot model what npm would do with this entry exactly (a link onto a package folder
   * of node_modules): denied whatever the policy says (LINK_UNSUPPORTED), never skipped.
   */
  unsupported?: string;
}

export interface Targets {
  packages: PackageRef[];
  nonRegistry: NonRegistryRef[];
  /** The commands the plan links into `.bin` folders (absent: not computed, e.g. for a single source). */
  bins?: BinLink[];
  /** Updates: each version the plan installs with the version it replaces (absent: not computed). */
  changes?: VersionChange[];
}

/** A command a package of the plan links into a `.bin` folder (what `npm run` and install scripts put first on PATH). */
export interface BinLink {
  /** The `.bin` folder, relative to the project: `node_modules/.bin`, `node_modules/a/node_modules/.bin`. */
  dir: string;
  /** The command name, as npm normalizes it. */
  name: string;
  /** The package linking it: the registry name (alias-resolved), or a source's or workspace's folder name. */
  pkg: string;
  version: string | null;
  /** Its folder (a lockfile location). */
  location: string;
}

/** `name@version`: one package version, whatever its bytes (change alerts, verified tarballs by version, reports). */
export const packageKey = (name: string, version: string): string => `${name}@${version}`;

/**
 * One package version's bytes from one registry: `<registry> name@version <integrity>`. Evidence is
 * gathered once per such key (the same name@version locked with two integrities is judged twice).
 */
export const evidenceKey = (ref: Pick<PackageRef, 'registry' | 'name' | 'version' | 'integrity'>): string =>
  `${ref.registry} ${packageKey(ref.name, ref.version)} ${ref.integrity ?? ''}`;
