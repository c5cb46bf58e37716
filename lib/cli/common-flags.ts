// Flags shared by the verifying commands (verify, install, ci), and how they map onto npm and the gate.
import { positiveInt } from './flags.js';
import type { GateOptions } from './gate.js';

/**
 * Registry requests in flight. Verification is latency-bound (one packument per package, most of them small),
 * so vouch keeps more requests open than npm's 15 sockets, as pnpm and bun do; `--concurrency` lowers it for a
 * registry that throttles.
 */
export const DEFAULT_CONCURRENCY = 64;

export const commonFlags = {
  format: { type: 'string' },
  offline: { type: 'boolean' },
  concurrency: { type: 'string' },
  timeout: { type: 'string' },
  'trusted-root': { type: 'string', multiple: true },
  registry: { type: 'string' },
  omit: { type: 'string', multiple: true },
  verbose: { type: 'boolean' },
} as const;

interface CommonValues {
  offline?: boolean;
  concurrency?: string;
  timeout?: string;
  'trusted-root'?: string[];
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

export function gateOptions(values: CommonValues, cwd: string): Omit<GateOptions, 'locked'> {
  return {
    cwd,
    offline: Boolean(values.offline),
    concurrency: positiveInt('concurrency', values.concurrency, DEFAULT_CONCURRENCY),
    timeoutMs: positiveInt('timeout', values.timeout, 30_000),
    trustedRoots: values['trusted-root'] ?? [],
    now: new Date(),
  };
}

/** npm's flattened `omit` option as a list of dependency kinds. */
export function omitList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
