// Whether a folder can hold a project, decided before anything is created in
// it: it must exist, be a folder, and be neither the root of a file system
// nor part of the kernel's pseudo file systems (/proc, /sys, /dev).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import { AppError } from '../../common/contract/index.js';
import { isFileSystemRoot, realPathOr, systemPlace } from './systemPaths.js';

/** The folder's absolute path, or an AppError saying why no project can live there. */
export function checkProjectFolder(dir: string): string {
  const absolute = resolve(dir);
  let isFolder: boolean;
  try {
    isFolder = statSync(absolute).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new AppError('not_found', `${absolute} is not a folder.`);
  const real = realPathOr(absolute);
  const system = systemPlace(real);
  if (system) throw new AppError('bad_request', `${absolute} cannot be a project folder: ${system}.`);
  if (isFileSystemRoot(real)) {
    throw new AppError('bad_request', `${absolute} is the root of a file system; open the folder that holds your images instead.`);
  }
  return absolute;
}
