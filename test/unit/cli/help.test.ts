// Help, docs/cli.md and what each command parses come from one table per command (commands/flag-table.ts):
// these tests fail when they drift apart.
import { readFileSync } from 'node:fs';
import definitionsModule from '@npmcli/config/lib/definitions/index.js';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../lib/cli/commands/index.js';
import { FLAGS, NPM_FLAG_NOTES, type FlagSpec } from '../../../lib/cli/commands/flag-table.js';
import { cliReference, commandHelp, generalHelp } from '../../../lib/cli/help.js';
import { main } from '../../../lib/cli/main.js';
import type { Output } from '../../../lib/cli/output.js';
import { packagePath } from '../../../lib/config/package-root.js';

const npm = definitionsModule as unknown as { definitions: Record<string, unknown>; shorthands: Record<string, unknown> };
/** npm's config keys and its long shorthands (--silent, --production, …). */
const npmKeys = new Set([...Object.keys(npm.definitions), ...Object.keys(npm.shorthands)]);

function capture(): Output & { out: string; err: string } {
  const o = { out: '', err: '', isTTY: false, stdout: (t: string) => void (o.out += `${t}\n`), stderr: (t: string) => void (o.err += `${t}\n`) };
  return o;
}

const tablesOf = (c: (typeof COMMANDS)[number]) => [c.flags, ...(c.subcommands ?? []).map((s) => s.flags)];

describe('help from one source', () => {
  it('docs/cli.md is what the CLI prints (regenerate with npm run docs:cli)', () => {
    expect(readFileSync(packagePath('docs/cli.md'), 'utf8')).toBe(cliReference());
  });

  it('lists --version and every command in vouch --help', () => {
    const help = generalHelp();
    expect(help).toContain('vouch --version');
    for (const c of COMMANDS) expect(help).toContain(c.summary);
  });

  for (const command of COMMANDS) {
    it(`vouch ${command.name} --help names every flag it parses, and only flags that exist`, async () => {
      const o = capture();
      expect(await main([command.name, '--help'], o)).toBe(0);
      expect(o.out.trimEnd()).toBe(commandHelp(command));
      const own = new Set(tablesOf(command).flatMap((t) => Object.keys(FLAGS[t])));
      for (const name of own) expect(o.out, `--${name}`).toContain(`--${name}`);
      expect(o.out).toMatch(/Exit codes: 0 /);
      // Every --flag the help mentions is one of its own, or (for npm-style commands) one of npm's.
      for (const [, flag] of o.out.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
        const name = flag!.replace(/^no-/, '');
        // npm's own flags are named by the npm-style commands, and by publish and registry for npm publish / adduser.
        const namesNpm = command.npm !== undefined || command.name === 'publish' || command.name === 'registry';
        const known = own.has(name) || (namesNpm && npmKeys.has(name));
        expect(known, `vouch ${command.name} --help mentions --${flag}`).toBe(true);
      }
    });

    // What the help lists is what the command parses: each flag, given a value of its kind, is accepted,
    // and the run stops at the flag that really is unknown (before any file or network).
    for (const table of tablesOf(command)) {
      it(`vouch ${table} accepts every flag its help lists`, async () => {
        const prefix = table.split(' ').slice(1); // registry rotate → ['rotate']
        for (const [name, spec] of Object.entries(FLAGS[table] as Record<string, FlagSpec>)) {
          const o = capture();
          const argv = [command.name, ...prefix, `--${name}`, ...(spec.type === 'string' ? ['x'] : []), '--definitely-not-a-flag'];
          const code = await main(argv, o);
          expect(code, argv.join(' ')).toBe(2);
          expect(o.err, argv.join(' ')).toContain('definitely-not-a-flag');
          expect(o.err, argv.join(' ')).not.toMatch(new RegExp(`'--${name}'|--${name} is neither`));
        }
      });
    }
  }

  it('names only npm flags that exist in the notes on npm flags', () => {
    for (const note of NPM_FLAG_NOTES) {
      for (const [, flag] of note.flags.matchAll(/--([a-z][a-z-]*)/g)) expect(npmKeys.has(flag!.replace(/^no-/, '')), flag).toBe(true);
    }
  });
});
