// verifyProject: `vouch verify --format json` as a function. The same read-only gate over the same npm
// configuration, returning the object the JSON renderer prints; prints nothing and writes nothing to the project.
import { resolve } from 'node:path';
import { loadNpmConfig } from '../config/index.js';
import { VouchError } from '../errors/index.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, npmArgs, readTrustFiles, gateProjectTree, reportJson } from '../cli/index.js';
import type { GateOptions } from '../cli/gate.js';
import type { Output } from '../cli/output.js';
import type { ReportJson } from '../cli/render/json.js';
import { verifyLockCanonical } from '../lock/index.js';
import { LOCKFILE_KINDS, type LockfileKind } from '../tree/lockfiles/kinds.js';

/** Options of verifyProject; each one is the `vouch verify` flag of the same name. */
export interface VerifyProjectOptions {
  /** Judge node_modules as installed instead of what the lockfile would install (`--installed`). Default false. */
  installed?: boolean;
  /** Also download every tarball and check its sha512 against the signed integrity (`--tarballs`). Default false. */
  tarballs?: boolean;
  /** Versions missing from vouch.lock are denied, and a non-canonical vouch.lock throws LOCK_NOT_CANONICAL (`--locked`). Default false. */
  locked?: boolean;
  /** Only vouch's cache and npm's, no network (`--offline`). Default: npm's `offline` setting, else false. */
  offline?: boolean;
  /** The default registry, as npm's `--registry`. Default: npm's configuration (.npmrc, environment). */
  registry?: string;
  /** Dependency kinds left out, as npm's `--omit`. Default: npm's configuration. */
  omit?: readonly ('dev' | 'optional' | 'peer')[];
  /** Private Sigstore trusted_root.json files trusted besides public-good (`--trusted-root`). Default none. */
  trustedRoots?: readonly string[];
  /** Registry requests in flight (`--concurrency`). Default 64. */
  concurrency?: number;
  /** Bound on each registry request, in milliseconds (`--timeout`). Default 30000. */
  timeoutMs?: number;
  /** The time the policy judges release ages, expiries and exceptions at. Default: now. */
  now?: Date;
  /** Which lockfile to read: 'npm', 'pnpm', 'yarn' or 'bun' (`--lockfile-kind`). Default: the one the project has. */
  lockfileKind?: LockfileKind;
}

const SILENT: Output = { stdout: () => undefined, stderr: () => undefined, isTTY: false };
const OMITTABLE: ReadonlySet<string> = new Set(['dev', 'optional', 'peer']);

/**
 * Verifies the npm project at `dir` (npm's project folder for it: the nearest package.json, or its workspace
 * root) as `vouch verify --format json` does and returns that report. A deny is a result (`decision: 'deny'`),
 * not an exception. Throws VouchError for what `vouch verify` exits 2 or 3 on (`error.exitCode`): a malformed
 * policy or lock, no lockfile, an unreadable trusted root, bad options.
 */
export async function verifyProject(dir: string, options: VerifyProjectOptions = {}): Promise<ReportJson> {
  checkOptions(options);
  const config = await loadNpmConfig(
    resolve(dir),
    npmArgs({
      offline: options.offline === true,
      ...(options.registry !== undefined ? { registry: options.registry } : {}),
      ...(options.omit ? { omit: [...options.omit] } : {}),
    }),
  );
  const cwd = config.localPrefix;
  if (options.locked) {
    const { lockText, lockFile } = await readTrustFiles(cwd);
    if (lockText !== null) verifyLockCanonical(lockText, lockFile);
  }
  const gate: GateOptions = {
    cwd,
    offline: config.flat['offline'] === true,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    trustedRoots: [...(options.trustedRoots ?? [])],
    locked: options.locked === true,
    now: options.now ?? new Date(),
    quiet: true,
    embedded: true,
    ...(options.lockfileKind ? { lockfileKind: options.lockfileKind } : {}),
  };
  const { report } = await gateProjectTree(gate, config, options.installed === true, SILENT, options.tarballs ? 'verify-tarballs' : 'verify');
  return reportJson(report);
}

/** Options arrive from JavaScript too: each is checked as the CLI checks its flag (USAGE, exit 2). */
function checkOptions(options: VerifyProjectOptions): void {
  if (options.tarballs && options.installed) {
    throw usage("tarballs checks the registry's tarballs for the lockfile; installed reads node_modules", 'drop one of them');
  }
  for (const [name, value] of [
    ['concurrency', options.concurrency],
    ['timeoutMs', options.timeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) throw usage(`${name} must be a positive integer (got ${String(value)})`);
  }
  if (options.now !== undefined && !(options.now instanceof Date && !Number.isNaN(options.now.getTime()))) throw usage('now must be a valid Date');
  for (const kind of options.omit ?? []) {
    if (!OMITTABLE.has(kind)) throw usage(`omit takes dev, optional or peer (got ${JSON.stringify(kind)})`);
  }
  if (options.lockfileKind !== undefined && !LOCKFILE_KINDS.includes(options.lockfileKind)) {
    throw usage(`lockfileKind takes ${LOCKFILE_KINDS.join(', ')} (got ${JSON.stringify(options.lockfileKind)})`);
  }
  if (options.lockfileKind !== undefined && options.installed)
    throw usage('lockfileKind chooses the lockfile to read; installed reads node_modules', 'drop one of them');
  if (options.trustedRoots?.some((r) => typeof r !== 'string')) throw usage('trustedRoots of verifyProject are file paths');
}

const usage = (message: string, hint?: string): VouchError => new VouchError('USAGE', `verifyProject: ${message}`, {}, hint);
