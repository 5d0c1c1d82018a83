// Whether a file of the project really lies inside the project folder once
// symlinks are followed. A link inside the folder to /etc/passwd was listed
// and served as an image; the scan keeps only files whose real path is inside
// the folder's real path, and every read re-checks, since a file can be
// swapped for such a link after the scan.
import { isAbsolute, join, relative, sep } from 'node:path';

import { AppError } from '../../common/contract/index.js';
import { realPathOr } from './systemPaths.js';

/** True when `realPath` is `realRoot` or below it (both already resolved). */
export function isInsideRealPath(realRoot: string, realPath: string): boolean {
  const rel = relative(realRoot, realPath);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * `root`/`relPath`, refused (not_found) when its real path leads outside the
 * root's real path. A file that does not exist is answered as is: reading it
 * fails as a missing file.
 */
export function containedFile(root: string, relPath: string): string {
  return containedFileOf(root)(relPath);
}

/** containedFile for many files of one root (an import's header reads): the root is resolved once. */
export function containedFileOf(root: string): (relPath: string) => string {
  const realRoot = realPathOr(root);
  return (relPath) => {
    const path = join(root, relPath);
    if (!isInsideRealPath(realRoot, realPathOr(path))) {
      throw new AppError('not_found', `${relPath} leads outside the project folder (a link to a file elsewhere); it is not used.`);
    }
    return path;
  };
}
