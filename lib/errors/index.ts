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
export class VouchError<C extends string = string> extends Error {
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
export type UnreachableCode = 'REGISTRY_UNREACHABLE' | 'REGISTRY_ERROR' | 'OFFLINE_MISS'
  // reify asked for bytes vouch had not verified (refused) or had not stored: nothing unverified was written
  | 'REIFY_UNVERIFIED' | 'REIFY_CACHE_MISS';

const USAGE_CODES: ReadonlySet<string> = new Set<UsageCode>([
  'USAGE', 'POLICY_PARSE', 'POLICY_SCHEMA', 'POLICY_RULE', 'LOCK_PARSE', 'LOCK_SCHEMA',
  'LOCK_NOT_CANONICAL', 'LOCK_OUT_OF_DATE', 'CONFIG', 'NO_LOCKFILE', 'KEY_FILE', 'TRUSTED_ROOT',
  'LOCKFILE_OUT_OF_SYNC', 'PROJECT_BUSY', 'PLATFORM_UNSUPPORTED', 'PACKAGE_NOT_FOUND', 'LOCKFILE_PARSE',
  'REGISTRY_NOT_INSTALLED', 'REGISTRY_PACKAGE_MISMATCH', 'PACKAGE_LIST_PARSE', 'SUMMARY_UNREADABLE',
]);
const UNREACHABLE_CODES: ReadonlySet<string> = new Set<UnreachableCode>([
  'REGISTRY_UNREACHABLE', 'REGISTRY_ERROR', 'OFFLINE_MISS', 'REIFY_UNVERIFIED', 'REIFY_CACHE_MISS',
]);

/** The exit code a thrown VouchError stands for; anything unknown is a denial (fail closed). */
export function exitCodeForError(err: VouchError): ExitCode {
  if (USAGE_CODES.has(err.code)) return 2;
  if (UNREACHABLE_CODES.has(err.code)) return 3;
  return 1;
}

export function isVouchError(err: unknown): err is VouchError {
  return err instanceof VouchError;
}

/** Cuts untrusted text echoed into a message to a bounded, single-line form. */
export function truncate(text: string, max = 120): string {
  const oneLine = text.replace(/[\r\n\t]+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
