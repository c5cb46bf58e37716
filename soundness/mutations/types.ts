// What a mutation is: a kind (one hostile edit, e.g. "a second sha512 appended"), the candidates it
// finds in a tree (generated from the committed lockfile, seeded), and the edit it makes at run time
// against the live registry URL. Candidates are plain JSON, so a case is reproducible from its id.
import type { Catalog } from '../corpus/catalog.js';
import type { StoredTarball } from '../corpus/tarball-store.js';
import type { Lockfile } from '../lockfile.js';
import type { Rng } from './rng.js';

export type MutationField =
  | 'control'
  | 'link'
  | 'resolved'
  | 'integrity'
  | 'bundle'
  | 'optional/os/cpu'
  | 'dev'
  | 'name/version/alias'
  | 'nesting'
  | 'shrinkwrap'
  | 'tarball'
  | 'packument'
  | 'headers';

export type OmitFlag = 'none' | 'dev' | 'optional';
/** cold: empty; warm: the unmutated tree installed before (plus the attacker's bytes); poisoned: only the attacker's bytes. */
export type CacheState = 'cold' | 'warm' | 'poisoned';

export interface TreeFacts {
  name: string;
  /** The committed lockfile (URLs are the placeholder). */
  lock: Lockfile;
  catalog: Catalog;
}

export interface Candidate {
  /** The lockfile location edited, or null for a whole-tree edit. */
  target: string | null;
  /** Small string parameters (another location, a variant), part of the case id. */
  params: Record<string, string>;
}

export interface ApplyContext {
  /** The live lockfile (URLs point at this worker's registry proxy): edit it freely, it is a copy. */
  lock: Lockfile;
  /** The registry as the lockfile names it, trailing slash. */
  registryUrl: string;
  /** Another host name on loopback that proxies the same registry (credentials do not follow). */
  foreignUrl: string;
  catalog: Catalog;
  /** A tarball of this name@version with other bytes (an extra evil.js): the attacker's. */
  attacker(name: string, version: string): Promise<StoredTarball>;
}

export type ServeRule =
  /** The proxy answers this path with these bytes. */
  | { kind: 'bytes'; path: string; file: string }
  /** The proxy rewrites this name's packument. */
  | { kind: 'packument'; name: string; edit: (doc: Packument) => void }
  /** The proxy adds these response headers to paths matching the pattern. */
  | { kind: 'headers'; pattern: RegExp; headers: Record<string, string> };

export interface Packument {
  versions?: Record<string, { dist?: Record<string, unknown>; dependencies?: Record<string, string> }>;
  [field: string]: unknown;
}

export interface MutationEffect {
  lock: Lockfile;
  /** Extra project files, relative path → text. */
  files?: Record<string, string>;
  /** Extra project files copied from these files (tarballs), relative path → source file. */
  copies?: Record<string, string>;
  serve?: ServeRule[];
  /** Tarball files a warm cache holds too (the attacker's bytes the mutation serves or names). */
  cacheTarballs?: string[];
  /** The foreign host must see no request from vouch (a source it has to judge before contact). */
  watchForeign?: boolean;
}

export interface MutationKind {
  id: string;
  field: MutationField;
  /** One line for the report. */
  describe: string;
  candidates(tree: TreeFacts, rng: Rng): Candidate[];
  apply(ctx: ApplyContext, c: Candidate): Promise<MutationEffect>;
  /** Omit flags to run every candidate with (default: one seeded pick of none/dev/optional). */
  omits?: readonly OmitFlag[];
  /**
   * The registry's signed evidence itself is broken (a signature removed, dist.integrity changed): failing
   * closed is the required answer, so a deny here never counts as over-blocking.
   */
  failClosed?: boolean;
  /** The mutation names or serves other bytes: also run it with a cache that holds only those (poisoned). */
  poisons?: boolean;
}
