// One walk of the project folder: every image file with its size and mtime.
// No image is opened here, so a folder of 10,000 images scans in milliseconds.
// A symlinked file counts only when its real path lies inside the folder.
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { isInsideRealPath } from './containedPath.js';
import { realPathOr } from './systemPaths.js';

export const IMAGE_EXTENSION = /\.(jpe?g|png|webp|bmp|tiff?)$/i;
/** The project's own folder (database, caches); dot-folders are skipped anyway. */
export const PROJECT_DATA_DIR = '.promptlabel';

export interface ScannedFile {
  /** Relative to the project folder, '/' separated. */
  relPath: string;
  size: number;
  mtimeMs: number;
}

export function scanImages(root: string): ScannedFile[] {
  const realRoot = realPathOr(root);
  const found: ScannedFile[] = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relDir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, relDir), { withFileTypes: true });
    } catch {
      continue; // unreadable sub-folder: skip it rather than refuse the whole project
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // .promptlabel, .git, macOS ._ files
      const relPath = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        pending.push(relPath);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && IMAGE_EXTENSION.test(entry.name)) {
        // Symlinked folders are not followed (cycles); symlinked files are, when they stay inside the project.
        const path = join(root, relPath);
        if (entry.isSymbolicLink() && !isInsideRealPath(realRoot, realPathOr(path))) continue;
        try {
          const stats = statSync(path);
          if (stats.isFile()) found.push({ relPath, size: stats.size, mtimeMs: stats.mtimeMs });
        } catch {
          // dangling link or file removed during the walk
        }
      }
    }
  }
  return found;
}

/**
 * Key whose plain string order is natural order: digit runs are left-padded so
 * "img2" sorts before "img10"; case-folded so "B.jpg" sits next to "b.jpg".
 */
export function naturalSortKey(relPath: string): string {
  return relPath.toLowerCase().replace(/\d+/g, (digits) => {
    const trimmed = digits.replace(/^0+(?=\d)/, '');
    return trimmed.length.toString().padStart(3, '0') + trimmed;
  });
}
