// The command table: name, one-line summary, full help, and a lazy loader (start-up stays cheap).
import type { ExitCode } from '../../errors/index.js';
import type { Output } from '../output.js';

export type CommandRun = (argv: string[], out: Output) => Promise<ExitCode>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  help: string;
  load(): Promise<CommandRun>;
}

export const COMMANDS: Command[] = [
  {
    name: 'registry',
    usage: 'registry [--port N] [--storage DIR] [--key FILE…]',
    summary: 'run a private npm registry that signs what it serves (Verdaccio + vouch plugin)',
    help: `Usage: vouch registry [options]

Runs a private npm registry (Verdaccio) that signs every version it serves the way the public npm
registry does (GET /-/npm/v1/keys, dist.signatures) and stores and serves attestations.

Options:
  --port N          port to listen on (default 4873; 0 picks a free one)
  --host ADDR       address to bind (default 127.0.0.1)
  --storage DIR     storage folder: packages, users (htpasswd), generated key (default ./.vouch-registry)
  --key FILE        signing key (PEM, ECDSA P-256). Repeat to keep retired keys listed:
                    the first is the active key, later ones are written FILE=EXPIRES (ISO 8601), e.g.
                    --key new.pem --key old.pem=2026-11-24T12:00:00Z. Without --key a key is
                    generated once under <storage>/.vouch/keys/.
  --config FILE     run this Verdaccio config file instead of the embedded one (it must list the
                    vouch plugin, see docs/registry-plugin.md); --storage and --key do not apply
  --json            print one JSON line {url, keyid, storage} when ready

Add a publisher: npm adduser --registry <url>   (then npm publish --registry <url>)
Exit codes: 0 stopped cleanly, 2 bad flags, key file or plugin configuration.`,
    load: async () => (await import('./registry.js')).run,
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
