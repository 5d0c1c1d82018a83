// First start shows something useful: a copy of the bundled sample images as
// a project in the user's data folder (never written inside the app itself).
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ensureDir } from '../../files/ensureDir.js';
import { mergeCategories } from '../coco/kept.js';
import { cocoInstancesOuterSchema } from '../coco/schema.js';
import { Project } from '../store/project.js';
import { writeTransaction } from '../store/writeTransaction.js';

const IMAGE_FILE = /\.(png|jpe?g|webp|bmp|tiff?)$/i;

export function ensureDemoProject(userDataDir: string, samplesDir: string): string {
  const dir = join(userDataDir, 'demo-project');
  if (existsSync(dir)) return dir;
  if (!existsSync(samplesDir)) throw new Error(`The sample images are missing (${samplesDir}); reinstall the app.`);
  ensureDir(dir);
  for (const name of readdirSync(samplesDir)) {
    if (IMAGE_FILE.test(name)) cpSync(join(samplesDir, name), join(dir, name));
  }
  seedLabels(dir, join(samplesDir, 'annotations.coco.json'));
  return dir;
}

/**
 * The sample's categories as the demo's labels (stuff marked), without their
 * annotations: auto-label by name has something to look for from the first
 * start, and the user labels the images themselves.
 */
function seedLabels(dir: string, cocoFile: string): void {
  if (!existsSync(cocoFile)) return;
  const { categories } = cocoInstancesOuterSchema.parse(JSON.parse(readFileSync(cocoFile, 'utf8')));
  const project = Project.open(dir);
  try {
    writeTransaction(project.db, () => mergeCategories(project, categories));
  } finally {
    project.close();
  }
}
