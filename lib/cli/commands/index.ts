// The command table: name, one-line summary, what it does, and a lazy loader (start-up stays cheap).
// Each command's --help (and docs/cli.md) is rendered from this table and flag-table.ts, the same table
// the command parses its flags with (lib/cli/help.ts).
import { INTERNAL_ERROR_EXIT, type ExitCode } from '../../errors/index.js';
import type { Output } from '../output.js';
import type { CommandName, NpmCommand, NpmHelpTopic } from './flag-table.js';

export type CommandRun = (argv: string[], out: Output) => Promise<ExitCode>;

export interface Command {
  name: string;
  /** The short form in `vouch --help`. */
  usage: string;
  summary: string;
  /** The `Usage:` lines of its own help. */
  synopsis: string[];
  description: string;
  /** Its flags in flag-table.ts. */
  flags: CommandName;
  /** Every other flag is read as this npm command reads it (npm-command-line.ts). */
  npm?: NpmCommand;
  /** Which notes on npm flags its help shows (default: its npm command's). */
  npmHelp?: NpmHelpTopic;
  /** Exit codes, as `code meaning` pairs. */
  exits: [number, string][];
  /** Subcommands with their own flags, rendered after the command's help. */
  subcommands?: Subcommand[];
  load(): Promise<CommandRun>;
}

export interface Subcommand {
  synopsis: string;
  description: string;
  flags: CommandName;
  exits: [number, string][];
}

const INTERNAL: [number, string] = [INTERNAL_ERROR_EXIT, 'internal error (a fault of vouch: please report it)'];
const GATE_EXITS: [number, string][] = [
  [2, 'usage or configuration error (including no such package or version)'],
  [3, 'could not verify (fail closed)'],
  INTERNAL,
];

export const COMMANDS: Command[] = [
  {
    name: 'install',
    usage: 'install [spec…] [npm flags]',
    summary: 'npm install, verified: nothing is written unless every package passes',
    synopsis: ['vouch install [spec…] [options] [npm install flags]'],
    description: `npm's install (adds specs to package.json and package-lock.json, honours .npmrc), but the whole ideal
tree is verified first: lockfile integrity = signed dist.integrity = sha512 of the tarball fetched,
registry signatures, attestations and provenance identity, vouch.policy.json and the identities pinned
in vouch.lock. On any deny nothing is written and no script runs. On success the same tree is
installed from the verified bytes, install scripts run (unless ignore-scripts), and new versions and
identities are recorded in vouch.lock.`,
    flags: 'install',
    npm: 'install',
    exits: [[0, 'installed'], [1, 'denied (nothing written)'], ...GATE_EXITS],
    load: async () => (await import('./install.js')).run,
  },
  {
    name: 'ci',
    usage: 'ci [--update-lock] [npm flags]',
    summary: 'npm ci, verified: clean install from package-lock.json, vouch.lock must be complete',
    synopsis: ['vouch ci [options] [npm ci flags]'],
    description: `npm ci's semantics from package-lock.json (fails when package.json and the lockfile disagree), behind
the same gate as vouch install. vouch.lock must already record every locked version, as npm ci needs an
up-to-date lockfile; --update-lock records the missing ones instead. node_modules is cleared only after
the gate allowed.`,
    flags: 'ci',
    npm: 'ci',
    exits: [[0, 'installed'], [1, 'denied (nothing written)'], ...GATE_EXITS],
    load: async () => (await import('./ci.js')).run,
  },
  {
    name: 'verify',
    usage: 'verify [--installed | --tarballs] [--format text|json|sarif]',
    summary: 'verify every package in package-lock.json (or node_modules) against policy and vouch.lock',
    synopsis: ['vouch verify [options] [npm flags]'],
    description: `Verifies every package of the tree without installing anything: lockfile integrity equals the
registry's signed dist.integrity, registry signatures (npm's semantics), Sigstore attestations
(provenance identity from the Fulcio certificate, publish and publisher attestations), then applies
vouch.policy.json and the identities pinned in vouch.lock. Writes nothing.`,
    flags: 'verify',
    npm: 'verify',
    exits: [[0, 'allowed'], [1, 'denied'], ...GATE_EXITS],
    load: async () => (await import('./verify.js')).run,
  },
  {
    name: 'verify-summary',
    usage: 'verify-summary FILE --key PUB | --identity-issuer URL --identity-…',
    summary: 'a deploy gate: check a signed verification summary (verify --attest) against the project as it is now',
    synopsis: ['vouch verify-summary FILE --key PUB [options]', 'vouch verify-summary FILE --identity-issuer URL --identity-repository URL [options]'],
    description: `Checks a verification summary that \`vouch verify\` signed and wrote, so a later stage (a deploy
gate) accepts the build without verifying the whole tree again: the Sigstore bundle must verify with the
public key given (or carry a Fulcio certificate for the identity given), every subject must be the
project's as it is now (the lockfile's sha256 and sha512; node_modules's tree digest when the summary
binds it), the summary must have been judged under the project's vouch.policy.json and vouch.lock (the
built-in policy and no lock when they are absent), and its result must be PASSED. Reads the project
folder and nothing else: no registry, no network (keyless summaries verify against the shipped
Sigstore root and --trusted-root). See docs/attest.md.`,
    flags: 'verify-summary',
    exits: [
      [0, 'the summary verifies and matches the project'],
      [1, 'refused: every difference is listed (signature, signer, subjects, policy, lock, result)'],
      [2, 'usage, an unreadable key, or a summary file that is missing or not JSON'],
      INTERNAL,
    ],
    load: async () => (await import('./verify-summary.js')).run,
  },
  {
    name: 'check',
    usage: 'check <spec>… [npm flags]',
    summary: 'would these versions pass? the tree `vouch install <spec…>` would install, judged, nothing written',
    synopsis: ['vouch check <name>@<version>… [options] [npm install flags]'],
    description: `Resolves the tree \`vouch install <spec…>\` would install and verifies and judges it with this
project's vouch.policy.json and vouch.lock, as install would, but writes nothing: not package.json,
not the lockfiles, not node_modules. For update bots (docs/ci.md): each spec's answer is printed
first (--format json: {decision, checked: [{spec, name, version, decision, findings}], report}).`,
    flags: 'check',
    npm: 'install',
    npmHelp: 'check',
    exits: [[0, 'every package of that tree would pass'], [1, 'something would be denied'], ...GATE_EXITS],
    load: async () => (await import('./check.js')).run,
  },
  {
    name: 'diff',
    usage: 'diff <base> [--format text|json|sarif]',
    summary: 'what a lockfile pull request changes: each package added, removed or changed, with its evidence',
    synopsis: ['vouch diff <base-lockfile | project-folder | git-revision> [options]'],
    description: `Compares this project's package-lock.json with a base one: a file, a folder holding one, or a git
revision (origin/main, HEAD~1: its package-lock.json and package.json files as committed there). Lists
every package added, removed or changed (version, resolved, integrity) with its evidence: the policy's
verdict, release time, provenance repository, install scripts and new dependencies. Lockfile edits npm
would not have made from the package.json files are findings of their own (LOCKFILE_UNREQUESTED,
LOCKFILE_OUT_OF_RANGE, LOCKFILE_RESOLVED_CHANGED), and so is a new package with install scripts
(INSTALL_SCRIPT_ADDED). Only what changed is verified. Writes nothing. See docs/diff.md.`,
    flags: 'diff',
    exits: [
      [0, 'nothing that changed is denied'],
      [1, 'something that changed is denied'],
      [2, 'usage: no such file or revision, an unreadable lockfile'],
      [3, 'could not verify (fail closed)'],
      INTERNAL,
    ],
    load: async () => (await import('./diff.js')).run,
  },
  {
    name: 'policy',
    usage: 'policy init [--force]',
    summary: 'write a starter vouch.policy.json and the first vouch.lock from the current tree',
    synopsis: ['vouch policy init [options]'],
    description: `Verifies the lockfile's tree and writes a starter vouch.policy.json (registry signatures required
where the registry publishes keys, registries without keys marked keys "none", provenance
no-downgrade, "minReleaseAge": 1 day) and the first vouch.lock (identities pinned on first use), then
prints what it found. Refuses to replace an existing policy without --force. See docs/policy.md.`,
    flags: 'policy',
    exits: [[0, 'written'], [2, 'usage (a policy already there, bad flags) or no lockfile'], [3, 'could not verify (nothing written)'], INTERNAL],
    load: async () => (await import('./policy.js')).run,
  },
  {
    name: 'approve',
    usage: 'approve <name>[@range] | --registry URL  --reason "…"',
    summary: "accept an identity change or a registry's new keys (vouch.lock), or a waivable finding (a dated policy exception)",
    synopsis: ['vouch approve <name>[@range] --reason "…" [options]', 'vouch approve --registry URL --reason "…" [--by WHO]'],
    description: `Accepts what the gate denied for one package of the lockfile:
- an identity change (new repository, workflow or publisher key) or new bytes for a recorded
  version: re-pins vouch.lock (old → new) and records who, when and why; the lock diff is printed;
- a waivable finding (e.g. PROVENANCE_MISSING, UNSIGNED_REGISTRY): appends a dated exception to
  vouch.policy.json (expires in 30 days unless --expires), keeping the rest of the file as it was.
With --registry URL and no package: pins the signing keys that registry serves now in vouch.lock
(a key added without endorsement, removed, or a keys endpoint that stopped serving keys), recording
the key ids before and after; revocations stay pinned.`,
    flags: 'approve',
    exits: [
      [0, 'recorded (or nothing to approve)'],
      [2, 'usage (no --reason, a bad --expires, a package not in the lockfile)'],
      [3, 'could not verify'],
      INTERNAL,
    ],
    load: async () => (await import('./approve.js')).run,
  },
  {
    name: 'explain',
    usage: 'explain <name>[@version]',
    summary: 'every piece of evidence for one package and the rule that decided',
    synopsis: ['vouch explain <name>[@version] [options]'],
    description: `Verifies one package of the lockfile (or node_modules) and prints, in words, its integrity, registry
signature, attestations and provenance identity, what vouch.lock pins, and every finding with the
policy rule that produced it and what to do.`,
    flags: 'explain',
    exits: [[0, 'allowed'], [1, 'denied'], [2, 'usage (not in the tree)'], [3, 'could not verify'], INTERNAL],
    load: async () => (await import('./explain.js')).run,
  },
  {
    name: 'trust-root',
    usage: 'trust-root update',
    summary: 'refresh the Sigstore public-good root and npm keys through TUF (needs a network)',
    synopsis: ['vouch trust-root update [options]'],
    description: `Downloads Sigstore's public-good trusted_root.json and npm's registry keys (registry.npmjs.org/keys.json)
through Sigstore's TUF repository, verified from the TUF root @sigstore/tuf embeds, and stores them in
$VOUCH_DATA_DIR (default ~/.local/share/vouch)/trust/. vouch then reads those instead of the snapshots it
ships in trust/. Verification itself never touches the network.`,
    flags: 'trust-root',
    exits: [
      [0, 'updated'],
      [2, 'usage or a root vouch cannot use'],
      [3, 'the repository is unreachable or its metadata does not verify (nothing changed either way)'],
      INTERNAL,
    ],
    load: async () => (await import('./trust-root.js')).run,
  },
  {
    name: 'registry',
    usage: 'registry [--port N] [--storage DIR] [--key FILE…] | rotate | revoke',
    summary: 'run a private npm registry that signs what it serves (Verdaccio + vouch plugin)',
    synopsis: ['vouch registry [options]'],
    description: `Runs a private npm registry (Verdaccio) that signs every version it serves the way the public npm
registry does (GET /-/npm/v1/keys, dist.signatures) and stores and serves attestations.
Comes in the separate package vouch-registry, beside vouch at the same version (docs/registry-plugin.md).
Add a publisher: npm adduser --registry <url>   (then npm publish --registry <url>)
With --witness, each checkpoint of its signing log is submitted to those witnesses (vouch log witness)
and served with their cosignatures; a publish waits up to 2 s for them.`,
    flags: 'registry',
    exits: [[0, 'stopped cleanly'], [2, 'bad flags, key file or plugin configuration'], INTERNAL],
    subcommands: [
      {
        synopsis: 'vouch registry rotate --from OLD.pem --to NEW.pem [options]',
        description: `Operator command (run it while the registry is stopped, then restart it). Moves the storage to a new
signing key: records OLD's endorsement of NEW (served on NEW's keys entry, so consumers who pinned OLD
accept NEW), then re-signs every recorded version's registry signature and re-issues its publish
attestation with NEW. Tarballs, integrity and publisher bundles are never changed. Progress is saved in
<storage>/.vouch/rotation.json: an interrupted run (Ctrl-C, a crash, --limit) continues where it
stopped; a finished one says so and does nothing. Then restart with
--key NEW.pem --key OLD.pem=<now, ISO 8601>.`,
        flags: 'registry rotate',
        exits: [
          [0, 'done or stopped cleanly'],
          [1, 'some versions refused (listed)'],
          [2, 'bad flags or keys'],
        ],
      },
      {
        synopsis: 'vouch registry revoke --key FILE [options]',
        description: `Operator command (run it while the registry is stopped, then restart it). Records that a key is
compromised. From the next start GET /-/npm/v1/keys lists it with "revoked", and every registry
signature and publish attestation by it is re-signed with the active key when served. A revoked key
cannot be the active key.`,
        flags: 'registry revoke',
        exits: [
          [0, 'recorded (or already revoked)'],
          [2, 'bad flags or key file'],
        ],
      },
    ],
    load: async () => (await import('../registry-package.js')).loadRegistryCommand(),
  },
  {
    name: 'log',
    usage: 'log verify|show <registry-url> [<package>] | log witness',
    summary: "audit a vouch registry's signing log: every signature logged, the log never rewritten; or witness it",
    synopsis: ['vouch log verify <registry-url> [options]', 'vouch log show <registry-url> <package> [options]'],
    description: `Audits the signing log a vouch registry serves (/-/vouch/log/, c2sp.org/tlog-tiles): its checkpoint must
verify with the log key (pinned on the first audit of that registry, or --key), every entry since the last
audit must be a registry signature the registry's keys verify, and the tree of all entries must be the
checkpoint's and extend the tree the last audit saw. A log rewritten, forked or shrunk since, or a
checkpoint over entries it does not serve, is LOG_INCONSISTENT. Reads only the entries that are new.
show lists one package's signing events (index, version, key, how it was signed), after reading every
entry and checking the tree against the checkpoint as verify does (it does not advance the audit state).`,
    flags: 'log',
    exits: [
      [0, 'consistent, every entry verifies'],
      [1, 'LOG_INCONSISTENT, LOG_CHECKPOINT_INVALID or LOG_ENTRY_INVALID (the audit state is not advanced)'],
      [2, 'usage, or the registry serves no signing log'],
      [3, 'the registry could not be reached'],
      INTERNAL,
    ],
    subcommands: [
      {
        synopsis: 'vouch log witness --log VKEY [--log VKEY…] --key FILE --state FILE [options]',
        description: `Runs a witness (c2sp.org/tlog-witness) for the logs given: POST <url>add-checkpoint takes a log's
signed checkpoint with a consistency proof from the size this witness last cosigned, and answers with a
cosignature (c2sp.org/tlog-cosignature, Ed25519, with the time it signed) when the checkpoint is signed by
the log's key and extends what the witness saw; 409 with its size when the old size is not its own, 422
when the proof fails, 404 for an unknown log, 403 for a key it does not trust. What it cosigned is kept per
log in the state file (written before it answers, never moved back). Prints its verifier key (for
clients to require its cosignature) and URL. Loopback by default; Ctrl-C stops it.`,
        flags: 'log witness',
        exits: [[0, 'stopped cleanly'], [2, 'bad flags, key file or state file (damaged, or in use by another witness)'], INTERNAL],
      },
    ],
    load: async () => (await import('./log.js')).run,
  },
  {
    name: 'keygen',
    usage: 'keygen [--out DIR] [--type ed25519|p256]',
    summary: 'create a publisher key pair for signing what you publish',
    synopsis: ['vouch keygen [options]'],
    description: `Creates a publisher key pair. The private key is written as PKCS#8 PEM with mode 0600, the public key
PEM beside it; the key id (SHA256:… fingerprint) is printed, for consumers to pin in
vouch.policy.json (rules[].publisherKeys). An existing key is never overwritten.`,
    flags: 'keygen',
    exits: [[0, 'written'], [2, 'bad flags or a key already there'], INTERNAL],
    load: async () => (await import('./keygen.js')).run,
  },
  {
    name: 'sign',
    usage: 'sign [TARBALL|DIR] --key FILE|--keyless|…',
    summary: 'sign a package tarball: an in-toto statement over its sha512, as a Sigstore bundle',
    synopsis: ['vouch sign [TARBALL|DIR] [options]'],
    description: `Packs DIR (default: the current folder) exactly as npm pack does, or takes TARBALL, and signs an
in-toto Statement v1 whose subject is the package purl and the tarball's sha512: SLSA provenance v1
from the CI environment in GitHub Actions or GitLab CI, else a publisher attestation naming the key.
Writes the Sigstore bundle (DSSE, v0.3) as <name>-<version>.sigstore beside the tarball. Nothing is
written into the package folder (the next pack would ship it): run from inside it, the tarball and
bundle go to a new temporary folder, printed; a package already holding such files is refused.`,
    flags: 'sign',
    exits: [[0, 'signed'], [1, 'signing failed'], [2, 'usage or key error'], INTERNAL],
    load: async () => (await import('./sign.js')).run,
  },
  {
    name: 'publish',
    usage: 'publish [DIR|TARBALL] [sign options] [-- npm flags]',
    summary: 'sign, then publish the tarball with its attestation attached',
    synopsis: ['vouch publish [DIR|TARBALL] [options] [-- npm publish flags]'],
    description: `Signs as vouch sign does, then publishes the exact signed tarball with the bundle attached as
<name>-<version>.sigstore in the publish document, as npm attaches provenance. The registry serves it
from /-/npm/v1/attestations/<name>@<version> (the vouch registry plugin, or any registry that stores
npm provenance attachments). If signing fails, nothing is published. Authentication comes from
.npmrc, as for npm publish; tokens and keys are never printed. Run from inside the package folder,
the tarball (and the bundle, without --out) are packed in a temporary folder removed afterwards.
npm flags after --: --registry URL, --tag T, --access public|restricted, --otp CODE, --dry-run,
--ignore-scripts (npm's precedence: flags over publishConfig over .npmrc).`,
    flags: 'publish',
    exits: [[0, 'published'], [1, 'signing failed or the registry refused'], [2, 'usage or key error'], [3, 'registry unreachable'], INTERNAL],
    load: async () => (await import('./publish.js')).run,
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
