import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { AppError } from '../../common/contract/index.js';
import { serve } from '../../server/serve.js';
import { type CliCommand, UsageError } from './types.js';

/** The folder holding dist/ and assets/: found by walking up from this file,
 *  which lives in dist/electron when bundled and in cli/commands under tsx. */
function appRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'assets', 'samples')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new AppError('not_found', `Cannot find the app folder (assets/samples) above ${__dirname}.`);
    dir = parent;
  }
  return dir;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'browser mode: serve the app on 127.0.0.1 (random port and token unless --port)',
  usage: 'promptlabel serve [--project DIR | --demo] [--port N] [--open]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { project: { type: 'string' }, demo: { type: 'boolean' }, port: { type: 'string' }, open: { type: 'boolean' } },
      strict: true,
    });
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be an integer 0–65535, not "${values.port}".`);
    if (values.project && values.demo) throw new UsageError('Give --project or --demo, not both.');
    const root = appRoot();
    if (!existsSync(join(root, 'dist', 'renderer', 'index.html')))
      throw new AppError('not_found', 'The renderer is not built: run `npm run build` first.');
    await serve({
      port,
      ...(values.project ? { project: resolve(values.project) } : {}),
      demo: values.demo ?? false,
      open: values.open ?? false,
      appRoot: root,
    });
    // The server keeps the process alive until SIGINT/SIGTERM.
    return 0;
  },
};
