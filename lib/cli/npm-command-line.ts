// The command lines of vouch install, ci and verify: vouch's own flags, and every other flag read exactly as
// npm reads it (npm's own definitions and parser, @npmcli/config), so a flag npm accepts means what it means
// for npm, and the few that cannot hold behind the gate are refused with the reason.
import Config from '@npmcli/config';
import definitions from '@npmcli/config/lib/definitions/index.js';
import npa from 'npm-package-arg';
import { VouchError } from '../errors/index.js';
import { packageRoot } from '../config/index.js';
import { NPM_REFUSALS, type NpmCommand } from './commands/flag-table.js';

export type { NpmCommand } from './commands/flag-table.js';

/** A flag vouch reads itself (long form only; none of them is an npm config key; FlagSpec fits). */
export interface VouchFlag {
  type: 'boolean' | 'string';
  multiple?: boolean;
}

export type VouchFlagValues = Record<string, string | boolean | string[] | undefined>;

export interface NpmCommandLine {
  vouch: VouchFlagValues;
  /** The npm flags as given, for loadNpmConfig (which parses them again, identically). */
  npmArgs: string[];
  /** npm config keys set on the command line, with their parsed values. */
  npmFlags: ReadonlyMap<string, unknown>;
  positionals: string[];
}

/**
 * Splits `argv` into vouch's flags and npm's, parses npm's with npm's own parser and definitions, and
 * refuses what npm does not know (npm only warns, and will refuse it in its next major), values npm would
 * reject, and the flags NPM_REFUSALS names. All of it before any file is read or request made.
 */
export function parseNpmCommandLine(argv: readonly string[], command: NpmCommand, vouchFlags: Readonly<Record<string, VouchFlag>>): NpmCommandLine {
  const { vouch, npmArgs } = splitVouchFlags(argv, command, vouchFlags);
  const parsed = parseAsNpm(npmArgs, command);
  for (const [key, value] of parsed.flags) {
    const refusal = NPM_REFUSALS.find((r) => r.key === key && r.commands.includes(command) && r.refuses(value));
    if (refusal) throw usage(command, `${refusal.flag} is refused by vouch ${command}: ${refusal.reason}`);
  }
  return { vouch, npmArgs, npmFlags: parsed.flags, positionals: parsed.positionals };
}

function splitVouchFlags(
  argv: readonly string[],
  command: NpmCommand,
  vouchFlags: Readonly<Record<string, VouchFlag>>,
): { vouch: VouchFlagValues; npmArgs: string[] } {
  const vouch: VouchFlagValues = {};
  const npmArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      npmArgs.push(...argv.slice(i));
      break;
    }
    const match = /^--(no-)?([^=]+)(?:=(.*))?$/s.exec(token);
    const name = match?.[2];
    const flag = name !== undefined ? vouchFlags[name] : undefined;
    if (!match || name === undefined || !flag) {
      npmArgs.push(token);
      continue;
    }
    const [, negated, , inline] = match;
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw usage(command, `--${name} takes no value`);
      vouch[name] = !negated;
      continue;
    }
    if (negated) throw usage(command, `--${name} needs a value; --no-${name} means nothing`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-')) throw usage(command, `--${name} needs a value`);
    if (flag.multiple) vouch[name] = [...((vouch[name] as string[] | undefined) ?? []), value];
    else vouch[name] = value;
  }
  return { vouch, npmArgs };
}

interface ParsedAsNpm {
  flags: Map<string, unknown>;
  positionals: string[];
}

/** npm's parse of its flags (nopt with npm's types, shorthands and abbreviations), failures collected. */
function parseAsNpm(npmArgs: readonly string[], command: NpmCommand): ParsedAsNpm {
  const config = new Config({ ...definitions, npmPath: packageRoot(), argv: [process.execPath, 'vouch', ...npmArgs], cwd: process.cwd(), env: {} });
  const problems: string[] = [];
  const hooks = config as unknown as ConfigHooks;
  hooks.invalidHandler = (key, value, type) => problems.push(`--${key}: npm does not accept ${JSON.stringify(value)}${allowedValues(type)}`);
  hooks.unknownHandler = () => undefined; // the key itself is reported by checkUnknown below
  hooks.abbrevHandler = () => undefined; // npm expands --save-d to --save-dev (with a warning): so does vouch
  hooks.checkUnknown = (where, key) => {
    if (where === 'cli' && !isKnownNpmKey(key)) problems.push(`${asTyped(key, npmArgs)} is neither a flag of vouch ${command} nor an npm config option`);
  };
  try {
    hooks.loadDefaults(); // as config.load() does first: npm's exclusive flags compare against the defaults
    hooks.loadCLI();
  } catch (err) {
    // @npmcli/config's exclusive flags, e.g. --allow-scripts with --dangerously-allow-all-scripts.
    throw usage(command, err instanceof Error ? err.message : String(err));
  }
  if (problems.length > 0) throw usage(command, problems.join('; '));
  const data = hooks.data.get('cli')?.data ?? {};
  return { flags: new Map(Object.entries(data)), positionals: [...hooks.parsedArgv.remain] };
}

interface ConfigHooks {
  invalidHandler: (key: string, value: unknown, type: unknown) => void;
  unknownHandler: (key: string, next?: string) => void;
  abbrevHandler: (short: string, long: string) => void;
  checkUnknown: (where: string, key: string) => void;
  loadDefaults(): void;
  loadCLI(): void;
  data: Map<string, { data: Record<string, unknown> }>;
  parsedArgv: { remain: string[] };
}

const NPM_KEYS = new Set(Object.keys(definitions.definitions as Record<string, unknown>));

/** A key npm reads: a definition, `@scope:registry`, or per-registry (nerf-darted) settings such as `//host/:_authToken`. */
function isKnownNpmKey(key: string): boolean {
  return NPM_KEYS.has(key) || /^@[^/:]+:registry$/.test(key) || key.startsWith('//');
}

/** The flag as the user typed it (`--no-x` for x), for messages. */
function asTyped(key: string, npmArgs: readonly string[]): string {
  return npmArgs.find((t) => t.startsWith('--') && t.replace(/^--(no-)*/, '').split('=')[0] === key)?.split('=')[0] ?? `--${key}`;
}

function allowedValues(type: unknown): string {
  const words = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string');
  return words.length > 0 ? ` (npm accepts ${words.join(', ')})` : '';
}

function usage(command: NpmCommand, message: string): VouchError {
  return new VouchError(
    'USAGE',
    message,
    {},
    `vouch ${command} --help lists vouch's flags; every other flag is npm's (npm help ${command === 'verify' ? 'config' : command})`,
  );
}

/** Each spec as npm reads it: one npm refuses is the user's to fix (exit 2), before any request. */
export function assertPackageSpecs(specs: readonly string[], cwd: string): void {
  for (const spec of specs) {
    try {
      npa(spec, cwd);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new VouchError(
        'USAGE',
        `${JSON.stringify(spec)} is not a package spec npm accepts: ${reason}`,
        {},
        'e.g. vouch install name, name@1.2.3, name@^1, @scope/name@latest',
      );
    }
  }
}
