// The one error class vouch throws. Codes are a contract (they reach JSON and SARIF output):
// add codes, never rename them.

/** Where an error points: the package, the policy rule, the file and the JSON path inside it. */
export interface ErrorLocation {
  pkg?: string;
  rule?: string;
  file?: string;
  path?: string;
}

export type ExitCode = 0 | 1 | 2 | 3 | typeof INTERNAL_ERROR_EXIT;

/** An internal error: vouch itself failed (sysexits' EX_SOFTWARE). Never 0 or 1, and no input may lead here. */
export const INTERNAL_ERROR_EXIT = 70;

/** A failure with a stable code, a location and, where one exists, the next thing to do. */
export class VouchError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly where: ErrorLocation = {},
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VouchError';
  }

  /** The exit code the CLI gives this error: 2 usage or configuration, 3 could not verify, 1 otherwise. */
  get exitCode(): ExitCode {
    return exitCodeForError(this);
  }
}

/** Usage and configuration problems (bad flags, bad policy or lock file): exit 2. */
export type UsageCode =
  | 'USAGE'
  | 'POLICY_PARSE'
  | 'POLICY_SCHEMA'
  | 'POLICY_RULE'
  | 'LOCK_PARSE'
  | 'LOCK_SCHEMA'
  | 'LOCK_NOT_CANONICAL'
  | 'LOCK_OUT_OF_DATE'
  | 'CONFIG'
  | 'NO_LOCKFILE'
  | 'KEY_FILE'
  | 'TRUSTED_ROOT'
  | 'LOCKFILE_OUT_OF_SYNC'
  | 'PROJECT_BUSY'
  | 'PLATFORM_UNSUPPORTED'
  | 'PACKAGE_NOT_FOUND'
  | 'LOCKFILE_PARSE'
  // `vouch verify --packages`: the list a package manager's gate hands over is malformed
  | 'PACKAGE_LIST_PARSE'
  // `vouch registry` without the separate vouch-registry package, or with one of another version
  | 'REGISTRY_NOT_INSTALLED'
  | 'REGISTRY_PACKAGE_MISMATCH'
  // `vouch verify-summary`: the summary file is missing or not JSON
  | 'SUMMARY_UNREADABLE';

/** Could not verify (network, registry errors) after bounded retries: exit 3. */
export type UnreachableCode =
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_ERROR'
  | 'OFFLINE_MISS'
  // reify asked for bytes vouch had not verified (refused) or had not stored: nothing unverified was written
  | 'REIFY_UNVERIFIED'
  | 'REIFY_CACHE_MISS';

/** Verification or an operation refused (a deny of its own kind): exit 1. */
export type DeniedCode =
  | 'SIGN_FAILED'
  | 'PUBLISH_DENIED'
  | 'TARBALL_UNREADABLE'
  | 'SHRINKWRAP_TOO_DEEP'
  | 'SCRIPTS_UNREVIEWED'
  | 'INTERRUPTED'
  | 'INSTALL_SCRIPT_FAILED'
  | 'GIT_PREPARE_FAILED'
  // vouch.lock contradicts itself (a copied line, a hand-edited pin): a deny, not a usage error
  | 'LOCK_INCONSISTENT'
  | BundleErrorCode;

/** verifyBundle (the Node API) and `vouch verify-summary`: the bundle does not verify as asked. */
export type BundleErrorCode =
  | 'BUNDLE_MALFORMED' // not JSON, not a Sigstore bundle, or a format vouch does not know
  | 'BUNDLE_TOO_LARGE' // over vouch's bounds on size, nesting, certificates, log entries
  | 'BUNDLE_STATEMENT' // DSSE content that is not an in-toto statement vouch can read
  | 'BUNDLE_DIGEST' // it does not sign the artifact: message digest or in-toto subject differ
  | 'BUNDLE_SIGNER' // keyed where `identity` was given, keyless where `key` was given, another key id
  | 'BUNDLE_SIGNATURE' // @sigstore/verify refused it: signature, certificate chain, log entry, signed time
  | 'BUNDLE_IDENTITY'; // the certificate's identity is not the one required

/** Every code a VouchError can carry: a closed set, so a new code cannot be thrown without an exit code. */
export type ErrorCode = UsageCode | UnreachableCode | DeniedCode;

/** The exit code of each error code (the compiler refuses a code missing here). */
const EXIT_CODES: Readonly<Record<ErrorCode, 1 | 2 | 3>> = {
  USAGE: 2,
  POLICY_PARSE: 2,
  POLICY_SCHEMA: 2,
  POLICY_RULE: 2,
  LOCK_PARSE: 2,
  LOCK_SCHEMA: 2,
  LOCK_NOT_CANONICAL: 2,
  LOCK_OUT_OF_DATE: 2,
  CONFIG: 2,
  NO_LOCKFILE: 2,
  KEY_FILE: 2,
  TRUSTED_ROOT: 2,
  LOCKFILE_OUT_OF_SYNC: 2,
  PROJECT_BUSY: 2,
  PLATFORM_UNSUPPORTED: 2,
  PACKAGE_NOT_FOUND: 2,
  LOCKFILE_PARSE: 2,
  PACKAGE_LIST_PARSE: 2,
  REGISTRY_NOT_INSTALLED: 2,
  REGISTRY_PACKAGE_MISMATCH: 2,
  SUMMARY_UNREADABLE: 2,
  REGISTRY_UNREACHABLE: 3,
  REGISTRY_ERROR: 3,
  OFFLINE_MISS: 3,
  REIFY_UNVERIFIED: 3,
  REIFY_CACHE_MISS: 3,
  SIGN_FAILED: 1,
  PUBLISH_DENIED: 1,
  TARBALL_UNREADABLE: 1,
  SHRINKWRAP_TOO_DEEP: 1,
  SCRIPTS_UNREVIEWED: 1,
  INTERRUPTED: 1,
  INSTALL_SCRIPT_FAILED: 1,
  GIT_PREPARE_FAILED: 1,
  LOCK_INCONSISTENT: 1,
  BUNDLE_MALFORMED: 1,
  BUNDLE_TOO_LARGE: 1,
  BUNDLE_STATEMENT: 1,
  BUNDLE_DIGEST: 1,
  BUNDLE_SIGNER: 1,
  BUNDLE_SIGNATURE: 1,
  BUNDLE_IDENTITY: 1,
};

/** Every error code, sorted (docs and tests list them). */
export const ERROR_CODES: readonly ErrorCode[] = (Object.keys(EXIT_CODES) as ErrorCode[]).sort();

/** The exit code a thrown VouchError stands for. */
export function exitCodeForError(err: VouchError): ExitCode {
  // A code from outside the union (a caller of the API casting) is a denial: fail closed.
  return EXIT_CODES[err.code] ?? 1;
}

export function isVouchError(err: unknown): err is VouchError {
  return err instanceof VouchError;
}

/** Cuts untrusted text echoed into a message to a bounded, single-line form. */
export function truncate(text: string, max = 120): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export { FetchFailure, type FetchFailureCode } from './fetch-failure.js';
