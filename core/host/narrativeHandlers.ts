// Captions beyond one image: Localized Narratives import and export, and the
// project-wide caption search.
import { exportNarratives } from '../narratives/exportNarratives.js';
import { importNarratives } from '../narratives/importNarratives.js';
import { searchCaptions } from '../narratives/searchCaptions.js';
import type { Handlers } from './handlerTypes.js';
import type { PathGrants } from './pathGrants.js';
import { progressReporter } from './progress.js';
import type { AppSession } from './session.js';

type NarrativeHandlers = Pick<Handlers, 'narratives.import' | 'narratives.export' | 'captions.search'>;

/** `grants`: the desktop app's chosen paths (files picked in its open and save dialogs); null in browser mode. */
export function createNarrativeHandlers(session: AppSession, grants: PathGrants | null): NarrativeHandlers {
  return {
    'narratives.import': async ({ path, cocoPath, skipUnmatched }) => {
      // The desktop app's file dialogs: the dataset picker (any file) or the COCO one.
      const requireChosen = (file: string) => {
        if (grants && !grants.has('datasetImport', file)) grants.require('cocoImport', file);
      };
      requireChosen(path);
      if (cocoPath !== undefined) requireChosen(cocoPath);
      const progress = progressReporter(session, 'Importing narratives');
      try {
        const summary = await importNarratives(session.requireProject(), path, { cocoPath, skipUnmatched }, progress.update);
        session.events.emit('project.changed', { reason: 'narratives.import' });
        return summary;
      } finally {
        progress.finish();
      }
    },
    'narratives.export': async ({ outPath, overwrite }) => {
      if (outPath !== undefined) grants?.require('cocoExport', outPath);
      return exportNarratives(session.requireProject(), { outPath, overwrite });
    },
    'captions.search': ({ query, limit }) => searchCaptions(session.requireProject(), query, limit),
  };
}
