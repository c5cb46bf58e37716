// The policy as evaluate() reads it: a validated vouch.policy.json with its defaults filled in, or the
// built-in default vouch applies when there is no file (zero setup; docs/policy.md says why).
import { join } from 'node:path';
import { withoutCredentials } from '../config/index.js';
import { CHANGE_ALERT_DEFAULTS, type ChangeAlertSettings } from './change-alerts.js';
import type { BinMode, PolicyException, PolicyFile, PolicyRuleEntry, PolicySources, PolicyTier, ProvenanceMode, SignatureMode, TierMode } from './schema.js';

export type { BinMode } from './schema.js';

export const POLICY_FILE = 'vouch.policy.json';
/** What `$schema` says in a policy file vouch writes. */
export const POLICY_SCHEMA_REF = './node_modules/vouch/vouch.policy.schema.json';

/**
 * `$schema` for a new policy file in `projectDir`: the schema in the project's own node_modules when vouch
 * is installed there (a path every clone of the project resolves after npm ci). A global or linked vouch
 * has no path a committed file could name, so then none.
 */
export function schemaRefFor(projectDir: string, exists: (path: string) => boolean): string | undefined {
  return exists(join(projectDir, POLICY_SCHEMA_REF)) ? POLICY_SCHEMA_REF : undefined;
}

export interface PolicyDefaults {
  signatures: SignatureMode;
  provenance: ProvenanceMode;
  unsignedRegistry: 'deny' | 'warn';
  minReleaseAge: number;
  /** Two packages linking one command into the same .bin folder (BIN_COLLISION). */
  binCollisions: BinMode;
  /** A package linking node, npm, npx or corepack (BIN_TOOLCHAIN). */
  toolchainBins: BinMode;
  /** verify --installed: files a package's own install scripts may have added to its folder (INSTALLED_FILE_ADDED). */
  scriptAddedFiles: BinMode;
  /** Alerts on what an update brings compared with the version it replaces (lib/policy/change-alerts.ts). */
  changeAlerts: ChangeAlertSettings;
  tier: TierSetting;
}

/** The trust-tier check with every field decided (lib/policy/tiers.ts). */
export interface TierSetting {
  mode: TierMode;
  /** Policy date: versions released before it are not judged. */
  enforceSince?: string;
  includePrereleases: boolean;
}

/** A tier setting as written (a mode, or an object) over the setting it refines. */
export function tierSetting(written: PolicyTier | undefined, base: TierSetting): TierSetting {
  if (written === undefined) return base;
  if (typeof written === 'string') return { ...base, mode: written };
  const out: TierSetting = { mode: written.mode ?? base.mode, includePrereleases: written.includePrereleases ?? base.includePrereleases };
  const since = written.enforceSince ?? base.enforceSince;
  return since === undefined ? out : { ...out, enforceSince: since };
}

export interface RegistryPolicy {
  keys: 'required' | 'none';
  /** Key ids the registry must sign with (a new project starts pinned; vouch.lock's trust on first use is skipped). */
  pinnedKeys?: string[];
  /** Signatures by retired keys accepted without a signed time, with the reason, until a date. */
  untimedExpiredKeys?: { reason: string; expires: string };
  /** The registry's signing log must be cosigned by `require` of these witnesses (their verifier keys). */
  witnesses?: { keys: string[]; require: number };
  /** JSON path of the entry, e.g. registries["https://npm.acme.example/"]. */
  path: string;
}

export interface Policy {
  /** 'default': no vouch.policy.json, the built-in policy applies. */
  source: 'file' | 'default';
  /** Path of the file read, or null for the built-in policy. */
  file: string | null;
  defaults: PolicyDefaults;
  /** JSON path prefix findings name for a default: "defaults" in a file, "default" when built in. */
  defaultsPath: 'defaults' | 'default';
  /** By registry URL, normalized with a trailing slash (as PackageRef.registry is). */
  registries: ReadonlyMap<string, RegistryPolicy>;
  rules: readonly PolicyRuleEntry[];
  sources: PolicySources;
  exceptions: Readonly<Record<string, readonly PolicyException[]>>;
}

/** What loadPolicy returns (the brief's name for it). */
export type LoadedPolicy = Policy;

/**
 * Days a version must have been public before it is installed, unless a policy says otherwise. The
 * 2025–2026 compromises (chalk/debug, nx, the TanStack and keyv window, axios) were live for minutes to
 * a few hours before they were caught and pulled; a day outlasts that window even when the malicious
 * version carries valid signatures and provenance. pnpm 11's `minimumReleaseAge` defaults to one day
 * too (docs/policy.md, *Release age*, says why not two).
 */
export const DEFAULT_MIN_RELEASE_AGE_DAYS = 1;

/** Defaults of a policy file for what it leaves out. */
export const FILE_DEFAULTS: PolicyDefaults = {
  signatures: 'require',
  provenance: 'no-downgrade',
  unsignedRegistry: 'deny',
  minReleaseAge: DEFAULT_MIN_RELEASE_AGE_DAYS,
  binCollisions: 'warn',
  toolchainBins: 'deny',
  scriptAddedFiles: 'warn',
  tier: { mode: 'no-downgrade', includePrereleases: false },
  changeAlerts: CHANGE_ALERT_DEFAULTS,
};

/**
 * The built-in policy: registry signatures required where a registry publishes keys, an unsigned
 * registry only warned (zero setup must work against mirrors that strip signatures), provenance
 * no-downgrade, versions younger than a day denied, identities pinned in vouch.lock (always on),
 * git/remote/file sources denied, a package linking a toolchain command (node, npm …) denied and two
 * packages linking one command warned.
 */
export function builtInPolicy(): Policy {
  return {
    source: 'default',
    file: null,
    defaults: { ...FILE_DEFAULTS, unsignedRegistry: 'warn' },
    defaultsPath: 'default',
    registries: new Map(),
    rules: [],
    sources: {},
    exceptions: {},
  };
}

/** The notice a report carries when the built-in policy was used. */
export const DEFAULT_POLICY_NOTICE =
  'No vouch.policy.json: using the built-in policy (registry signatures required where the registry publishes keys, ' +
  'unsigned registries warned, provenance no-downgrade, trust tiers no-downgrade within a major line, ' +
  `versions younger than ${DEFAULT_MIN_RELEASE_AGE_DAYS} day denied, identities pinned in vouch.lock, git/remote/file dependencies denied).`;

/** A policy file's content with its defaults filled in. */
export function policyFromFile(doc: PolicyFile, file: string): Policy {
  const registries = new Map<string, RegistryPolicy>();
  for (const [url, entry] of Object.entries(doc.registries ?? {})) {
    registries.set(normalizeRegistryUrl(url), {
      keys: entry.keys ?? 'required',
      path: `registries[${JSON.stringify(url)}]`,
      ...(entry.pinnedKeys ? { pinnedKeys: entry.pinnedKeys } : {}),
      ...(entry.untimedExpiredKeys ? { untimedExpiredKeys: entry.untimedExpiredKeys } : {}),
      ...(entry.witnesses ? { witnesses: { keys: entry.witnesses.keys, require: entry.witnesses.require ?? entry.witnesses.keys.length } } : {}),
    });
  }
  return {
    source: 'file',
    file,
    defaults: {
      ...FILE_DEFAULTS,
      ...doc.defaults,
      tier: tierSetting(doc.defaults?.tier, FILE_DEFAULTS.tier),
      changeAlerts: { ...FILE_DEFAULTS.changeAlerts, ...doc.defaults?.changeAlerts },
    },
    defaultsPath: 'defaults',
    registries,
    rules: doc.rules ?? [],
    sources: doc.sources ?? {},
    exceptions: doc.exceptions ?? {},
  };
}

/** `https://r.example/npm`, `https://r.example/npm/` and `https://user:pass@r.example/npm/` name one registry. */
export function normalizeRegistryUrl(url: string): string {
  const id = withoutCredentials(url);
  return id.endsWith('/') ? id : `${id}/`;
}

/** Whether any version may be judged on trust tiers: the evidence stage then reads the packument's claims. */
export function needsTierClaims(policy: Policy): boolean {
  return policy.defaults.tier.mode !== 'off' || policy.rules.some((r) => r.tier !== undefined && tierSetting(r.tier, policy.defaults.tier).mode !== 'off');
}

/**
 * Whether any decision may need the packument `time` (minReleaseAge, or a publisher key's dates
 * when an attestation has no log time): the evidence stage can skip fetching it otherwise. With the
 * default minReleaseAge (1 day) that is every policy but one that sets it to 0 everywhere. What it
 * costs: nothing where the abbreviated packument carries `time` (Verdaccio's does) or where a registry
 * key expires (the public registry's pinned keys do, so its full packument was fetched anyway);
 * elsewhere one full packument per name instead of the abbreviated one.
 */
export function needsPublishTime(policy: Policy): boolean {
  if (policy.defaults.minReleaseAge > 0 || policy.defaults.tier.enforceSince !== undefined) return true;
  if (policy.rules.some((r) => typeof r.tier === 'object' && r.tier.enforceSince !== undefined)) return true;
  return policy.rules.some((r) => (r.minReleaseAge ?? 0) > 0 || (r.publisherKeys ?? []).some((k) => k.validUntil !== undefined || k.revokedAt !== undefined));
}

/** The witnesses the policy requires, per registry URL (normalized, as PackageRef.registry is). */
export function requiredWitnesses(policy: Policy): Map<string, { keys: string[]; require: number }> {
  const out = new Map<string, { keys: string[]; require: number }>();
  for (const [url, entry] of policy.registries) if (entry.witnesses) out.set(url, entry.witnesses);
  return out;
}
