// A CLI subcommand: one file in this folder, registered in index.ts.
export interface CliIo {
  /** Progress, usage and errors (stdout is kept for results). */
  stderr: (text: string) => void;
  stdout: (text: string) => void;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage text, shown on `--help` or a usage error. */
  usage: string;
  /** Answers the exit code. Throw UsageError for bad arguments. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad command-line arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
