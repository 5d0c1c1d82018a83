// `promptlabel <command> [options]`. Exit codes: 0 ok, 1 failure, 2 usage.
import { AppError } from '../common/contract/index.js';
import { COMMANDS } from './commands/index.js';
import { type CliCommand, type CliIo, UsageError } from './commands/types.js';

const defaultIo: CliIo = {
  stderr: (text) => process.stderr.write(text),
  stdout: (text) => process.stdout.write(text),
};

export function usageText(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}\n      ${command.usage}`);
  return `Usage: promptlabel <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

export async function runCli(argv: string[], io: CliIo = defaultIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usageText(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`promptlabel: unknown command "${name}".\n\n${usageText(commands)}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`promptlabel ${name}: ${(error as Error).message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (error instanceof AppError || isSystemError(error)) {
      io.stderr(`promptlabel ${name}: ${(error as Error).message}\n`);
      return 1;
    }
    io.stderr(`promptlabel ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** A failed system call (EACCES, ENOSPC, EADDRINUSE…): its message already names the file or port. */
function isSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as { syscall?: unknown }).syscall === 'string';
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown/malformed options. */
function isParseArgsError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
