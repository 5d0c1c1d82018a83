// The command table: adding a subcommand is one file plus one line here.
import { autolabelCommand } from './autolabelCommand.js';
import { exportCommand } from './exportCommand.js';
import { importCommand } from './importCommand.js';
import { modelsCommand } from './modelsCommand.js';
import { segmentCommand } from './segmentCommand.js';
import { serveCommand } from './serveCommand.js';
import type { CliCommand } from './types.js';

export const COMMANDS: readonly CliCommand[] = [
  importCommand,
  exportCommand,
  autolabelCommand,
  segmentCommand,
  modelsCommand,
  serveCommand,
];
