// vouch install / ci / verify read npm's flags with npm's own parser and definitions: every flag npm
// accepts means what it means to npm, or is refused with the reason; vouch's own flags are split off first.
import definitionsModule from '@npmcli/config/lib/definitions/index.js';
import { describe, expect, it } from 'vitest';
import { FLAGS, NPM_REFUSALS, type NpmCommand } from '../../../lib/cli/commands/flag-table.js';
import { parseNpmCommandLine } from '../../../lib/cli/npm-command-line.js';
import { VouchError } from '../../../lib/errors/index.js';

const parse = (argv: string[], command: NpmCommand = 'install') => parseNpmCommandLine(argv, command, FLAGS[command]);

function usageError(fn: () => unknown): VouchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VouchError);
    expect((err as VouchError).code).toBe('USAGE');
    return err as VouchError;
  }
  throw new Error('expected a usage error');
}

describe('npm flags on vouch install', () => {
  // The flags the issue found rejected by vouch's old parser: each now parses, with npm's meaning.
  it.each([
    [['--dry-run'], 'dry-run', true],
    [['--no-save'], 'save', false],
    [['--legacy-peer-deps'], 'legacy-peer-deps', true],
    [['--strict-peer-deps'], 'strict-peer-deps', true],
    [['--prefer-offline'], 'prefer-offline', true],
    [['--prefer-online'], 'prefer-online', true],
    [['--package-lock-only'], 'package-lock-only', true],
    [['--install-links'], 'install-links', true],
    [['--include', 'dev'], 'include', ['dev']],
    [['--production'], 'production', true],
    [['--force'], 'force', true],
    [['--loglevel', 'warn'], 'loglevel', 'warn'],
    [['--silent'], 'loglevel', 'silent'],
    [['-s'], 'loglevel', 'silent'],
    [['-q'], 'loglevel', 'warn'],
    [['--json'], 'json', true],
    [['--no-audit'], 'audit', false],
    [['--no-fund'], 'fund', false],
    [['--save-peer'], 'save-peer', true],
    [['--no-package-lock'], 'package-lock', false],
    [['-D'], 'save-dev', true],
    [['-E'], 'save-exact', true],
    [['-w', 'packages/a'], 'workspace', ['packages/a']],
    [['--workspaces'], 'workspaces', true],
    [['--save-d'], 'save-dev', true], // npm's abbreviation (npm warns, then expands)
  ])("%j sets npm's %s", (argv, key, value) => {
    const line = parse([...argv, 'left-pad']);
    expect(line.npmFlags.get(key)).toEqual(value);
    expect(line.positionals).toEqual(['left-pad']);
    expect(line.npmArgs).toEqual([...argv, 'left-pad']);
  });

  it('passes scoped registries and per-registry settings through, as npm reads them', () => {
    const line = parse(['--@acme:registry=http://127.0.0.1:9/', '--//127.0.0.1:9/:_authToken=x']);
    expect(line.npmFlags.get('@acme:registry')).toBe('http://127.0.0.1:9/');
    expect(line.npmFlags.get('//127.0.0.1:9/:_authToken')).toBe('x');
  });

  it("splits vouch's own flags off, wherever they stand", () => {
    const line = parse(['a', '--format', 'json', '-D', '--concurrency=8', '--trusted-root', 'r1.json', 'b@1', '--trusted-root=r2.json', '--verbose']);
    expect(line.vouch).toEqual({ format: 'json', concurrency: '8', 'trusted-root': ['r1.json', 'r2.json'], verbose: true });
    expect(line.npmArgs).toEqual(['a', '-D', 'b@1']);
    expect(line.positionals).toEqual(['a', 'b@1']);
  });

  it('refuses a flag neither vouch nor npm knows, a value npm rejects, and a vouch flag without its value', () => {
    expect(usageError(() => parse(['--no-such-flag'])).message).toContain('--no-such-flag is neither a flag of vouch install nor an npm config option');
    expect(usageError(() => parse(['--omit=everything'])).message).toMatch(/--omit: npm does not accept "everything" \(npm accepts dev, optional, peer\)/);
    expect(usageError(() => parse(['--format'])).message).toContain('--format needs a value');
    expect(usageError(() => parse(['--format', '--json'])).message).toContain('--format needs a value');
    expect(usageError(() => parse(['--verbose=yes'])).message).toContain('--verbose takes no value');
  });

  it('refuses what cannot hold behind the gate, saying why', () => {
    expect(usageError(() => parse(['-g', 'left-pad'])).message).toMatch(/-g, --global is refused by vouch install: vouch gates a project's node_modules/);
    expect(usageError(() => parse(['--location=global'])).message).toContain('--location=global is refused');
    expect(usageError(() => parse(['--audit'])).message).toContain('npm audit');
    expect(usageError(() => parse(['--parseable'])).message).toContain('--format json');
    expect(usageError(() => parse(['--no-package-lock'], 'ci')).message).toContain('npm ci always installs from package-lock.json');
    expect(parse(['--install-strategy=nested']).npmFlags.get('install-strategy')).toBe('nested');
  });

  it("takes --install-strategy=linked with npm's meaning (the isolated layout is gated like any other)", () => {
    for (const command of ['install', 'ci'] as const) expect(parse(['--install-strategy=linked'], command).npmFlags.get('install-strategy')).toBe('linked');
  });

  it("stops at --: what follows is npm's, as npm reads it", () => {
    const line = parse(['--', '--format']);
    expect(line.vouch).toEqual({});
    expect(line.positionals).toEqual(['--format']);
  });
});

// Generated over npm's own definitions: every config key npm has, given a value of its type, is either
// taken (with npm's meaning) or refused by a rule of NPM_REFUSALS. None falls through as "unknown".
describe('every npm config key', () => {
  const { definitions } = definitionsModule as unknown as { definitions: Record<string, { type: unknown }> };
  // Values to try for a typed key: the first npm accepts is used (a word of an enum, a number, a date,
  // a semver, a umask, a URL, a path, any string).
  const candidates = (type: unknown): (string | null)[] => {
    const types = Array.isArray(type) ? type : [type];
    if (types.includes(Boolean)) return [null]; // a bare --flag
    const words = types.filter((t): t is string => typeof t === 'string');
    return [...words, '1', '2020-01-01', '1.0.0', '022', 'http://127.0.0.1:9/', '/tmp', 'x'];
  };
  const rejectedValue = (err: unknown) => err instanceof Error && err.message.includes('npm does not accept');
  for (const command of ['install', 'ci', 'verify'] as const) {
    it(`is taken or refused with a reason by vouch ${command}`, () => {
      const outcomes = { taken: 0, refused: 0 };
      for (const [key, def] of Object.entries(definitions)) {
        if (['help', 'usage', 'version', 'versions'].includes(key)) continue; // main answers those before parsing
        let outcome: string | undefined;
        for (const value of candidates(def.type)) {
          const argv = value === null ? [`--${key}`] : [`--${key}=${value}`];
          try {
            parse(argv, command);
            outcome = 'taken';
          } catch (err) {
            if (rejectedValue(err)) continue;
            const message = (err as Error).message;
            expect(
              NPM_REFUSALS.some((r) => message.includes(`${r.flag} is refused`)),
              `${argv.join(' ')}: ${message}`,
            ).toBe(true);
            outcome = 'refused';
          }
          break;
        }
        expect(outcome, `no value of --${key} parsed`).toBeDefined();
        outcomes[outcome as 'taken' | 'refused']++;
      }
      expect(outcomes.taken).toBeGreaterThan(150);
    });
  }
});
