// Where an export may be written. An export once overwrote the project's own
// database (the project was unreadable after a restart) and one of its images,
// so before anything is written each output file is checked, by real path
// (symlinks resolved, case folded where the file system ignores case):
// - never inside <project>/.promptlabel/ (database, -wal, -shm, caches);
// - never an image of the project (nor a file that a rescan would take for one);
// - never in the kernel's pseudo file systems or onto a folder;
// - an existing file only with an explicit `overwrite`.
// A relative path is taken relative to the project folder, never to the
// server's working directory.
import { lstatSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { AppError } from '../../common/contract/index.js';
import { errorCode } from '../../files/fsErrors.js';
import type { Project } from '../store/project.js';
import { IMAGE_EXTENSION, PROJECT_DATA_DIR } from '../store/scan.js';
import { realPathOr, systemPlace } from '../store/systemPaths.js';

/** The request's `path` on refusals, so a client can tell "exists" apart and ask before overwriting. */
export const EXPORT_PATH_FIELD = 'outPath';

/** A file in the project's exports folder named by what it holds and when: <dir>/exports/<stem>-<timestamp><extension>. */
export function defaultExportPath(projectDir: string, stem = 'coco', extension = '.json'): string {
  return join(projectDir, 'exports', `${stem}-${exportTimestamp()}${extension}`);
}

/** Now, as a file-name part (ISO 8601 with ':' and '.' made '-'). */
export function exportTimestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** The absolute export path: `outPath` against the project folder, or defaultExportPath (coco-<timestamp>.json unless told). */
export function resolveExportPath(project: Project, outPath: string | undefined, stem = 'coco', extension = '.json'): string {
  if (outPath === undefined) return defaultExportPath(project.dir, stem, extension);
  return resolve(project.dir, outPath);
}

/** Throws an AppError when `path` must not be written (see the header). */
export function checkExportTarget(project: Project, path: string, overwrite: boolean): void {
  const refuse = (why: string) => new AppError('bad_request', `Cannot export to ${path}: ${why}.`, EXPORT_PATH_FIELD);
  const { real, existingAncestor } = realTargetPath(path);
  const system = systemPlace(existingAncestor);
  if (system) throw refuse(system);

  const projectReal = realPathOr(project.dir);
  const fold = caseFolder(projectReal);
  const existing = lstatOrNull(path);
  // A symlink is replaced by the export, not followed; its target is checked all the same.
  const candidates = existing?.isSymbolicLink() ? [real, realPathOr(path)] : [real];
  for (const candidate of candidates) {
    const inProject = relativeInside(fold(projectReal), fold(candidate));
    if (inProject === null) continue;
    const first = inProject.split(sep)[0];
    if (first === fold(PROJECT_DATA_DIR))
      throw refuse(`it is inside the project's own data folder ${PROJECT_DATA_DIR} (database and caches)`);
    if (inProject === '') throw refuse('it is the project folder');
    if (IMAGE_EXTENSION.test(candidate)) throw refuse('it is (or would be taken for) an image of the project');
  }
  if (!existing) return;
  if (existing.isDirectory()) throw refuse('it is a folder');
  if (!overwrite) {
    throw new AppError('conflict', `${path} already exists. Export again with overwrite (--overwrite) to replace it.`, EXPORT_PATH_FIELD);
  }
}

/** The path with its existing part resolved to a real path (symlinks, `..`), and that existing part. */
function realTargetPath(path: string): { real: string; existingAncestor: string } {
  const rest: string[] = [basename(path)];
  let ancestor = dirname(path);
  while (!statOrNull(ancestor)) {
    const parent = dirname(ancestor);
    if (parent === ancestor) break;
    rest.unshift(basename(ancestor));
    ancestor = parent;
  }
  const existingAncestor = realPathOr(ancestor);
  return { real: join(existingAncestor, ...rest), existingAncestor };
}

/** `child` relative to `parent` when it lies inside it (or is it: ''), else null. */
function relativeInside(parent: string, child: string): string | null {
  const rel = relative(parent, child);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  return rel;
}

/**
 * Lower-cases paths when the project's file system ignores case (probed:
 * the same folder under a case-swapped name), else leaves them as they are.
 */
function caseFolder(realDir: string): (path: string) => string {
  const swapped = realDir.replace(/\p{L}/gu, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
  let insensitive: boolean;
  if (swapped === realDir) {
    insensitive = process.platform === 'win32' || process.platform === 'darwin';
  } else {
    const a = statOrNull(realDir);
    const b = statOrNull(swapped);
    insensitive = a !== null && b !== null && a.ino === b.ino && a.dev === b.dev;
  }
  return insensitive ? (path) => path.toLowerCase() : (path) => path;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
    throw error;
  }
}
