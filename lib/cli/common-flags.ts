// How the verifying commands' flags (commands/flag-table.ts) map onto npm's configuration and the gate.
// vouch install, ci and verify read every npm flag as npm does (npm-command-line.ts); explain, approve and
// policy take a few npm flags (NPM_PASS_FLAGS) and pass them on (npmArgs).
import { loadNpmConfig, type NpmConfig } from '../config/index.js';
import { oneOf, positiveInt } from './flags.js';
import type { GateOptions } from './gate.js';
import { FORMATS, type Format } from './render/index.js';

/**
 * Registry requests in flight. Verification is latency-bound (one packument per package, most of them small),
 * so vouch keeps more requests open than npm's 15 sockets, as pnpm and bun do; `--concurrency` lowers it for a
 * registry that throttles.
 */
export const DEFAULT_CONCURRENCY = 64;
/** Bound on each registry request (`--timeout`). */
export const DEFAULT_TIMEOUT_MS = 30_000;

interface CommonValues {
  offline?: boolean;
  registry?: string;
  omit?: string[];
}

/** npm-style arguments for @npmcli/config, so .npmrc and flags combine exactly as npm combines them. */
export function npmArgs(values: CommonValues): string[] {
  return [
    ...(values.registry ? [`--registry=${values.registry}`] : []),
    ...(values.omit ?? []).map((o) => `--omit=${o}`),
    ...(values.offline ? ['--offline'] : []),
  ];
}

/** npm's configuration for the project vouch runs in: its folder is npm's (nearest package.json, or the workspace root). */
export function loadProjectConfig(npmArguments: string[]): Promise<NpmConfig> {
  return loadNpmConfig(process.cwd(), npmArguments);
}

interface GateFlagValues {
  concurrency?: unknown;
  timeout?: unknown;
  'trusted-root'?: unknown;
}

export function gateOptions(values: GateFlagValues, config: NpmConfig, quiet = false): Omit<GateOptions, 'locked'> {
  return {
    cwd: config.localPrefix,
    offline: config.flat['offline'] === true,
    concurrency: positiveInt('concurrency', stringValue(values.concurrency), DEFAULT_CONCURRENCY),
    timeoutMs: positiveInt('timeout', stringValue(values.timeout), DEFAULT_TIMEOUT_MS),
    trustedRoots: Array.isArray(values['trusted-root']) ? values['trusted-root'].filter((r): r is string => typeof r === 'string') : [],
    now: new Date(),
    quiet,
  };
}

/** --format, else npm's --json, else text. */
export function reportFormat(format: unknown, npmFlags: ReadonlyMap<string, unknown>): Format {
  return oneOf('format', stringValue(format), FORMATS, npmFlags.get('json') === true ? 'json' : 'text');
}

/** npm's --silent / -s / --loglevel=silent: nothing on a success but the exit code; a deny still explains itself. */
export function isSilent(npmFlags: ReadonlyMap<string, unknown>): boolean {
  return npmFlags.get('loglevel') === 'silent';
}

const stringValue = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
