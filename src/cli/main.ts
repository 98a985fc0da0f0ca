import { Command, CommanderError } from 'commander';

import { ConfigError } from '../config/config.js';
import { AppError, fromDatabaseError } from '../errors.js';
import { version } from '../version.js';
import { keysCommand } from './keys-command.js';
import { migrateCommand } from './migrate-command.js';
import { auditCommand, purgeCommand } from './research-commands.js';
import { secretsCommand } from './secrets-command.js';
import { serveCommand } from './serve-command.js';
import { studiesCommand } from './studies-command.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Subcommands do not inherit exit and output handling by themselves; without
 * this, their usage errors would exit the process instead of reaching `run`.
 */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.copyInheritedSettings(parent);
    inheritSettings(child);
  }
}

export function buildProgram(output: Output = processOutput): Command {
  const program = new Command('webtics')
    .description('WebTics: telemetry for games used in health research')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => output.out(s.trimEnd()),
      writeErr: (s) => output.err(s.trimEnd()),
    });
  program.addCommand(serveCommand(output));
  program.addCommand(migrateCommand(output));
  program.addCommand(studiesCommand(output));
  program.addCommand(keysCommand(output));
  program.addCommand(secretsCommand(output));
  program.addCommand(purgeCommand(output));
  program.addCommand(auditCommand(output));
  inheritSettings(program);
  return program;
}

function explain(error: unknown): string {
  if (error instanceof ConfigError) {
    return `webtics: configuration error: ${error.message}. Fix it in the environment or in .env.`;
  }
  const known = fromDatabaseError(error);
  if (known instanceof AppError) return `webtics: ${known.message}`;
  return `webtics: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs the command line; returns the exit code (0 success, 1 failure, 2 usage). */
export async function run(argv: string[], output: Output = processOutput): Promise<number> {
  try {
    await buildProgram(output).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    output.err(explain(error));
    return 1;
  }
}

export async function main(argv: string[]): Promise<void> {
  const code = await run(argv);
  // `serve` keeps running; every other command ends here.
  if (code !== 0 || argv[2] !== 'serve') process.exitCode = code;
}
