// --help for vouch and each command, and docs/cli.md, rendered from the command table (commands/index.ts)
// and the flag table the commands parse with (commands/flag-table.ts): one source, so they cannot drift.
import { INTERNAL_ERROR_EXIT } from '../errors/index.js';
import { COMMANDS, type Command, type Subcommand } from './commands/index.js';
import { ATTEST_FLAGS, FLAGS, NPM_FLAG_NOTES, NPM_REFUSALS, SIGN_METHODS, type FlagSpec, type NpmCommand, type NpmHelpTopic } from './commands/flag-table.js';

const LABEL_WIDTH = 24;
const LINE_WIDTH = 104;

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'vouch: a verifying install for npm. Nothing lands in node_modules unless every package proves',
    'what it is (integrity), that its registry signed it, and who built it (provenance).',
    '',
    'Usage: vouch <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'vouch <command> --help   options and exit codes of one command',
    'vouch --version          the version of vouch',
    ...wrap(
      `Exit codes: 0 allowed, 1 denied, 2 usage or configuration error (including no such package or version), 3 could not verify, ${INTERNAL_ERROR_EXIT} internal error (a fault of vouch: please report it).`,
    ),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    ...command.synopsis.map((s, i) => `${i === 0 ? 'Usage: ' : '       '}${s}`),
    '',
    command.description,
    '',
    ...flagSections(command.flags),
    ...(command.npm ? ['', ...npmSection(command.npm, command.npmHelp ?? command.npm)] : []),
    '',
    exitLine(command.exits),
    ...(command.subcommands ?? []).flatMap((sub) => ['', ...subcommandHelp(sub)]),
  ].join('\n');
}

/** docs/cli.md: every command's help, as the CLI prints it. */
export function cliReference(): string {
  return [
    '# vouch command reference',
    '',
    '<!-- Generated from lib/cli/commands/index.ts and flag-table.ts by `npm run docs:cli`; test/unit/cli/help.test.ts',
    '     fails when this file and the CLI disagree. Edit the tables, not this file. -->',
    '',
    '```text',
    generalHelp(),
    '```',
    ...COMMANDS.flatMap((c) => ['', `## vouch ${c.name}`, '', c.summary, '', '```text', commandHelp(c), '```']),
    '',
  ].join('\n');
}

function subcommandHelp(sub: Subcommand): string[] {
  return [`Usage: ${sub.synopsis}`, '', sub.description, '', ...flagSections(sub.flags), '', exitLine(sub.exits)];
}

function flagSections(table: keyof typeof FLAGS): string[] {
  const all = Object.entries(FLAGS[table] as Record<string, FlagSpec>);
  // verify's --attest and its key flags come last, as a section of their own.
  const attest = 'attest' in FLAGS[table] ? all.filter(([name]) => name in ATTEST_FLAGS) : [];
  const flags = all.filter((flag) => !attest.includes(flag));
  // Only a table offering several ways to sign (sign, publish) groups them; a lone --key is just an option.
  const signing = flags.filter(([name]) => (SIGN_METHODS as readonly string[]).includes(name));
  const methods = signing.length > 1 ? signing : [];
  const rest = flags.filter((flag) => !methods.includes(flag));
  return [
    ...(methods.length > 0 ? ['How to sign (exactly one):', ...methods.flatMap(([name, spec]) => flagLines(name, spec)), ''] : []),
    'Options:',
    ...rest.flatMap(([name, spec]) => flagLines(name, spec)),
    ...(attest.length > 0
      ? [
          '',
          'Signed verification summary (--attest FILE with one of --key, --key-env, --signer-command, --keyless):',
          ...attest.flatMap(([name, spec]) => flagLines(name, spec)),
        ]
      : []),
  ];
}

function flagLines(name: string, spec: FlagSpec): string[] {
  const label = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  return described(label, spec.help);
}

function npmSection(command: NpmCommand, topic: NpmHelpTopic): string[] {
  const page = command === 'verify' ? 'config' : command;
  return [
    ...wrap(
      `npm flags: every other flag is read by npm's own parser and means what it means to npm (npm help ${page}), as do .npmrc and npm_config_* variables. The ones used most:`,
    ),
    ...NPM_FLAG_NOTES.filter((n) => n.commands.includes(topic)).flatMap((n) => described(n.flags, n.help)),
    'Refused (they cannot hold behind the gate):',
    ...NPM_REFUSALS.filter((r) => r.commands.includes(command)).flatMap((r) => described(r.flag, r.reason)),
  ];
}

/** `  label   help`, the help's own lines (and long lines, wrapped) aligned under its first. */
function described(label: string, help: string): string[] {
  const indent = ' '.repeat(LABEL_WIDTH);
  const helpLines = help.split('\n').flatMap((line) => wrap(line, LINE_WIDTH - LABEL_WIDTH));
  const head = `  ${label}`;
  if (head.length < LABEL_WIDTH - 1) return [`${head.padEnd(LABEL_WIDTH)}${helpLines[0] ?? ''}`, ...helpLines.slice(1).map((l) => indent + l)];
  return [head, ...helpLines.map((l) => indent + l)];
}

function exitLine(exits: readonly [number, string][]): string {
  return wrap(`Exit codes: ${exits.map(([code, meaning]) => `${code} ${meaning}`).join(', ')}.`).join('\n');
}

function wrap(text: string, width = LINE_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
