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

export const COMMANDS: Command[] = [];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
