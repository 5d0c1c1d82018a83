// Every dataset format of core/formats/registry.ts (COCO too): import and export, and the
// desktop dialog that picks their paths (the desktop host takes no other).
import { AppError } from '../../common/contract/index.js';
import { exportDataset } from '../formats/exportDataset.js';
import { importDataset } from '../formats/importDataset.js';
import type { HostEnvironment } from './handlers.js';
import type { Handlers } from './handlerTypes.js';
import type { PathGrants } from './pathGrants.js';
import { progressReporter } from './progress.js';
import type { AppSession } from './session.js';

type FormatHandlers = Pick<Handlers, 'dataset.import' | 'dataset.export' | 'dialog.pickDatasetPath'>;

export function createFormatHandlers(session: AppSession, env: HostEnvironment, grants: PathGrants | null): FormatHandlers {
  return {
    'dialog.pickDatasetPath': async ({ purpose, folder }) => {
      if (!env.pickDatasetPath) throw new AppError('unsupported', 'File dialogs exist only in the desktop app; type the path instead.');
      const path = await env.pickDatasetPath({ purpose, folder });
      if (path !== null) grants?.grant(purpose === 'import' ? 'datasetImport' : 'datasetExport', path);
      return { path };
    },
    'dataset.import': async ({ format, path, labelMap, duplicates }) => {
      grants?.require('datasetImport', path);
      const progress = progressReporter(session, `Importing ${format}`);
      try {
        const summary = await importDataset(session.requireProject(), format, path, { labelMap, duplicates }, progress.update);
        session.events.emit('project.changed', { reason: 'dataset.import' });
        return summary;
      } finally {
        progress.finish();
      }
    },
    'dataset.export': async ({ format, outPath, ...options }) => {
      if (grants) {
        if (outPath === undefined) throw new AppError('forbidden', 'Choose the export folder in the dialog first.', 'outPath');
        grants.require('datasetExport', outPath);
      }
      const progress = progressReporter(session, `Exporting ${format}`);
      try {
        return await exportDataset(session.requireProject(), format, { outPath, ...options }, progress.update);
      } finally {
        progress.finish();
      }
    },
  };
}
