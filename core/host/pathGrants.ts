// Which file-system paths the Electron renderer may name. A compromised page
// must not be able to open, read or overwrite arbitrary files by typing paths
// into project.open, coco.import or coco.export, so in the desktop app those
// channels accept only what the user chose in a native dialog during this
// session (plus recent projects and the project given on the command line).
// Browser mode does not use this: there the user types paths into the page
// they opened with the session token.
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

import { AppError } from '../../common/contract/result.js';

/** project: a folder to open; cocoImport: a file to read; cocoExport: one file to write (used once); modelFiles: model files or a folder to add (read only). */
export type GrantKind = 'project' | 'cocoImport' | 'cocoExport' | 'modelFiles' | 'datasetImport' | 'datasetExport';

/**
 * One spelling per file: absolute, symbolic links resolved (the parent's,
 * for a file that does not exist yet), so that a symlink or "a/../b" neither
 * dodges nor fakes a grant.
 */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    try {
      return join(realpathSync.native(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

const WHAT: Record<GrantKind, { noun: string; how: string }> = {
  project: { noun: 'folder', how: 'choose it with "Open folder…" or from the recent projects' },
  cocoImport: { noun: 'COCO file', how: 'choose it with "Import COCO…"' },
  cocoExport: { noun: 'export destination', how: 'choose it in the "Export COCO" save dialog' },
  modelFiles: { noun: 'model file or folder', how: 'choose it with "Add model…" in the model manager' },
  datasetImport: { noun: 'dataset', how: 'choose it with "Import dataset…"' },
  datasetExport: { noun: 'export folder', how: 'choose it with "Export dataset…"' },
};

export class PathGrants {
  private readonly granted: Record<GrantKind, Set<string>> = {
    project: new Set(),
    cocoImport: new Set(),
    cocoExport: new Set(),
    modelFiles: new Set(),
    datasetImport: new Set(),
    datasetExport: new Set(),
  };

  /** Records a path the user chose in a native dialog (or the app itself chose, e.g. the demo project). */
  grant(kind: GrantKind, path: string): void {
    this.granted[kind].add(canonicalPath(path));
  }

  has(kind: GrantKind, path: string): boolean {
    return isAbsolute(path) && this.granted[kind].has(canonicalPath(path));
  }

  /**
   * Throws `forbidden` unless `path` was granted for `kind` or is one of
   * `alsoAllowed` (e.g. the recent projects). Only absolute paths pass: every
   * dialog answers one, and a relative path would depend on a working folder.
   * An export grant is used up by the call that passes this check: the save
   * dialog's consent covers one export.
   */
  require(kind: GrantKind, path: string, alsoAllowed: readonly string[] = []): void {
    if (isAbsolute(path)) {
      const canonical = canonicalPath(path);
      if (this.granted[kind].has(canonical)) {
        if (kind === 'cocoExport' || kind === 'datasetExport') this.granted[kind].delete(canonical);
        return;
      }
      if (alsoAllowed.some((allowed) => isAbsolute(allowed) && canonicalPath(allowed) === canonical)) return;
    }
    const { noun, how } = WHAT[kind];
    throw new AppError(
      'forbidden',
      `The desktop app uses only a ${noun} you chose in this session: ${how}. ${path} was not chosen, so nothing was done.`,
      'path',
    );
  }
}
