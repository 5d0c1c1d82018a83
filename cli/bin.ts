// Process entry of the bundled CLI (dist/electron/cli.cjs, started by bin/promptlabel.mjs).
import { runCli } from './cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`promptlabel: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
