// The policy as evaluate() reads it: a validated vouch.policy.json with its defaults filled in, or the
// built-in default vouch applies when there is no file (zero setup; docs/policy.md says why).
import { join } from 'node:path';
import { CHANGE_ALERT_DEFAULTS, type ChangeAlertSettings } from './change-alerts.js';
import type { BinMode, PolicyException, PolicyFile, PolicyRuleEntry, PolicySources, ProvenanceMode, SignatureMode } from './schema.js';

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
  /** Alerts on what an update brings compared with the version it replaces (lib/policy/change-alerts.ts). */
  changeAlerts: ChangeAlertSettings;
}

export interface RegistryPolicy {
  keys: 'required' | 'none';
  /** Key ids the registry must sign with (a new project starts pinned; vouch.lock's trust on first use is skipped). */
  pinnedKeys?: string[];
  /** Signatures by retired keys accepted without a signed time, with the reason, until a date. */
  untimedExpiredKeys?: { reason: string; expires: string };
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

/** Defaults of a policy file for what it leaves out. */
export const FILE_DEFAULTS: PolicyDefaults = {
  signatures: 'require', provenance: 'no-downgrade', unsignedRegistry: 'deny', minReleaseAge: 0, binCollisions: 'warn', toolchainBins: 'deny',
  changeAlerts: CHANGE_ALERT_DEFAULTS,
};

/**
 * The built-in policy: registry signatures required where a registry publishes keys, an unsigned
 * registry only warned (zero setup must work against mirrors that strip signatures), provenance
 * no-downgrade, identities pinned in vouch.lock (always on), git/remote/file sources denied, a package
 * linking a toolchain command (node, npm …) denied and two packages linking one command warned.
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
  'unsigned registries warned, provenance no-downgrade, identities pinned in vouch.lock, git/remote/file dependencies denied).';

/** A policy file's content with its defaults filled in. */
export function policyFromFile(doc: PolicyFile, file: string): Policy {
  const registries = new Map<string, RegistryPolicy>();
  for (const [url, entry] of Object.entries(doc.registries ?? {})) {
    registries.set(normalizeRegistryUrl(url), {
      keys: entry.keys ?? 'required', path: `registries[${JSON.stringify(url)}]`,
      ...(entry.pinnedKeys ? { pinnedKeys: entry.pinnedKeys } : {}),
      ...(entry.untimedExpiredKeys ? { untimedExpiredKeys: entry.untimedExpiredKeys } : {}),
    });
  }
  return {
    source: 'file',
    file,
    defaults: { ...FILE_DEFAULTS, ...doc.defaults, changeAlerts: { ...FILE_DEFAULTS.changeAlerts, ...doc.defaults?.changeAlerts } },
    defaultsPath: 'defaults',
    registries,
    rules: doc.rules ?? [],
    sources: doc.sources ?? {},
    exceptions: doc.exceptions ?? {},
  };
}

/** `https://r.example/npm` and `https://r.example/npm/` name one registry. */
export function normalizeRegistryUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Whether any decision may need the packument `time` (minReleaseAge, or a publisher key's dates
 * when an attestation has no log time): the evidence stage can skip fetching it otherwise.
 */
export function needsPublishTime(policy: Policy): boolean {
  if (policy.defaults.minReleaseAge > 0) return true;
  return policy.rules.some(
    (r) => (r.minReleaseAge ?? 0) > 0 || (r.publisherKeys ?? []).some((k) => k.validUntil !== undefined || k.revokedAt !== undefined),
  );
}
