// The one implementation of every channel, used by both transports.

import { AppError } from '../../common/contract/index.js';
import type { InferenceEngine } from '../../engine/engine.js';
import { exportCoco } from '../coco/export.js';
import { defaultExportPath } from '../coco/exportTarget.js';
import { importCoco } from '../coco/import.js';
import { createAiHandlers } from './aiHandlers.js';
import { createAutolabelHandlers } from './autolabelHandlers.js';
import { createDatasetHandlers } from './datasetHandlers.js';
import { createFormatHandlers } from './formatHandlers.js';
import type { Handlers } from './handlerTypes.js';
import { createModelPackHandlers } from './modelPackHandlers.js';
import { createNarrativeHandlers } from './narrativeHandlers.js';
import { PathGrants } from './pathGrants.js';
import { progressReporter } from './progress.js';
import type { AppSession } from './session.js';
import { createUserModelHandlers } from './userModelHandlers.js';

export interface HostEnvironment {
  mode: 'electron' | 'browser';
  version: string;
  /** Native folder dialog; absent in browser mode. */
  pickFolder?: () => Promise<string | null>;
  /** Native file dialog for COCO JSON; absent in browser mode. */
  pickCocoFile?: () => Promise<string | null>;
  /** Native file dialog for model files (several at once); absent in browser mode. */
  pickModelFiles?: () => Promise<string[]>;
  /** Native save dialog for a COCO export (it confirms before replacing a file); absent in browser mode. */
  saveCocoFile?: (defaultPath: string | undefined) => Promise<string | null>;
  /** Native dialog for a dataset to import (file or folder) or an export folder; absent in browser mode. */
  pickDatasetPath?: (options: { purpose: 'import' | 'export'; folder: boolean }) => Promise<string | null>;
  /** Electron mode: the paths chosen in those dialogs, the only ones project.open, coco.import and coco.export accept. */
  pathGrants?: PathGrants;
  recentProjects: { list(): string[]; add(dir: string): void };
}

export function createHandlers(
  session: AppSession,
  env: HostEnvironment,
  engine: () => InferenceEngine,
  userModelsDir: string,
  /** The built-in models' folder: a user model cannot take one of their ids. */
  builtinModelsDir: string | null = null,
): Handlers {
  // Browser mode takes typed paths (the user types them into the page they opened with the token).
  const grants = env.mode === 'electron' ? (env.pathGrants ?? new PathGrants()) : null;
  return {
    ...createAiHandlers(session, engine),
    ...createFormatHandlers(session, env, grants),
    ...createModelPackHandlers(session, engine, userModelsDir),
    ...createUserModelHandlers(session, engine, userModelsDir, builtinModelsDir, grants),
    ...createNarrativeHandlers(session, grants),
    ...createDatasetHandlers(session),
    ...createAutolabelHandlers(session, engine, grants),
    'app.info': () => ({
      version: env.version,
      mode: env.mode,
      platform: process.platform,
      recentProjects: env.recentProjects.list(),
    }),
    'dialog.pickFolder': async () => {
      if (!env.pickFolder) throw new AppError('unsupported', 'Folder dialogs exist only in the desktop app; type the folder path instead.');
      const dir = await env.pickFolder();
      if (dir !== null) grants?.grant('project', dir);
      return { dir };
    },
    'dialog.pickCocoFile': async () => {
      if (!env.pickCocoFile) throw new AppError('unsupported', 'File dialogs exist only in the desktop app; type the file path instead.');
      const path = await env.pickCocoFile();
      if (path !== null) grants?.grant('cocoImport', path);
      return { path };
    },
    'dialog.pickModelFiles': async () => {
      if (!env.pickModelFiles)
        throw new AppError('unsupported', 'File dialogs exist only in the desktop app; type the model paths instead.');
      const paths = await env.pickModelFiles();
      for (const path of paths) grants?.grant('modelFiles', path);
      return { paths };
    },
    'dialog.saveCocoFile': async () => {
      if (!env.saveCocoFile) throw new AppError('unsupported', 'Save dialogs exist only in the desktop app; type the file path instead.');
      const dir = session.current?.dir;
      const path = await env.saveCocoFile(dir === undefined ? undefined : defaultExportPath(dir));
      if (path !== null) grants?.grant('cocoExport', path);
      return { path };
    },
    'project.open': ({ dir }) => {
      grants?.require('project', dir, env.recentProjects.list());
      const project = session.open(dir);
      env.recentProjects.add(project.dir);
      return project.summary();
    },
    'project.current': () => session.current?.summary() ?? null,
    'project.rescan': () => {
      const project = session.requireProject();
      project.rescan();
      return project.summary();
    },
    'images.list': (request) => session.requireProject().listImages(request),
    'images.get': ({ imageId }) => session.requireProject().getImage(imageId),
    'labels.list': () => session.requireProject().labels(),
    'annotations.list': ({ imageId }) => session.requireProject().annotations(imageId),
    'captions.list': ({ imageId }) => session.requireProject().captions(imageId),
    'document.apply': ({ ops, origin }) => {
      const { inverse, change } = session.requireProject().applyBatch(ops);
      // After the commit: every client of the project (each window, each browser tab) brings its copy up to date.
      session.events.emit('document.changed', { ...change, origin: origin ?? null });
      return { inverse, revision: change.revision, revisions: change.revisions };
    },
    'coco.export': async ({ outPath, ...options }) => {
      if (outPath !== undefined) grants?.require('cocoExport', outPath);
      const progress = progressReporter(session, 'Exporting COCO');
      try {
        return await exportCoco(session.requireProject(), { outPath, ...options }, progress.update);
      } finally {
        progress.finish();
      }
    },
    'coco.import': async ({ path, duplicates }) => {
      grants?.require('cocoImport', path);
      const progress = progressReporter(session, 'Importing COCO');
      try {
        const summary = await importCoco(session.requireProject(), path, progress.update, { duplicates });
        session.events.emit('project.changed', { reason: 'coco.import' });
        return summary;
      } finally {
        progress.finish();
      }
    },
  };
}
