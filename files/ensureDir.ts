// Creates a folder and its missing parents without `mkdirSync(…, {recursive:
// true})`: Node's recursive mkdir spins forever at 100 % CPU when mkdir
// answers ENOENT under a parent that exists (/proc/newdir), ignoring SIGTERM.
// Here the deepest existing ancestor is found first, checked to be a folder,
// and each missing component is made by one plain mkdir whose failure is
// reported in words.
import { mkdirSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { AppError } from '../common/contract/index.js';
import { diskFullError, errorCode, isDiskFull, isNotWritable, notWritableError } from './fsErrors.js';

/** Makes `dir` (and its missing parents); a folder that exists already is fine. */
export function ensureDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const stats = statOrNull(existing);
    if (stats?.isDirectory()) break;
    if (stats) throw new AppError('bad_request', `Cannot create the folder ${target}: ${existing} is a file, not a folder.`);
    const parent = dirname(existing);
    if (parent === existing) throw new AppError('not_found', `Cannot create the folder ${target}: ${existing} does not exist.`);
    missing.unshift(basename(existing));
    existing = parent;
  }
  let current = existing;
  for (const name of missing) {
    const parent = current;
    current = join(parent, name);
    try {
      mkdirSync(current);
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && statOrNull(current)?.isDirectory()) continue; // made meanwhile by another process
      throw mkdirError(error, parent, target);
    }
  }
}

/** Stats, or null when nothing is there (ENOTDIR: a file stands where a parent folder should). */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (isNotWritable(error)) throw new AppError('bad_request', `Cannot create the folder of ${path}: access to it is denied.`);
    throw error;
  }
}

function mkdirError(error: unknown, parent: string, target: string): unknown {
  const what = `cannot create the folder ${target}`;
  if (isDiskFull(error)) return diskFullError(what);
  if (isNotWritable(error)) return notWritableError(parent, what);
  switch (errorCode(error)) {
    case 'ENOENT': // the parent exists, yet mkdir says it does not: a pseudo file system (/proc, /sys)
      return new AppError('bad_request', `Cannot create folders in ${parent}: this file system does not allow it (${what}).`);
    case 'EEXIST':
    case 'ENOTDIR':
      return new AppError('bad_request', `Cannot create the folder ${target}: a file stands in the way in ${parent}.`);
    case 'ENAMETOOLONG':
      return new AppError('bad_request', `Cannot create the folder ${target}: the name is too long.`);
    default:
      return error;
  }
}
