// First start shows something useful: a copy of the bundled sample images as
// a project in the user's data folder (never written inside the app itself).
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { ensureDir } from '../../files/ensureDir.js';

const IMAGE_FILE = /\.(png|jpe?g|webp|bmp|tiff?)$/i;

export function ensureDemoProject(userDataDir: string, samplesDir: string): string {
  const dir = join(userDataDir, 'demo-project');
  if (existsSync(dir)) return dir;
  if (!existsSync(samplesDir)) throw new Error(`The sample images are missing (${samplesDir}); reinstall the app.`);
  ensureDir(dir);
  for (const name of readdirSync(samplesDir)) {
    if (IMAGE_FILE.test(name)) cpSync(join(samplesDir, name), join(dir, name));
  }
  return dir;
}
