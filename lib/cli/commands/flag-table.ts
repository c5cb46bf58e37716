// Every flag of every command, once: what the command parses (node:util parseArgs reads `type`, `short`,
// `multiple` and ignores the rest) and what its --help and docs/cli.md say (`value`, `help`). Nothing here
// is loaded but this table, so `vouch --help` stays cheap.

export interface FlagSpec {
  type: 'boolean' | 'string';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help (string flags). */
  value?: string;
  /** What it does; continuation lines are indented under it. */
  help: string;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** How the verifying commands fetch and whom they trust. */
const FETCH_FLAGS = {
  concurrency: { type: 'string', value: 'N', help: 'parallel registry requests (default 64)' },
  timeout: { type: 'string', value: 'MS', help: 'per-request time bound (default 30000); failures are retried twice' },
  'trusted-root': { type: 'string', multiple: true, value: 'FILE', help: 'also trust this Sigstore trusted_root.json (repeatable; private deployments)' },
} as const satisfies FlagTable;

/** vouch's own flags on the commands that print a gate report (install, ci, verify); the rest of their line is npm's. */
export const GATE_FLAGS = {
  format: {
    type: 'string',
    value: 'F',
    help: 'text (default), json (docs/report-json.md), sarif (GitHub code scanning) or\ncodequality (GitLab Code Quality)',
  },
  verbose: { type: 'boolean', help: 'list allowed packages too' },
  ...FETCH_FLAGS,
} as const satisfies FlagTable;

/** The CI gates (ci, verify) also write the report to files, in other formats, from the same run. */
const REPORT_FILE = {
  'report-file': {
    type: 'string',
    multiple: true,
    value: 'F=FILE',
    help: 'also write the report in format F to FILE, whatever the decision (repeatable;\ne.g. --report-file sarif=vouch.sarif); docs/ci.md',
  },
} as const satisfies FlagTable;

/** The npm flags explain, approve and policy take (install, ci and verify take every npm flag). */
export const NPM_PASS_FLAGS = {
  offline: { type: 'boolean', help: "use only cached registry data (npm's --offline); packages without cached evidence are reported" },
  registry: { type: 'string', value: 'URL', help: "default registry (npm's --registry)" },
  omit: { type: 'string', multiple: true, value: 'KIND', help: "dev, optional or peer: skip these dependency kinds (npm's --omit; repeatable)" },
} as const satisfies FlagTable;

const JSON_SUMMARY = { type: 'boolean', help: 'print a JSON summary' } as const satisfies FlagSpec;
const OPERATOR_STORAGE = { type: 'string', value: 'DIR', help: "the registry's storage folder (default ./.vouch-registry)" } as const satisfies FlagSpec;

const SIGN_FLAGS = {
  key: { type: 'string', value: 'FILE', help: 'a private key file (vouch keygen; PEM)' },
  'key-env': { type: 'string', value: 'VAR', help: 'a private key (PEM) in an environment variable, e.g. a CI secret' },
  'signer-command': {
    type: 'string',
    value: 'CMD',
    help: 'an external signer (KMS/HSM): CMD gets the bytes to sign on stdin and prints\nthe signature (base64 or raw; DER or r||s). Needs --public-key FILE.',
  },
  keyless: {
    type: 'boolean',
    help: "Sigstore keyless (CI only): an OIDC token (SIGSTORE_ID_TOKEN, GitHub Actions'\nid-token, or --identity-token) is exchanged at Fulcio for a certificate",
  },
  'public-key': { type: 'string', value: 'FILE', help: 'the public key of --signer-command (SPKI PEM)' },
  'rekor-url': {
    type: 'string',
    value: 'URL',
    help: 'log the signature in this Rekor (a signed time; default for --keyless:\npublic-good). Without it a key signature carries no time.',
  },
  'fulcio-url': { type: 'string', value: 'URL', help: 'Fulcio for --keyless (default public-good)' },
  'identity-token': { type: 'string', value: 'TOKEN', help: 'OIDC token for --keyless (prefer SIGSTORE_ID_TOKEN: flags are visible to ps)' },
  out: { type: 'string', value: 'FILE', help: 'bundle file (default beside the tarball)' },
  'out-dir': {
    type: 'string',
    value: 'DIR',
    help: 'folder for the packed tarball (default: here, or a temporary folder when\nhere is the package folder); never inside the package folder',
  },
  registry: { type: 'string', value: 'URL', help: "registry named in the publisher attestation (default: npm's, publishConfig)" },
  json: JSON_SUMMARY,
} as const satisfies FlagTable;

/**
 * `vouch verify --attest`: a signed verification summary, with `vouch sign`'s key flags. On verify `--key` is
 * vouch's (npm's own --key, a TLS client key, is still read from .npmrc).
 */
export const ATTEST_FLAGS = {
  attest: {
    type: 'string',
    value: 'FILE',
    help: 'also write a signed verification summary (in-toto, SLSA VSA v1, Sigstore\nbundle) over the lockfile, PASSED or FAILED (docs/attest.md)',
  },
  'attest-tree': { type: 'boolean', help: 'the summary also binds node_modules (a digest of every file in it)' },
  key: { type: 'string', value: 'FILE', help: 'sign it with this private key file (vouch keygen; PEM)' },
  'key-env': SIGN_FLAGS['key-env'],
  'signer-command': SIGN_FLAGS['signer-command'],
  'public-key': SIGN_FLAGS['public-key'],
  keyless: SIGN_FLAGS.keyless,
  'fulcio-url': SIGN_FLAGS['fulcio-url'],
  'rekor-url': SIGN_FLAGS['rekor-url'],
  'identity-token': SIGN_FLAGS['identity-token'],
} as const satisfies FlagTable;

/** The four ways to sign, of which a run takes exactly one (help groups them). */
export const SIGN_METHODS = ['key', 'key-env', 'signer-command', 'keyless'] as const;

export const FLAGS = {
  install: GATE_FLAGS,
  check: GATE_FLAGS,
  diff: {
    format: {
      type: 'string',
      value: 'F',
      help: 'text (default), json (docs/diff.md), sarif or codequality (each result on its line\nof the head package-lock.json)',
    },
    concurrency: GATE_FLAGS.concurrency,
    timeout: GATE_FLAGS.timeout,
    'trusted-root': GATE_FLAGS['trusted-root'],
    offline: NPM_PASS_FLAGS.offline,
    registry: NPM_PASS_FLAGS.registry,
  },
  ci: {
    'update-lock': { type: 'boolean', help: 'record versions and identities vouch.lock lacks instead of failing' },
    ...GATE_FLAGS,
    ...REPORT_FILE,
  },
  verify: {
    lockfile: { type: 'boolean', help: 'verify the lockfile (default)' },
    'lockfile-kind': {
      type: 'string',
      value: 'KIND',
      help: "npm, pnpm, yarn or bun: which lockfile to read (default: the one present;\nwith several, package.json's packageManager, else npm's)",
    },
    installed: {
      type: 'boolean',
      help: "verify node_modules instead: what npm recorded there, and every package folder's\nfiles against the tarball vouch verified (INSTALLED_FILE_MODIFIED / _MISSING / _ADDED)",
    },
    tarballs: {
      type: 'boolean',
      help: 'also download every tarball and hash it against the signed integrity (as\nvouch ci does, bounded and cached; nothing written in the project)',
    },
    locked: { type: 'boolean', help: 'also require vouch.lock in canonical form and to record every locked version' },
    packages: {
      type: 'string',
      value: 'FILE',
      help: "verify this list of registry packages instead (JSON, - for stdin): what pnpm,\nYarn or Bun is about to install, as vouch's gate for them writes it\n(docs/package-managers.md); packages listed without integrity are hashed\nfrom their tarballs",
    },
    ...GATE_FLAGS,
    ...REPORT_FILE,
    ...ATTEST_FLAGS,
  },
  policy: {
    force: { type: 'boolean', help: 'replace an existing vouch.policy.json' },
    ...FETCH_FLAGS,
    ...NPM_PASS_FLAGS,
  },
  approve: {
    reason: { type: 'string', value: 'TEXT', help: 'why (required; recorded)' },
    by: { type: 'string', value: 'WHO', help: 'who approves (default: git user.email, else the OS user)' },
    expires: { type: 'string', value: 'DATE', help: 'when the exception ends (YYYY-MM-DD, in the future; default in 30 days)' },
    allow: { type: 'string', multiple: true, value: 'CODE', help: 'waive exactly these finding codes (repeatable; default: the ones found)' },
    ...FETCH_FLAGS,
    ...NPM_PASS_FLAGS,
  },
  explain: {
    installed: { type: 'boolean', help: 'explain the package as installed in node_modules' },
    ...FETCH_FLAGS,
    ...NPM_PASS_FLAGS,
  },
  'trust-root': {
    'mirror-url': { type: 'string', value: 'URL', help: "the TUF repository (default Sigstore's public-good CDN)" },
  },
  registry: {
    port: { type: 'string', value: 'N', help: 'port to listen on (default 4873; 0 picks a free one)' },
    host: { type: 'string', value: 'ADDR', help: 'address to bind (default 127.0.0.1)' },
    storage: { type: 'string', value: 'DIR', help: 'storage folder: packages, users (htpasswd), generated key (default ./.vouch-registry)' },
    key: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      help: 'signing key (PEM, ECDSA P-256). Repeat to keep retired keys listed:\nthe first is the active key, later ones are written FILE=EXPIRES (ISO 8601), e.g.\n--key new.pem --key old.pem=2026-11-24T12:00:00Z. Without --key a key is\ngenerated once under <storage>/.vouch/keys/.',
    },
    config: {
      type: 'string',
      value: 'FILE',
      help: 'run this Verdaccio config file instead of the embedded one (it must list the\nvouch plugin, see docs/registry-plugin.md); --storage, --key, --witness and\n--publish-policy do not apply',
    },
    witness: {
      type: 'string',
      multiple: true,
      value: 'URL',
      help: 'submit each signing log checkpoint to this witness (the URL `vouch log witness`\nprints; repeatable) and serve the checkpoint with its cosignatures',
    },
    'publish-policy': {
      type: 'string',
      value: 'FILE',
      help: 'refuse publishes this JSON policy does not allow: provenance from named\nrepositories, workflows, issuers; a publisher key; no re-publish (see\ndocs/registry-plugin.md, "Publish policy")',
    },
    json: { type: 'boolean', help: 'print one JSON line {url, keyid, storage, logKey, trustedRoot, witnesses} when ready' },
  },
  'registry rotate': {
    storage: OPERATOR_STORAGE,
    from: { type: 'string', value: 'OLD.pem', help: 'the key signing now (private, or public-only for a lost key: then no endorsement)' },
    to: { type: 'string', value: 'NEW.pem', help: 'the new signing key (private)' },
    limit: { type: 'string', value: 'N', help: 're-sign at most N versions in this run (the next run continues)' },
    json: JSON_SUMMARY,
  },
  'registry revoke': {
    storage: OPERATOR_STORAGE,
    key: { type: 'string', value: 'FILE', help: 'the compromised key (public or private PEM)' },
    at: { type: 'string', value: 'ISO', help: 'when it was compromised (ISO 8601; default now)' },
    json: JSON_SUMMARY,
  },
  keygen: {
    out: { type: 'string', value: 'DIR', help: 'folder for vouch-publisher.key and vouch-publisher.pub (default ~/.vouch/keys)' },
    type: { type: 'string', value: 'T', help: 'ed25519 (default) or p256' },
    json: { type: 'boolean', help: 'print {keyid, type, privateKeyFile, publicKeyFile, publicKey}' },
  },
  'verify-summary': {
    key: { type: 'string', value: 'FILE', help: "the public key (SPKI PEM) that must have signed it (vouch keygen's .pub)" },
    'identity-issuer': { type: 'string', value: 'URL', help: "keyless: the OIDC issuer of the signer's certificate, with one of:" },
    'identity-san': { type: 'string', value: 'URI', help: "keyless: the certificate's subject (a workflow URI with its ref, an email)" },
    'identity-repository': { type: 'string', value: 'URL', help: 'keyless: the source repository, e.g. https://github.com/acme/app' },
    'identity-repository-id': { type: 'string', value: 'ID', help: "keyless: the repository's immutable id" },
    'identity-workflow': { type: 'string', value: 'PATH', help: 'keyless: the signing workflow, e.g. .github/workflows/ci.yml' },
    'identity-ref': { type: 'string', value: 'GLOB', help: 'keyless: the git ref it ran on (a glob over the whole ref, e.g. refs/heads/main)' },
    tree: { type: 'boolean', help: "require the summary to bind node_modules (one signed with vouch verify's tree option)" },
    prefix: { type: 'string', value: 'DIR', help: 'the project folder (default: the current folder)' },
    'trusted-root': FETCH_FLAGS['trusted-root'],
    json: { type: 'boolean', help: 'print {verified, problems, signer, summary} as JSON' },
  },
  sign: SIGN_FLAGS,
  publish: SIGN_FLAGS,
  log: {
    key: { type: 'string', value: 'VKEY', help: "the log's verifier key (as `vouch registry` prints it) instead of the one pinned on the\nfirst audit" },
    state: {
      type: 'string',
      value: 'FILE',
      help: 'where the audit remembers the log key and tree (default: one file per registry\nunder $VOUCH_DATA_DIR/logs/; keep it between CI runs, e.g. in a cache)',
    },
    format: { type: 'string', value: 'F', help: 'text (default) or json' },
    timeout: { type: 'string', value: 'MS', help: 'per-request time bound (default 30000); failures are retried twice' },
  },
  'log witness': {
    log: {
      type: 'string',
      multiple: true,
      value: 'VKEY',
      help: 'a log to witness: its verifier key (name+keyid+base64), e.g. the signing log\nkey `vouch registry` prints; its name is the checkpoint origin (repeatable)',
    },
    key: { type: 'string', value: 'FILE', help: "the witness's Ed25519 private key (PKCS#8 PEM); created with mode 0600 if absent" },
    state: {
      type: 'string',
      value: 'FILE',
      help: 'the witness state: per log, the size and root hash last cosigned (JSON,\nwritten atomically; one witness per file)',
    },
    name: { type: 'string', value: 'NAME', help: 'the witness name in its key and cosignatures (default vouch-witness/<key hash>)' },
    port: { type: 'string', value: 'N', help: 'port to listen on (default 7380; 0 picks a free one)' },
    host: { type: 'string', value: 'ADDR', help: 'address to bind (default 127.0.0.1)' },
    json: { type: 'boolean', help: 'print one JSON line {url, name, verifierKey, logs, state, key} when ready' },
  },
} as const satisfies Record<string, FlagTable>;

export type CommandName = keyof typeof FLAGS;

/** The npm commands whose command line vouch install, ci and verify read (every npm flag, npm's parser). */
export type NpmCommand = 'install' | 'ci' | 'verify';

/** An npm flag that cannot mean behind the gate what it means for npm: refused, with why and what instead. */
export interface NpmRefusal {
  key: string;
  /** How help names it. */
  flag: string;
  refuses(value: unknown): boolean;
  commands: readonly NpmCommand[];
  reason: string;
}

export const NPM_REFUSALS: readonly NpmRefusal[] = [
  {
    key: 'global',
    flag: '-g, --global',
    refuses: (v) => v === true,
    commands: ['install', 'ci', 'verify'],
    reason: "vouch gates a project's node_modules, not a global install: install tools into a project",
  },
  {
    key: 'location',
    flag: '--location=global',
    refuses: (v) => v === 'global',
    commands: ['install', 'ci', 'verify'],
    reason: 'as --global',
  },
  {
    key: 'audit',
    flag: '--audit',
    refuses: (v) => v === true,
    commands: ['install', 'ci'],
    reason: 'vouch runs no advisory audit: run `npm audit` on its own (--no-audit is accepted)',
  },
  {
    key: 'fund',
    flag: '--fund',
    refuses: (v) => v === true,
    commands: ['install', 'ci'],
    reason: 'vouch prints no funding messages: run `npm fund` (--no-fund is accepted)',
  },
  {
    key: 'parseable',
    flag: '--parseable',
    refuses: (v) => v === true,
    commands: ['install', 'ci', 'verify'],
    reason: 'vouch reports as text, json or sarif: use --format json (or --json)',
  },
  {
    key: 'package-lock',
    flag: '--no-package-lock',
    refuses: (v) => v === false,
    commands: ['ci'],
    reason: 'npm ci always installs from package-lock.json',
  },
];

/** What help says about the npm flags people use most with each command (all others: as npm). */
/** Whose help lists a note: an npm command's, or `vouch check`'s (install's resolution, nothing written). */
export type NpmHelpTopic = NpmCommand | 'check';

export interface NpmFlagNote {
  flags: string;
  help: string;
  commands: readonly NpmHelpTopic[];
}

export const NPM_FLAG_NOTES: readonly NpmFlagNote[] = [
  { flags: '-D, -O, -E, -P, --save-peer', help: 'save as a dev, optional, exact, prod or peer dependency', commands: ['install'] },
  { flags: '--no-save', help: 'leave package.json, package-lock.json and vouch.lock as they are', commands: ['install'] },
  { flags: '--package-lock-only', help: 'verify, then write package-lock.json only (no node_modules, no scripts)', commands: ['install'] },
  { flags: '--ignore-scripts', help: 'do not run install scripts', commands: ['install', 'ci'] },
  {
    flags: '--dry-run',
    help: 'verify and judge as usual, then install and write nothing (and say so);\nnpm_config_dry_run=true means the same',
    commands: ['install', 'ci'],
  },
  {
    flags: '--omit, --include',
    help: 'dependency kinds to leave out or keep (dev, optional, peer); --production is --omit=dev',
    commands: ['install', 'ci', 'verify', 'check'],
  },
  {
    flags: '-w, --workspace',
    help: 'only these workspaces (name, folder or glob; repeatable); from inside a\nworkspace folder, that workspace. --workspaces: all of them; --include-workspace-root',
    commands: ['install', 'ci', 'verify', 'check'],
  },
  {
    flags: '--prefix',
    help: "the project folder (default: npm's, the nearest package.json or workspace root)",
    commands: ['install', 'ci', 'verify', 'check'],
  },
  { flags: '--registry', help: 'default registry; @scope:registry and .npmrc as npm reads them', commands: ['install', 'ci', 'verify', 'check'] },
  { flags: '--offline', help: 'use only cached registry data; packages without cached evidence are reported', commands: ['install', 'ci', 'verify', 'check'] },
  { flags: '--json', help: 'the report as JSON (--format json)', commands: ['install', 'ci', 'verify', 'check'] },
  { flags: '-s, --silent', help: 'print nothing when allowed (a deny still prints its report)', commands: ['install', 'ci', 'verify', 'check'] },
  {
    flags: '--install-strategy',
    help: "hoisted (default), nested, shallow or linked (npm's node_modules/.store layout):\nthe same verified packages in npm's layout; install scripts run where npm runs them",
    commands: ['install', 'ci'],
  },
  {
    flags: '--legacy-peer-deps, --strict-peer-deps, --before, --cpu, --os, --install-links, --prefer-offline',
    help: 'as npm',
    commands: ['install', 'ci', 'check'],
  },
];
