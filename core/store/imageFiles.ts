// Image bytes for the viewer: browser-displayable files as they are, TIFF
// converted to PNG once, and 256 px JPEG thumbnails made on first request.
// Cache names include size and mtime, so an edited file gets a fresh copy.
// The cache is only a cache: when it cannot be written (disk full, read-only
// folder) the bytes just made are served all the same.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

import sharp from 'sharp';

import { AppError } from '../../common/contract/index.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import type { Project } from './project.js';
import { PROJECT_DATA_DIR } from './scan.js';

const THUMB_SIZE = 256;
const BROWSER_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};

export async function imageBytes(project: Project, id: number, kind: 'full' | 'thumb'): Promise<{ body: Buffer; contentType: string }> {
  const path = project.imagePath(id);
  let stamp: string;
  try {
    const stats = statSync(path);
    stamp = `${id}-${Math.round(stats.mtimeMs)}-${stats.size}`;
  } catch {
    throw new AppError('not_found', `The file of image ${id} is missing from the project folder.`);
  }
  const cacheRoot = join(project.dir, PROJECT_DATA_DIR);
  if (kind === 'thumb') {
    const body = await cached(join(cacheRoot, 'thumbs', `${stamp}.jpg`), () =>
      sharp(path).rotate().resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer(),
    );
    return { body, contentType: 'image/jpeg' };
  }
  const browserType = BROWSER_TYPES[extname(path).toLowerCase()];
  if (browserType) return { body: await readFile(path), contentType: browserType };
  // TIFF: browsers cannot show it, so serve a lossless PNG copy.
  const body = await cached(join(cacheRoot, 'cache', `${stamp}.png`), () => sharp(path).rotate().png().toBuffer());
  return { body, contentType: 'image/png' };
}

async function cached(file: string, make: () => Promise<Buffer>): Promise<Buffer> {
  if (existsSync(file)) return readFile(file);
  let body: Buffer;
  try {
    body = await make();
  } catch (error) {
    throw new AppError('invalid_file', `Cannot decode the image: ${(error as Error).message}`);
  }
  try {
    writeFileAtomic(file, body);
  } catch {
    // disk full or read-only: made again on the next request
  }
  return body;
}
