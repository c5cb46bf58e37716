// What each finding code means and what to do about it, in words: SARIF rule descriptions and help.
// A Record over FindingCode, so a code added to lib/policy/report.ts does not compile until it is described here.
import type { FindingCode } from '../../policy/index.js';

export interface FindingCodeInfo {
  /** One line: what was found (SARIF shortDescription). */
  title: string;
  /** Why it matters and what to do (SARIF help). */
  help: string;
}

const REFETCH = 'Delete the entry from package-lock.json and node_modules, reinstall from the registry, and run `vouch verify` again.';
const CHANGE_FIX =
  'Review what changed (`npm diff --diff=<name>@<old> --diff=<name>@<new>`, or the package\'s source); if it is expected, record an exception: `vouch approve <name>@<version> --reason "…"`.';
const TAMPER = 'Someone may have tampered with this package since it was published; do not install it until the cause is known.';

export const FINDING_CODES: Readonly<Record<FindingCode, FindingCodeInfo>> = {
  INTEGRITY_MISSING: {
    title: 'The lockfile records no integrity for this package',
    help: `Without an integrity hash the installed bytes cannot be bound to what the registry signed. ${REFETCH}`,
  },
  INTEGRITY_SHA1_ONLY: {
    title: 'The lockfile records only a sha1 integrity',
    help: `sha1 is reported, never trusted. ${REFETCH}`,
  },
  INTEGRITY_MISMATCH: {
    title: 'Lockfile integrity differs from the registry-signed integrity',
    help: `${TAMPER} If the lockfile is only stale: ${REFETCH}`,
  },
  INTEGRITY_AMBIGUOUS: {
    title: 'The lockfile integrity lets npm accept other bytes than the signed ones',
    help: `npm checks a download against one algorithm of the lockfile integrity (its strongest) and accepts it when any hash of that algorithm matches; a cached download is matched on any algorithm the entry shares. An integrity with several sha512 hashes, or with any hash besides the signed sha512, lets other bytes through. npm never writes such an entry: ${TAMPER} ${REFETCH}`,
  },
  INTEGRITY_MALFORMED: {
    title: 'An integrity string holds something npm cannot read as a hash',
    help: `npm silently drops what it cannot read in an integrity string, and checks nothing when no hash is left. In the lockfile: ${REFETCH} In the registry's dist.integrity (which must be exactly one sha512 hash): the registry's metadata is broken or tampered with; do not install this version.`,
  },
  TARBALL_MISMATCH: {
    title: 'The downloaded tarball does not match the signed integrity',
    help: `${TAMPER} Check the registry or proxy that served the tarball.`,
  },
  SIGNATURE_MISSING: {
    title: 'No registry signature although the registry publishes signing keys',
    help: 'The registry signs its packages but not this one. Check that the package really comes from that registry (mirrors and proxies sometimes strip dist.signatures).',
  },
  SIGNATURE_INVALID: {
    title: 'The registry signature does not verify',
    help: TAMPER,
  },
  KEY_UNKNOWN: {
    title: 'Signed with a key the registry does not publish',
    help: 'The keyid matches none of the registry keys. Check the configured registry URL, then whether the registry rotated its keys.',
  },
  KEY_EXPIRED: {
    title: 'Signed with a registry key that had expired when the version was published',
    help: TAMPER,
  },
  SIGNATURE_NOT_LOGGED: {
    title: "The registry signature is not in the registry's signing log",
    help: "A vouch registry appends every signature it makes to its append-only log before serving it, and names the entry (dist.signatures[].logIndex). A signature the log does not hold (or an entry that says something else) was not made by the registry's signing path: a leaked key, possibly a retired one, signing outside it. Check with the operator and audit the log: vouch log verify <registry>.",
  },
  SIGNATURES_TOO_MANY: {
    title: 'The version carries more registry signatures than vouch checks',
    help: "npm's registry serves one signature per version; vouch refuses more than 16 (docs/verify.md) without verifying any, so a registry cannot make a run do unbounded work. Treat the registry or mirror as compromised.",
  },
  UNSIGNED_REGISTRY: {
    title: 'The registry publishes no signing keys',
    help: 'Nothing proves the registry served these bytes. Enable signing on the registry (the vouch Verdaccio plugin does this) or allow unsigned registries in vouch.policy.json.',
  },
  ATTESTATION_MISSING: {
    title: 'Attestations are advertised but were not served',
    help: 'The version metadata names attestations the registry did not return. Retry; if it persists, report it to the registry.',
  },
  ATTESTATION_INVALID: {
    title: 'An attestation bundle does not verify',
    help: TAMPER,
  },
  ATTESTATION_SUBJECT: {
    title: 'An attestation is about a different package or tarball',
    help: `The statement subject is not this package's purl and tarball sha512. ${TAMPER}`,
  },
  ATTESTATION_STATEMENT: {
    title: 'An attestation statement or predicate type is wrong',
    help: 'The bundle verifies but its statement is malformed or inconsistent with what the registry advertised.',
  },
  ATTESTATION_KEY_UNKNOWN: {
    title: 'A key-signed attestation uses a key nobody trusts',
    help: 'Pin the publisher key in vouch.policy.json if you trust it, or check the registry key configuration.',
  },
  ATTESTATION_NOT_LOGGED: {
    title: "The publish attestation's log checkpoint is not the log this run verified",
    help: "The registry's publish attestation carries an inclusion proof into its signing log; its checkpoint must be part of the log vouch checked (a consistency proof). One that is not shows this client a different history than the log serves (a split view). Check with the operator and audit the log from elsewhere: vouch log verify <registry>.",
  },
  ATTESTATION_KEY_EXPIRED: {
    title: 'A key-signed attestation was logged after its key expired',
    help: TAMPER,
  },
  ATTESTATION_TOO_LARGE: {
    title: 'An attestation bundle or response is over the size bound',
    help: 'vouch bounds untrusted input; an oversized attestation is not read.',
  },
  REGISTRY_UNREACHABLE: {
    title: 'The registry could not be reached',
    help: 'Nothing could be verified for this package. Check the network and the registry URL, then run again.',
  },
  REGISTRY_ERROR: {
    title: 'The registry answered with an error',
    help: 'Nothing could be verified for this package. Retry later or check the registry.',
  },
  OFFLINE_MISS: {
    title: 'Offline, and the evidence is not cached',
    help: 'Run once with network access so the evidence is cached, or drop --offline.',
  },
  VERSION_NOT_FOUND: {
    title: 'The registry does not have this version',
    help: 'The locked version is not in the registry metadata: it may have been unpublished, or the lockfile points at another registry.',
  },
  VERIFIER_ERROR: {
    title: 'The verifier failed unexpectedly',
    help: 'Treated as not verified (fail closed). Please report this as a bug in vouch.',
  },
  VERIFICATION_BUDGET_EXCEEDED: {
    title: "The run's bound on signature and attestation verifications was spent",
    help: 'A run verifies at most 4 signatures or attestation bundles per package plus 64 in all (docs/verify.md). Registries serve about 1–3 per package, so spending it means some registry serves far more: find the packages with many signatures or bundles in the report and check that registry.',
  },
  SOURCE_NOT_ALLOWED: {
    title: 'A git, file or remote-tarball dependency is not allowed',
    help: 'Such dependencies cannot be verified. Allow the package by name in vouch.policy.json if you accept that, or depend on a registry version.',
  },
  LINK_UNSUPPORTED: {
    title: 'A link or lockfile entry vouch cannot model exactly',
    help: 'npm links only to workspaces and file: directories; a link onto a package folder comes from an edited lockfile. In a pnpm, Yarn or Bun lockfile, an entry whose source vouch cannot classify (an unknown protocol or resolution type) is denied the same way. Restore the lockfile from a trusted revision.',
  },
  REGISTRY_KEY_ADDED: {
    title: 'The registry serves a signing key nothing pinned',
    help: 'vouch.lock pins the keys a registry signed with when first seen; a new key counts only when a pinned key endorsed it (a rotation) or someone approved it. A hostile registry or mirror adding its own key looks like this. Check with the operator, then: vouch approve --registry <url> --reason "…".',
  },
  LOG_INCONSISTENT: {
    title: "The registry's signing log was rewritten or forked",
    help: 'A vouch registry appends every signature to an append-only log; vouch remembers the newest checkpoint it saw and checks that each new one extends it. One that does not means the history was rewritten, or this client is shown a different history than others (a split view). Check with the operator and audit from elsewhere: vouch log verify <registry>.',
  },
  LOG_ENTRY_INVALID: {
    title: "The registry's signing log records a signing event its rules forbid",
    help: "Every run reads the new entries of a vouch registry's log and checks their shape and the key lifecycle rule: no signature or attestation by a key after the log retired or revoked it. An entry that breaks it means a retired or revoked key signed again, through the registry's own signing path or by someone who can write its log. Treat the key as leaked; audit the log with vouch log verify <registry>, which also checks every entry's signature.",
  },
  LOG_UNWITNESSED: {
    title: "The registry's signing log is not cosigned by the witnesses the policy requires",
    help: "A witness (vouch log witness) cosigns a checkpoint only when it is consistent with every checkpoint of that log it saw before, so k witnesses vouch that the history you are shown is the one they were shown. Fewer than the policy's k cosigned this checkpoint (or the registry serves no log). Check that the witnesses run and that the registry submits its checkpoints to them (docs/registry-plugin.md, Witnesses).",
  },
  REGISTRY_KEY_REMOVED: {
    title: 'A pinned registry key is no longer listed',
    help: 'Registries keep retired keys listed (with expires) for as long as versions signed by them are installed. Check with the operator, then accept the key set it serves now: vouch approve --registry <url> --reason "…".',
  },
  REGISTRY_KEY_INVALID: {
    title: "A registry key id that is not its key's fingerprint",
    help: 'A key id is the OpenSSH SHA256 fingerprint of the key; one that names other key material is a forgery or a broken registry.',
  },
  REGISTRY_KEYS_MISSING: {
    title: 'A registry whose keys are pinned now serves none',
    help: 'A registry or mirror that stopped serving keys (and signatures) after vouch.lock pinned them: a downgrade until someone approves it with vouch approve --registry <url> --reason "…".',
  },
  KEY_REVOKED: {
    title: 'Signed only by a revoked registry key',
    help: 'The registry operator revoked the key (compromised): its signatures are void whatever their time. The operator re-signs with the active key (vouch registry rotate).',
  },
  KEY_EXPIRED_UNTIMED: {
    title: 'Signed by a retired key, and no signed time dates the signature',
    help: "A key past its expires counts only for signatures a signed time (an attestation's log time, or vouch.lock from before) places before it retired; the packument's time is the registry's own word. Ask the operator to re-sign, or accept per registry in vouch.policy.json (untimedExpiredKeys).",
  },
  SIGNATURE_DOWNGRADE: {
    title: 'Earlier versions were registry-signed; this one is not',
    help: 'A registry or mirror that strips signatures looks like this. If the registry really stopped signing, accept it with vouch approve <pkg>@<version> --reason "…".',
  },
  PROVENANCE_MISSING: {
    title: 'The policy requires provenance and none was verified',
    help: 'Ask the maintainer to publish with provenance, or add a time-limited exception in vouch.policy.json.',
  },
  PROVENANCE_DOWNGRADE: {
    title: 'An earlier version had provenance; this one has none',
    help: 'A possible takeover: the maintainer may have published from a machine instead of CI. Check the release, then add an exception if it is expected.',
  },
  TIER_DOWNGRADE: {
    title: 'An earlier version of this release line was published with a higher trust tier',
    help: 'Staged approval, trusted publishing or provenance, or a signature, that earlier versions of the same major line had is missing: a stolen token or a phished maintainer looks like this. Check the release, then add an exception for that version if it is expected (vouch approve <pkg>@<version>).',
  },
  IDENTITY_MISMATCH: {
    title: 'The provenance identity differs from what the policy requires',
    help: 'The package was built from another repository, workflow or issuer than the policy names. Check the release before changing the policy.',
  },
  IDENTITY_CHANGED: {
    title: 'The provenance identity differs from the one pinned in vouch.lock',
    help: 'The build source changed since it was first trusted. If the change is legitimate, run `vouch approve <name>@<version>`.',
  },
  PUBLISHER_KEY_MISMATCH: {
    title: 'Signed by a publisher key the policy does not pin',
    help: 'Check with the maintainer that the key is theirs, then pin it in vouch.policy.json.',
  },
  PUBLISHER_KEY_REVOKED: {
    title: 'Signed by a revoked publisher key',
    help: 'The key was revoked, usually because it leaked. Do not install this version.',
  },
  PUBLISHER_KEY_EXPIRED: {
    title: 'Signed after the publisher key expired',
    help: 'Ask the maintainer for a signature with a current key.',
  },
  RELEASE_TOO_NEW: {
    title: 'Released more recently than the policy minimum age',
    help: 'Wait until the release is older than minReleaseAge, or add an exception in vouch.policy.json.',
  },
  LOCKFILE_UNREQUESTED: {
    title: 'A lockfile entry no package.json asks for',
    help: "No dependency of the project's package.json files (root and workspaces) reaches this entry through the lockfile's own dependency graph: npm does not write such an entry, a hand edit does. Plain npm would still download it, and a later install may run it. If nobody meant to add it, this is a lockfile-injection attempt: restore package-lock.json from the base branch and let npm write the change (`npm install <pkg>`).",
  },
  LOCKFILE_OUT_OF_RANGE: {
    title: 'A direct dependency is locked outside the range package.json declares',
    help: 'The locked version (or package, for an alias) does not satisfy what package.json asks for, so npm would not have written it; `npm ci` refuses such a lockfile, but tools that read it (or `npm install`, which re-resolves) may not notice. When package.json did not change that range in this pull request, the lockfile was edited by hand: restore package-lock.json from the base branch and update with npm.',
  },
  LOCKFILE_RESOLVED_CHANGED: {
    title: 'A version stayed while its `resolved` or `integrity` changed',
    help: "npm keeps a locked version's download URL and hash unless the registry changes; a pull request that swaps them keeps the version number a reviewer sees while changing the bytes or where they come from. If the project did not move registries on purpose, restore package-lock.json from the base branch.",
  },
  EXCEPTION_EXPIRED: {
    title: 'The policy exception that covered this package has expired',
    help: 'Review the exception in vouch.policy.json: renew it with a new expiry and reason, or remove the dependency.',
  },
  EXCEPTION_EXPIRING: {
    title: 'A policy exception that covers this package expires soon',
    help: 'Review the exception in vouch.policy.json before it expires.',
  },
  RESOLVED_FOREIGN_HOST: {
    title: 'The lockfile fetches this package from a host other than its registry',
    help: 'package-lock.json says to download these bytes from a host that is neither the registry that signed them nor its tarball host. vouch fetched them from the registry by their signed integrity, so what it installs is unaffected; plain npm would contact the other host. If nobody meant to change the lockfile, a lockfile-injection attempt is likely: restore package-lock.json from a trusted revision.',
  },
  RESOLVED_MISMATCH: {
    title: "The lockfile fetches this package from its registry, but not from this version's tarball",
    help: "package-lock.json `resolved` (after npm's own replace-registry-host rewriting) is on the registry's host but is not the `dist.tarball` the registry gives for this name@version, even after URL normalisation (dot segments, percent-encoding, default ports). npm would download that other URL. If nobody meant to change the lockfile, a lockfile-injection attempt is likely: restore package-lock.json from a trusted revision, or reinstall so `resolved` is the registry's tarball.",
  },
  BIN_COLLISION: {
    title: 'Two packages link the same command into one node_modules/.bin folder',
    help: 'Only one of them gets the name, and `npm run`, `npx` and install scripts run whichever npm linked: a dependency can take the place of another\'s `tsc` or `eslint` and run when the project builds. Check which package should provide the command and remove the other; if both are expected, record an exception for the one that may (`vouch approve <name>@<version> --reason "…"`). `binCollisions` in vouch.policy.json sets the severity.',
  },
  BIN_TOOLCHAIN: {
    title: 'A package links a command named node, npm, npx or corepack',
    help: "npm puts node_modules/.bin first on PATH for every script it runs, so this package's command would run instead of Node.js or npm itself, in the project's scripts and in every other package's install script. Few packages have a reason to do this; remove it, or record an exception if it is expected (`vouch approve <name>@<version> --reason \"…\"`). `toolchainBins` in vouch.policy.json sets the severity.",
  },
  INSTALLED_FILE_MODIFIED: {
    title: 'A file in an installed package differs from its verified tarball',
    help: "`vouch verify --installed` hashed the package folder and a file is not what the tarball vouch verified contains: edited by hand, by a tool, or by another package's install script. Reinstall the package from the verified tarball (`vouch ci`) and find out what wrote to node_modules. Always a deny.",
  },
  INSTALLED_FILE_MISSING: {
    title: 'A file of the verified tarball is missing from the installed package',
    help: 'The package folder lacks a file its verified tarball contains. Reinstall it (`vouch ci`). Always a deny.',
  },
  INSTALLED_FILE_ADDED: {
    title: 'An installed package holds a file its verified tarball does not have',
    help: 'In a package without install scripts nothing npm does adds files: a deny. In a package whose install scripts npm runs (node-gyp\'s build/, a downloaded binary), `scriptAddedFiles` in vouch.policy.json sets the severity (default "warn").',
  },
  INSTALLED_FILES_UNKNOWN: {
    title: 'The files of an installed package could not be checked',
    help: "vouch keeps each verified tarball's file list beside its evidence cache; offline, with neither that list nor the tarball in vouch's or npm's cache, the folder cannot be checked, and that is not a pass. Run `vouch verify --installed` once with the registry reachable, or keep <npm cache>/_vouch in the image.",
  },
  LOCK_MISSING_ENTRY: {
    title: 'package-lock.json has a version vouch.lock does not record',
    help: 'Run `vouch install` locally and commit the updated vouch.lock.',
  },
  INSTALL_SCRIPT_ADDED: {
    title: 'Install scripts where there were none: an update adds one, or (vouch diff) a package new to the lockfile has one',
    help: `A new preinstall, install or postinstall script (or a binding.gyp, for which npm runs node-gyp rebuild) in a patch or minor update is how most npm supply-chain attacks run their code. An allowScripts approval given to the earlier version would run it silently. ${CHANGE_FIX} \`changeAlerts.installScripts\` in vouch.policy.json sets the severity.`,
  },
  INSTALL_SCRIPT_CHANGED: {
    title: 'An update changes the text of an install script',
    help: `The script npm runs on install is not the one the version it replaces ran, and an allowScripts approval of the package carries over to it. ${CHANGE_FIX} \`changeAlerts.installScripts\` in vouch.policy.json sets the severity.`,
  },
  BIN_ADDED: {
    title: 'An update links a command the version it replaces did not',
    help: `npm links the command into node_modules/.bin, first on PATH for every script; a new command can take the place of a tool the project runs. ${CHANGE_FIX} \`changeAlerts.bins\` in vouch.policy.json sets the severity.`,
  },
  DEPENDENCIES_ADDED: {
    title: 'An update adds dependencies the version it replaces did not have',
    help: `New dependencies bring new publishers into the tree (a compromised package often adds one that carries the payload). ${CHANGE_FIX} \`changeAlerts.dependencies\` in vouch.policy.json sets the severity.`,
  },
  PUBLISHER_CHANGED: {
    title: 'An update was published by another npm user, or no longer by trusted publishing',
    help: `The registry's \`_npmUser\` (unsigned) names someone else than for the version it replaces, or that version came from CI by trusted publishing and this one did not: a maintainer change, or a stolen token. ${CHANGE_FIX} \`changeAlerts.publisher\` in vouch.policy.json sets the severity.`,
  },
  QUICK_RELEASE: {
    title: 'An update was published shortly after the version it replaces',
    help: `A release hours after the previous one is how a hijacked account ships malware before anyone notices; waiting (or \`minReleaseAge\`) lets the community catch it. ${CHANGE_FIX} \`changeAlerts.quickRelease\` and \`changeAlerts.quickReleaseHours\` in vouch.policy.json set the severity and the window.`,
  },
};

/** Every finding code, sorted: the enum of the JSON schema and the SARIF rule ids. */
export const FINDING_CODE_LIST: readonly FindingCode[] = (Object.keys(FINDING_CODES) as FindingCode[]).sort();
