// The command table: name, one-line summary, full help, and a lazy loader (start-up stays cheap).
import type { ExitCode } from '../../errors/index.js';
import type { Output } from '../output.js';

export type CommandRun = (argv: string[], out: Output) => Promise<ExitCode>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  help: string;
  load(): Promise<CommandRun>;
}

/** The options and exit codes vouch install and vouch ci share. */
const INSTALL_OPTIONS = `  --ignore-scripts      do not run install scripts
  --dry-run             verify and judge as usual, then install and write nothing (and say so);
                        npm_config_dry_run=true means the same
  --format F            text (default), json or sarif report
  --offline, --concurrency N, --timeout MS, --trusted-root FILE, --registry URL, --omit KIND, --verbose
                        as for vouch verify

Exit codes: 0 installed, 1 denied (nothing written), 2 usage or configuration error (including no such
package or version), 3 could not verify, 70 internal error.`;

export const COMMANDS: Command[] = [
  {
    name: 'install',
    usage: 'install [spec…] [-D|-O|-E]',
    summary: 'npm install, verified: nothing is written unless every package passes',
    help: `Usage: vouch install [spec…] [options]

npm's install (adds specs to package.json and package-lock.json, honours .npmrc), but the whole ideal
tree is verified first: lockfile integrity = signed dist.integrity = sha512 of the tarball fetched,
registry signatures, attestations and provenance identity, vouch.policy.json and the identities pinned
in vouch.lock. On any deny nothing is written and no script runs. On success the same tree is
installed from the verified bytes, install scripts run (unless ignore-scripts), and new versions and
identities are recorded in vouch.lock.

Options:
  -D, --save-dev        save as a devDependency
  -O, --save-optional   save as an optionalDependency
  -E, --save-exact      save the exact version
${INSTALL_OPTIONS}`,
    load: async () => (await import('./install.js')).run,
  },
  {
    name: 'ci',
    usage: 'ci [--update-lock]',
    summary: 'npm ci, verified: clean install from package-lock.json, vouch.lock must be complete',
    help: `Usage: vouch ci [options]

npm ci's semantics from package-lock.json (fails when package.json and the lockfile disagree), behind
the same gate as vouch install. vouch.lock must already record every locked version, as npm ci needs an
up-to-date lockfile; --update-lock records the missing ones instead. node_modules is cleared only after
the gate allowed.

Options:
  --update-lock         record versions and identities vouch.lock lacks instead of failing
${INSTALL_OPTIONS}`,
    load: async () => (await import('./ci.js')).run,
  },
  {
    name: 'verify',
    usage: 'verify [--installed | --tarballs] [--format text|json|sarif]',
    summary: 'verify every package in package-lock.json (or node_modules) against policy and vouch.lock',
    help: `Usage: vouch verify [options]

Verifies every package of the tree without installing anything: lockfile integrity equals the
registry's signed dist.integrity, registry signatures (npm's semantics), Sigstore attestations
(provenance identity from the Fulcio certificate, publish and publisher attestations), then applies
vouch.policy.json and the identities pinned in vouch.lock. Writes nothing.

Options:
  --lockfile            verify package-lock.json (default)
  --installed           verify node_modules instead (name, version and integrity recorded there;
                        the bytes on disk are not re-hashed: npm keeps no tarball to hash)
  --tarballs            also download every tarball and hash it against the signed integrity (as
                        vouch ci does, bounded and cached; nothing written in the project)
  --locked              also require vouch.lock in canonical form and to record every locked version
  --format F            text (default), json (docs/report-json.md) or sarif (GitHub code scanning)
  --offline             use only cached registry data; packages without cached evidence are reported
  --concurrency N       parallel registry requests (default 64)
  --timeout MS          per-request time bound (default 30000); failures are retried twice
  --trusted-root FILE   also trust this Sigstore trusted_root.json (repeatable; private deployments)
  --registry URL        default registry (as npm's --registry)
  --omit dev|optional|peer   skip these dependency kinds (as npm's --omit)
  --verbose             list allowed packages too

Exit codes: 0 allowed, 1 denied, 2 usage or configuration error, 3 could not verify (fail closed),
70 internal error.`,
    load: async () => (await import('./verify.js')).run,
  },
  {
    name: 'policy',
    usage: 'policy init [--force]',
    summary: 'write a starter vouch.policy.json and the first vouch.lock from the current tree',
    help: `Usage: vouch policy init [--force] [--registry URL] [--trusted-root FILE]

Verifies the lockfile's tree and writes a starter vouch.policy.json (registry signatures required
where the registry publishes keys, registries without keys marked keys "none", provenance
no-downgrade) and the first vouch.lock (identities pinned on first use), then prints what it found.
Refuses to replace an existing policy without --force. See docs/policy.md.

Exit codes: 0 written, 2 usage (a policy already there, bad flags) or no lockfile, 3 could not verify
(nothing written), 70 internal error.`,
    load: async () => (await import('./policy.js')).run,
  },
  {
    name: 'approve',
    usage: 'approve <name>[@range] | --registry URL  --reason "…"',
    summary: 'accept an identity change or a registry\'s new keys (vouch.lock), or a waivable finding (a dated policy exception)',
    help: `Usage: vouch approve <name>[@range] --reason "…" [--by WHO] [--expires YYYY-MM-DD] [--allow CODE…]
       vouch approve --registry URL --reason "…" [--by WHO]

Accepts what the gate denied for one package of the lockfile:
- an identity change (new repository, workflow or publisher key) or new bytes for a recorded
  version: re-pins vouch.lock (old → new) and records who, when and why; the lock diff is printed;
- a waivable finding (e.g. PROVENANCE_MISSING, UNSIGNED_REGISTRY): appends a dated exception to
  vouch.policy.json (expires in 30 days unless --expires), keeping the rest of the file as it was.
With --registry URL and no package: pins the signing keys that registry serves now in vouch.lock
(a key added without endorsement, removed, or a keys endpoint that stopped serving keys), recording
the key ids before and after; revocations stay pinned.

  --reason TEXT     why (required; recorded)
  --by WHO          who approves (default: git user.email, else the OS user)
  --expires DATE    when the exception ends (YYYY-MM-DD)
  --allow CODE      waive exactly these finding codes (repeatable; default: the ones found)

Exit codes: 0 recorded (or nothing to approve), 2 usage (no --reason, a bad --expires, a package not
in the lockfile), 3 could not verify, 70 internal error.`,
    load: async () => (await import('./approve.js')).run,
  },
  {
    name: 'explain',
    usage: 'explain <name>[@version]',
    summary: 'every piece of evidence for one package and the rule that decided',
    help: `Usage: vouch explain <name>[@version] [--installed] [verify options]

Verifies one package of the lockfile (or node_modules) and prints, in words, its integrity, registry
signature, attestations and provenance identity, what vouch.lock pins, and every finding with the
policy rule that produced it and what to do.

Exit codes: 0 allowed, 1 denied, 2 usage (not in the tree), 3 could not verify, 70 internal error.`,
    load: async () => (await import('./explain.js')).run,
  },
  {
    name: 'trust-root',
    usage: 'trust-root update',
    summary: 'refresh the Sigstore public-good root and npm keys through TUF (needs a network)',
    help: `Usage: vouch trust-root update [--mirror-url URL]

Downloads Sigstore's public-good trusted_root.json and npm's registry keys (registry.npmjs.org/keys.json)
through Sigstore's TUF repository, verified from the TUF root @sigstore/tuf embeds, and stores them in
$VOUCH_DATA_DIR (default ~/.local/share/vouch)/trust/. vouch then reads those instead of the snapshots it
ships in trust/. Verification itself never touches the network.

Exit codes: 0 updated, 2 usage or a root vouch cannot use, 3 the repository is unreachable or its
metadata does not verify (nothing changed either way), 70 internal error.`,
    load: async () => (await import('./trust-root.js')).run,
  },
  {
    name: 'registry',
    usage: 'registry [--port N] [--storage DIR] [--key FILE…] | rotate | revoke',
    summary: 'run a private npm registry that signs what it serves (Verdaccio + vouch plugin)',
    help: `Usage: vouch registry [options]

Runs a private npm registry (Verdaccio) that signs every version it serves the way the public npm
registry does (GET /-/npm/v1/keys, dist.signatures) and stores and serves attestations.
Comes in the separate package vouch-registry, beside vouch at the same version (docs/registry-plugin.md).

Options:
  --port N          port to listen on (default 4873; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1)
  --storage DIR     storage folder: packages, users (htpasswd), generated key (default ./.vouch-registry)
  --key FILE        signing key (PEM, ECDSA P-256). Repeat to keep retired keys listed:
                    the first is the active key, later ones are written FILE=EXPIRES (ISO 8601), e.g.
                    --key new.pem --key old.pem=2026-11-24T12:00:00Z. Without --key a key is
                    generated once under <storage>/.vouch/keys/.
  --config FILE     run this Verdaccio config file instead of the embedded one (it must list the
                    vouch plugin, see docs/registry-plugin.md); --storage and --key do not apply
  --json            print one JSON line {url, keyid, storage} when ready

Add a publisher: npm adduser --registry <url>   (then npm publish --registry <url>)
Exit codes: 0 stopped cleanly, 2 bad flags, key file or plugin configuration.

Operator commands (run them while the registry is stopped, then restart it):

vouch registry rotate [--storage DIR] --from OLD.pem --to NEW.pem [--limit N] [--json]
  Moves the storage to a new signing key: records OLD's endorsement of NEW (served on NEW's keys
  entry, so consumers who pinned OLD accept NEW), then re-signs every recorded version's registry
  signature and re-issues its publish attestation with NEW. Tarballs, integrity and publisher
  bundles are never changed. NEW must be a private key; OLD may be public-only (a lost key), then no
  endorsement is recorded. Progress is saved in <storage>/.vouch/rotation.json: an interrupted run
  (Ctrl-C, a crash, --limit) continues where it stopped; a finished one says so and does nothing.
  --limit N re-signs at most N versions in this run. Then restart with
  --key NEW.pem --key OLD.pem=<now, ISO 8601>.
  Exit codes: 0 done or stopped cleanly, 1 some versions refused (listed), 2 bad flags or keys.

vouch registry revoke [--storage DIR] --key FILE [--at ISO] [--json]
  Records that a key (public or private file) is compromised, at --at (default now). From the next
  start GET /-/npm/v1/keys lists it with "revoked", and every registry signature and publish
  attestation by it is re-signed with the active key when served. A revoked key cannot be the active key.
  Exit codes: 0 recorded (or already revoked), 2 bad flags or key file.`,
    load: async () => (await import('../registry-package.js')).loadRegistryCommand(),
  },
  {
    name: 'keygen',
    usage: 'keygen [--out DIR] [--type ed25519|p256]',
    summary: 'create a publisher key pair for signing what you publish',
    help: `Usage: vouch keygen [options]

Creates a publisher key pair. The private key is written as PKCS#8 PEM with mode 0600, the public key
PEM beside it; the key id (SHA256:… fingerprint) is printed, for consumers to pin in
vouch.policy.json (rules[].publisherKeys). An existing key is never overwritten.

Options:
  --out DIR        folder for vouch-publisher.key and vouch-publisher.pub (default ~/.vouch/keys)
  --type T         ed25519 (default) or p256
  --json           print {keyid, type, privateKeyFile, publicKeyFile, publicKey}

Exit codes: 0 written, 2 bad flags or a key already there.`,
    load: async () => (await import('./keygen.js')).run,
  },
  {
    name: 'sign',
    usage: 'sign [TARBALL|DIR] --key FILE|--keyless|…',
    summary: 'sign a package tarball: an in-toto statement over its sha512, as a Sigstore bundle',
    help: `Usage: vouch sign [TARBALL|DIR] [options]

Packs DIR (default: the current folder) exactly as npm pack does, or takes TARBALL, and signs an
in-toto Statement v1 whose subject is the package purl and the tarball's sha512: SLSA provenance v1
from the CI environment in GitHub Actions or GitLab CI, else a publisher attestation naming the key.
Writes the Sigstore bundle (DSSE, v0.3) as <name>-<version>.sigstore beside the tarball. Nothing is
written into the package folder (the next pack would ship it): run from inside it, the tarball and
bundle go to a new temporary folder, printed; a package already holding such files is refused.

How to sign (exactly one):
  --key FILE              a private key file (vouch keygen; PEM)
  --key-env VAR           a private key (PEM) in an environment variable, e.g. a CI secret
  --signer-command CMD    an external signer (KMS/HSM): CMD gets the bytes to sign on stdin and prints
                          the signature (base64 or raw; DER or r||s). Needs --public-key FILE.
  --keyless               Sigstore keyless (CI only): an OIDC token (SIGSTORE_ID_TOKEN, GitHub Actions'
                          id-token, or --identity-token) is exchanged at Fulcio for a certificate
Options:
  --public-key FILE       the public key of --signer-command (SPKI PEM)
  --rekor-url URL         log the signature in this Rekor (a signed time; default for --keyless:
                          public-good). Without it a key signature carries no time.
  --fulcio-url URL        Fulcio for --keyless (default public-good)
  --identity-token TOKEN  OIDC token for --keyless (prefer SIGSTORE_ID_TOKEN: flags are visible to ps)
  --out FILE              bundle file (default beside the tarball)
  --out-dir DIR           folder for the packed tarball (default: here, or a temporary folder when
                          here is the package folder); never inside the package folder
  --registry URL          registry named in the publisher attestation (default: npm's, publishConfig)
  --json                  print a JSON summary

Exit codes: 0 signed, 1 signing failed, 2 usage or key error.`,
    load: async () => (await import('./sign.js')).run,
  },
  {
    name: 'publish',
    usage: 'publish [DIR|TARBALL] [sign options] [-- npm flags]',
    summary: 'sign, then publish the tarball with its attestation attached',
    help: `Usage: vouch publish [DIR|TARBALL] [sign options] [-- npm publish flags]

Signs as vouch sign does, then publishes the exact signed tarball with the bundle attached as
<name>-<version>.sigstore in the publish document, as npm attaches provenance. The registry serves it
from /-/npm/v1/attestations/<name>@<version> (the vouch registry plugin, or any registry that stores
npm provenance attachments). If signing fails, nothing is published. Authentication comes from
.npmrc, as for npm publish; tokens and keys are never printed.

Sign options: as vouch sign (--key, --key-env, --signer-command/--public-key, --keyless, --rekor-url,
--fulcio-url, --identity-token, --out, --out-dir, --registry, --json). Run from inside the package
folder, the tarball (and the bundle, without --out) are packed in a temporary folder removed afterwards.
npm flags after --: --registry URL, --tag T, --access public|restricted, --otp CODE, --dry-run,
--ignore-scripts (npm's precedence: flags over publishConfig over .npmrc).

Exit codes: 0 published, 1 signing failed or the registry refused, 2 usage or key error,
3 registry unreachable.`,
    load: async () => (await import('./publish.js')).run,
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
