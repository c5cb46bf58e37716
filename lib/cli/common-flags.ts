// Flags shared by the verifying commands, and how they map onto npm's configuration and the gate.
// vouch install, ci and verify read every npm flag as npm does (npm-command-line.ts); explain, approve and
// policy take the few npm flags below and pass them on.
import { loadNpmConfig, type NpmConfig } from '../config/index.js';
import { oneOf, positiveInt } from './flags.js';
import type { GateOptions } from './gate.js';
import type { VouchFlag } from './npm-command-line.js';
import { FORMATS, type Format } from './render/index.js';

/**
 * Registry requests in flight. Verification is latency-bound (one packument per package, most of them small),
 * so vouch keeps more requests open than npm's 15 sockets, as pnpm and bun do; `--concurrency` lowers it for a
 * registry that throttles.
 */
export const DEFAULT_CONCURRENCY = 64;

/** vouch's own flags on every verifying command (install, ci, verify); the rest of the line is npm's. */
export const GATE_FLAGS = {
  format: { type: 'string' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'trusted-root': { type: 'string', multiple: true },
  verbose: { type: 'boolean' },
} as const satisfies Record<string, VouchFlag>;

/** The same plus the npm flags explain, approve and policy pass on (node:util parseArgs form). */
export const commonFlags = {
  ...GATE_FLAGS,
  offline: { type: 'boolean' },
  registry: { type: 'string' },
  omit: { type: 'string', multiple: true },
} as const;

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
    timeoutMs: positiveInt('timeout', stringValue(values.timeout), 30_000),
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

/** npm's flattened `omit` option as a list of dependency kinds. */
export function omitList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const stringValue = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
