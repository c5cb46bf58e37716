// The shape of vouch.policy.json, once: it validates at run time and generates vouch.policy.schema.json.
// Structure only (types, enums, unknown keys); what needs more than one field is checked in checks.ts.
import { z } from 'zod';
import type { FindingCode } from './report.js';
import { DEFAULT_MIN_RELEASE_AGE_DAYS } from './policy.js';

export const SIGNATURE_MODES = ['require', 'warn', 'off'] as const;
export const PROVENANCE_MODES = ['require', 'no-downgrade', 'warn', 'off'] as const;
export const TIER_MODES = ['no-downgrade', 'warn', 'off'] as const;
export type SignatureMode = (typeof SIGNATURE_MODES)[number];
export type ProvenanceMode = (typeof PROVENANCE_MODES)[number];
export const BIN_MODES = ['deny', 'warn', 'off'] as const;
export type BinMode = (typeof BIN_MODES)[number];
export type TierMode = (typeof TIER_MODES)[number];
export const CHANGE_ALERT_MODES = ['deny', 'warn', 'off'] as const;
export type ChangeAlertMode = (typeof CHANGE_ALERT_MODES)[number];

/**
 * Findings an exception may waive. Not waivable: evidence of tampering (integrity or signature
 * mismatches, invalid attestations, a key expired at signing or revoked), "could not verify" (exit 3),
 * IDENTITY_CHANGED (accepted with `vouch approve`, which re-pins vouch.lock) and the exception codes.
 */
export const WAIVABLE_CODES = [
  'INTEGRITY_MISSING',
  'INTEGRITY_SHA1_ONLY',
  'SIGNATURE_MISSING',
  'KEY_UNKNOWN',
  'UNSIGNED_REGISTRY',
  'ATTESTATION_MISSING',
  'ATTESTATION_KEY_UNKNOWN',
  'ATTESTATION_KEY_EXPIRED',
  'ATTESTATION_TOO_LARGE',
  'SOURCE_NOT_ALLOWED',
  'PROVENANCE_MISSING',
  'PROVENANCE_DOWNGRADE',
  'SIGNATURE_DOWNGRADE',
  'IDENTITY_MISMATCH',
  'PUBLISHER_KEY_MISMATCH',
  'PUBLISHER_KEY_EXPIRED',
  'RELEASE_TOO_NEW',
  'BIN_COLLISION',
  'BIN_TOOLCHAIN',
  'TIER_DOWNGRADE',
  'INSTALL_SCRIPT_ADDED',
  'INSTALL_SCRIPT_CHANGED',
  'BIN_ADDED',
  'DEPENDENCIES_ADDED',
  'PUBLISHER_CHANGED',
  'QUICK_RELEASE',
] as const satisfies readonly FindingCode[];
export type WaivableCode = (typeof WAIVABLE_CODES)[number];

const text = (what: string) => z.string().regex(/\S/, { error: `expected a non-empty ${what}` });
const date = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'expected a date "YYYY-MM-DD" or an RFC 3339 date-time such as "2027-03-01T00:00:00Z"',
});
const days = z.number({ error: 'expected a number of days' }).min(0).max(3650);
// Characters of npm names plus glob syntax; checks.ts says more about a bad glob than a pattern can.
const nameGlob = z
  .string()
  .min(1)
  .max(214)
  .regex(/^[^\s]+$/, { error: 'expected a package name or glob without spaces' });

const SIGNATURES_DOC =
  'Registry signatures: "require" denies a package without a valid one, "warn" reports it, "off" ignores a missing one (an invalid signature always denies).';
const PROVENANCE_DOC =
  'Provenance (Sigstore build attestation): "require" denies a version without verified provenance; "no-downgrade" denies one without it when an earlier version (by semver) had it; "warn" reports; "off" ignores.';
const AGE_DOC = 'Minimum age in days of a version, by the transparency-log time where there is one, else the packument time.';
const TIER_DOC =
  'Trust tiers (docs/policy.md, "Trust tiers"): staged approval > trusted publishing = provenance > publisher signature > registry signature > nothing. ' +
  '"no-downgrade" denies a version below the highest tier of an earlier version of its line (same major; 0.x: same minor), "warn" reports it, "off" ignores. ' +
  'A mode alone, or an object with mode, enforceSince and includePrereleases.';
const signatureMode = z.enum(SIGNATURE_MODES);
const changeAlertMode = z.enum(CHANGE_ALERT_MODES);
// Change alerts between a version and the one it replaces (lib/policy/change-alerts.ts, docs/policy.md).
const ChangeAlerts = z
  .strictObject({
    installScripts: changeAlertMode.optional().meta({
      description:
        'An update adds an install script (preinstall/install/postinstall, or a binding.gyp\'s implicit node-gyp rebuild) or changes one (INSTALL_SCRIPT_ADDED, INSTALL_SCRIPT_CHANGED). Default "deny"; a script npm will not run (allowScripts denies it, or strict-allow-scripts stops the install) is only warned.',
    }),
    bins: changeAlertMode.optional().meta({ description: 'An update links a command its predecessor did not (BIN_ADDED). Default "warn".' }),
    dependencies: changeAlertMode.optional().meta({
      description: 'An update adds dependencies (dependencies, optionalDependencies, peerDependencies npm installs) (DEPENDENCIES_ADDED). Default "warn".',
    }),
    publisher: changeAlertMode.optional().meta({
      description:
        'An update was published by another npm user, or no longer by trusted publishing (PUBLISHER_CHANGED; the registry\'s unsigned _npmUser). Default "warn".',
    }),
    quickRelease: changeAlertMode
      .optional()
      .meta({ description: 'An update was published within quickReleaseHours of the version it replaces (QUICK_RELEASE; packument times). Default "warn".' }),
    quickReleaseHours: z
      .number({ error: 'expected a number of hours' })
      .min(0)
      .max(8760)
      .optional()
      .meta({ description: 'The QUICK_RELEASE window in hours. Default 24; 0 turns the alert off.' }),
  })
  .meta({
    description:
      'Alerts on what an update brings compared with the version it replaces (from the lockfile being replaced, else vouch.lock): each kind "deny", "warn" or "off".',
  });
const provenanceMode = z.enum(PROVENANCE_MODES);
const tierMode = z.enum(TIER_MODES);
const TierObject = z.strictObject({
  mode: tierMode.optional().meta({ description: 'Default "no-downgrade".' }),
  enforceSince: date.optional().meta({ description: 'Versions released before this date (UTC) are not judged; older downgrades stay as they were.' }),
  includePrereleases: z.boolean().optional().meta({ description: 'Judge prereleases and count them as baselines. Default false: prereleases are neither.' }),
});
const tier = z.union([tierMode, TierObject], {
  error: `expected one of ${TIER_MODES.map((m) => JSON.stringify(m)).join(', ')} or an object { mode, enforceSince, includePrereleases }`,
});

const Defaults = z.strictObject({
  signatures: signatureMode.optional().meta({ description: `${SIGNATURES_DOC} Default "require".` }),
  provenance: provenanceMode.optional().meta({ description: `${PROVENANCE_DOC} Default "no-downgrade".` }),
  unsignedRegistry: z.enum(['deny', 'warn']).optional().meta({
    description:
      'A package from a registry that publishes no keys and is not marked keys:"none" (under signatures "require"). Default "deny" (the built-in policy used without a file says "warn").',
  }),
  minReleaseAge: days.optional().meta({ description: `${AGE_DOC} Default ${DEFAULT_MIN_RELEASE_AGE_DAYS} (0 turns the check off).` }),
  binCollisions: z.enum(BIN_MODES).optional().meta({
    description:
      'Two packages linking the same command into one node_modules/.bin folder (BIN_COLLISION): the project\'s scripts run whichever npm linked. Default "warn" (such pairs also occur legitimately, e.g. a fork and its original); "deny" refuses the install.',
  }),
  toolchainBins: z.enum(BIN_MODES).optional().meta({
    description:
      'A package linking a command named node, npm, npx or corepack (BIN_TOOLCHAIN), which every script would then run instead of the toolchain. Default "deny".',
  }),
  scriptAddedFiles: z.enum(BIN_MODES).optional().meta({
    description:
      'vouch verify --installed: files in a package folder that its verified tarball does not have, when the package has install scripts npm runs (INSTALLED_FILE_ADDED: node-gyp\'s build/, downloaded binaries). Default "warn"; "off" accepts them, "deny" refuses them. Added files in a package without install scripts, and modified or missing files, always deny.',
  }),
  tier: tier.optional().meta({ description: `${TIER_DOC} Default "no-downgrade".` }),
  changeAlerts: ChangeAlerts.optional(),
});

const Registry = z.strictObject({
  keys: z.enum(['required', 'none']).optional().meta({
    description:
      '"none": this registry is known to publish no signing keys, so its packages are allowed unsigned. "required" (the default for every registry): an unsigned package is judged by signatures/unsignedRegistry.',
  }),
  pinnedKeys: z
    .array(z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { error: 'expected a key id "SHA256:" + 43 base64 characters' }))
    .min(1)
    .optional()
    .meta({
      description:
        "Key ids (as the registry's /-/npm/v1/keys lists them) this registry must sign with, instead of pinning what it serves on first use. A new key counts only when one of these endorsed it.",
    }),
  untimedExpiredKeys: z
    .strictObject({
      reason: text('reason'),
      expires: date,
    })
    .optional()
    .meta({
      description:
        "Accept signatures by this registry's retired keys without a signed time placing them before the key retired (judged on the registry's unsigned publish time, as npm does), with a reason, until a date.",
    }),
  witnesses: z
    .strictObject({
      keys: z.array(text('witness verifier key')).min(1).meta({
        description:
          "Verifier keys of the witnesses (`name+keyid+base64 key`, as `vouch log witness` prints it) that cosign this registry's signing-log checkpoints.",
      }),
      require: z
        .number()
        .int()
        .min(1)
        .optional()
        .meta({ description: 'How many of them must have cosigned the checkpoint a run verifies (k of n). Default: all.' }),
    })
    .optional()
    .meta({
      description:
        "A vouch registry's signing log must be witnessed: its checkpoint cosigned (C2SP tlog-cosignature) by k of these n witnesses, or the run is denied (LOG_UNWITNESSED). A witness cosigns only a checkpoint consistent with every one it saw, so a log cannot show this client a history the witnesses did not see.",
    }),
});

const Identity = z
  .strictObject({
    issuer: text('OIDC issuer URL').optional().meta({ description: 'Exact OIDC issuer, e.g. https://token.actions.githubusercontent.com.' }),
    repository: text('repository URI').optional().meta({ description: 'Exact source repository URI, e.g. https://github.com/acme/widget.' }),
    repositoryId: text('repository id').optional().meta({ description: 'Exact immutable repository id (survives renames and transfers).' }),
    owner: text('owner URI').optional().meta({ description: 'Exact repository owner URI, e.g. https://github.com/acme.' }),
    ownerId: text('owner id').optional().meta({ description: 'Exact immutable owner id.' }),
    workflow: text('workflow path').optional().meta({ description: 'Exact build workflow path, e.g. .github/workflows/release.yml.' }),
    ref: text('ref glob').optional().meta({ description: 'Glob (never a regex) the source ref must match, e.g. refs/tags/v*.' }),
    runnerEnvironment: z.enum(['github-hosted', 'self-hosted']).optional(),
  })
  .meta({ description: 'Provenance this rule requires; every field given must match the verified certificate exactly.' });

const PublisherKey = z.strictObject({
  keyid: text('key id').meta({ description: 'SHA256:… fingerprint of the publisher key (`vouch keygen` prints it).' }),
  validUntil: date.optional().meta({ description: 'Versions signed after this are denied (PUBLISHER_KEY_EXPIRED).' }),
  revokedAt: date.optional().meta({ description: 'Versions signed at or after this are denied, earlier ones warned (PUBLISHER_KEY_REVOKED).' }),
});

const Rule = z.strictObject({
  description: z.string().optional().meta({ description: 'Free text for reviewers.' }),
  packages: z.union([nameGlob, z.array(nameGlob).min(1)], { error: 'expected a package name glob or a non-empty list of them' }).meta({
    description: 'Name globs: "@acme/*" is every package of the scope, "**" every package. A rule whose only globs match every name needs "broad": true.',
  }),
  versions: text('semver range').optional().meta({ description: 'Semver range (prereleases included); absent = every version.' }),
  broad: z.literal(true).optional().meta({ description: 'Confirms that a rule matching every package name is intended.' }),
  signatures: signatureMode.optional().meta({ description: SIGNATURES_DOC }),
  provenance: provenanceMode.optional().meta({ description: PROVENANCE_DOC }),
  identity: Identity.optional(),
  publisherKeys: z.array(PublisherKey).min(1).optional().meta({
    description: 'Pinned maintainer keys: every matching version must carry a publisher attestation signed by one of them.',
  }),
  minReleaseAge: days.optional().meta({ description: AGE_DOC }),
  tier: tier.optional().meta({ description: `${TIER_DOC} Fields left out come from defaults.tier.` }),
  changeAlerts: ChangeAlerts.optional(),
});

const Exception = z.strictObject({
  versions: text('semver range').optional().meta({ description: 'Semver range; absent = every version.' }),
  allow: z
    .array(
      z.enum(WAIVABLE_CODES, {
        error: `expected a finding code an exception can waive (${WAIVABLE_CODES.join(', ')}); identity changes are accepted with \`vouch approve\``,
      }),
    )
    .min(1),
  reason: text('reason'),
  approvedBy: text('approver'),
  expires: date.meta({ description: 'From this date (UTC) on the exception no longer applies (EXCEPTION_EXPIRED); vouch warns 14 days before.' }),
});

const Sources = z.strictObject({
  git: z.array(nameGlob).optional(),
  remote: z.array(nameGlob).optional(),
  file: z.array(nameGlob).optional(),
  directory: z.array(nameGlob).optional(),
});

export const PolicyFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    defaults: Defaults.optional(),
    registries: z.record(z.string(), Registry).optional().meta({ description: 'Per registry URL (as in .npmrc).' }),
    rules: z.array(Rule).optional().meta({ description: 'Checked in order; for each setting the first matching rule that sets it wins, else defaults.' }),
    sources: Sources.optional().meta({ description: 'Names allowed from git / remote tarball / file / directory sources; all others are denied.' }),
    exceptions: z.record(z.string().min(1), z.array(Exception).min(1)).optional().meta({ description: 'Per exact package name.' }),
  })
  .meta({ title: 'vouch.policy.json', description: 'What vouch requires of every package before it installs.' });

export type PolicyFile = z.infer<typeof PolicyFileSchema>;
export type PolicyRuleEntry = NonNullable<PolicyFile['rules']>[number];
export type PolicyIdentity = NonNullable<PolicyRuleEntry['identity']>;
export type PolicyPublisherKey = NonNullable<PolicyRuleEntry['publisherKeys']>[number];
export type PolicyException = NonNullable<PolicyFile['exceptions']>[string][number];
export type PolicySources = NonNullable<PolicyFile['sources']>;
export type PolicyTier = NonNullable<PolicyRuleEntry['tier']>;
export type ChangeAlertsEntry = NonNullable<PolicyRuleEntry['changeAlerts']>;
