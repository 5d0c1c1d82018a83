#!/usr/bin/env node
// Command-line entry: import/export COCO, segment, serve (browser mode).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/electron/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('promptlabel: not built yet. Run `npm run build` in the project folder first.');
  process.exit(1);
}
createRequire(import.meta.url)(cli);
