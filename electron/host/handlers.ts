// The one implementation of every channel, used by both transports.
import { AppError } from '../../common/contract/index.js';
import { exportCoco } from '../coco/export.js';
import { importCoco } from '../coco/import.js';
import type { InferenceEngine } from '../engine/engine.js';
import { createAiHandlers } from './aiHandlers.js';
import { createModelPackHandlers } from './modelPackHandlers.js';
import type { Handlers } from './handlerTypes.js';
import { progressReporter } from './progress.js';
import type { AppSession } from './session.js';

export interface HostEnvironment {
  mode: 'electron' | 'browser';
  version: string;
  /** Native folder dialog; absent in browser mode. */
  pickFolder?: () => Promise<string | null>;
  /** Native file dialog for COCO JSON; absent in browser mode. */
  pickCocoFile?: () => Promise<string | null>;
  recentProjects: { list(): string[]; add(dir: string): void };
}

export function createHandlers(session: AppSession, env: HostEnvironment, engine: () => InferenceEngine, userModelsDir: string): Handlers {
  return {
    ...createAiHandlers(session, engine),
    ...createModelPackHandlers(session, engine, userModelsDir),
    'app.info': () => ({
      version: env.version,
      mode: env.mode,
      platform: process.platform,
      recentProjects: env.recentProjects.list(),
    }),
    'dialog.pickFolder': async () => {
      if (!env.pickFolder) throw new AppError('unsupported', 'Folder dialogs exist only in the desktop app; type the folder path instead.');
      return { dir: await env.pickFolder() };
    },
    'dialog.pickCocoFile': async () => {
      if (!env.pickCocoFile) throw new AppError('unsupported', 'File dialogs exist only in the desktop app; type the file path instead.');
      return { path: await env.pickCocoFile() };
    },
    'project.open': ({ dir }) => {
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
    'document.apply': ({ ops }) => ({ inverse: session.requireProject().apply(ops) }),
    'coco.export': async ({ outPath, includeCaptions }) => {
      const progress = progressReporter(session, 'Exporting COCO');
      try {
        return await exportCoco(session.requireProject(), { outPath, includeCaptions }, progress.update);
      } finally {
        progress.finish();
      }
    },
    'coco.import': async ({ path }) => {
      const progress = progressReporter(session, 'Importing COCO');
      try {
        const summary = await importCoco(session.requireProject(), path, progress.update);
        session.events.emit('project.changed', { reason: 'coco.import' });
        return summary;
      } finally {
        progress.finish();
      }
    },
  };
}
