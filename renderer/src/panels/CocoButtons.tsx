// COCO export and import. The desktop app uses native dialogs only (its host
// accepts no other paths): a save dialog for the export, a file dialog for the
// import. Browser mode has no dialog: the export goes to the project's exports
// folder and the import takes a typed path.
// An export never replaces an existing file unless the user confirms it.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { type CocoDuplicateMode, type CocoExportSummary, type CocoImportSummary, type RequestOf } from '../../../common/contract/index.js';
import { api, ApiError } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';
import { CocoExportOptionFields, type CocoExportOptions, DEFAULT_COCO_EXPORT_OPTIONS } from './CocoExportOptionFields.js';

/** The host's answer when the export file exists and `overwrite` was not given. */
const exportFileExists = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.code === 'conflict' && error.path === 'outPath';

/** Exports; when the file exists, asks before replacing it. Null when the user declined. */
async function exportAskingBeforeOverwrite(request: RequestOf<'coco.export'>): Promise<CocoExportSummary | null> {
  try {
    return await api.call('coco.export', request);
  } catch (error) {
    if (!exportFileExists(error)) throw error;
    if (!window.confirm(`${error.message}\n\nReplace it?`)) return null;
    return api.call('coco.export', { ...request, overwrite: true });
  }
}

/** Desktop app: the save dialog picks the file and asks before replacing one, so its answer is exported with overwrite. Null when cancelled. */
async function exportToChosenFile(options: CocoExportOptions): Promise<CocoExportSummary | null> {
  const { path } = await api.call('dialog.saveCocoFile', {});
  return path === null ? null : api.call('coco.export', { ...options, outPath: path, overwrite: true });
}

function exportMessage(summary: CocoExportSummary): string {
  const unlabeled = summary.skippedUnlabeled > 0 ? ` (${summary.skippedUnlabeled} unlabeled left out: COCO needs a category)` : '';
  const done = `Exported ${summary.images} images, ${summary.annotations} annotations to ${summary.path}${unlabeled}`;
  const skipped = summary.skippedImages;
  if (skipped.length === 0) return done;
  const first = skipped[0]!;
  const more = skipped.length > 1 ? ` and ${skipped.length - 1} more` : '';
  return `${done}. Skipped ${skipped.length} unreadable image${skipped.length > 1 ? 's' : ''}: ${first.file} (${first.reason})${more}.`;
}

function importMessage(summary: CocoImportSummary): string {
  const done =
    summary.kind === 'captions'
      ? `Imported ${summary.captions} captions on ${summary.images} images.`
      : `Imported ${summary.annotations} annotations on ${summary.images} images (${summary.categoriesAdded} new labels).`;
  return [done, ...summary.notes].join(' ');
}

const DUPLICATE_CHOICES: Record<CocoDuplicateMode, string> = {
  skip: 'Skip them',
  replace: 'Replace them',
  add: 'Add them again',
};

export function CocoButtons() {
  const { showToast, showError, resyncDocument, reloadImageList, isElectron } = useAppStore(
    useShallow((s) => ({
      showToast: s.showToast,
      showError: s.showError,
      resyncDocument: s.resyncDocument,
      reloadImageList: s.reloadImageList,
      isElectron: s.appInfo?.mode === 'electron',
    })),
  );
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);
  const [importPath, setImportPath] = useState('');
  const [duplicates, setDuplicates] = useState<CocoDuplicateMode>('skip');
  // The export's shape options, kept while the app runs.
  const [exportOptions, setExportOptions] = useState<CocoExportOptions>(DEFAULT_COCO_EXPORT_OPTIONS);
  const [choosingOptions, setChoosingOptions] = useState(false);
  const setOption = (change: Partial<CocoExportOptions>) => setExportOptions((options) => ({ ...options, ...change }));

  const exportCoco = async () => {
    setBusy(true);
    try {
      const summary = isElectron ? await exportToChosenFile(exportOptions) : await exportAskingBeforeOverwrite(exportOptions);
      if (summary) showToast(summary.skippedImages.length > 0 ? 'error' : 'info', exportMessage(summary));
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const importCoco = async (path: string) => {
    setBusy(true);
    try {
      const summary = await api.call('coco.import', { path, duplicates });
      showToast('info', importMessage(summary));
      setImporting(false);
      await Promise.all([resyncDocument(), reloadImageList()]);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const pickAndImport = async () => {
    try {
      const { path } = await api.call('dialog.pickCocoFile', {});
      if (path) await importCoco(path);
    } catch (error) {
      showError(error);
    }
  };

  return (
    <div className="tool-group coco">
      <button type="button" data-testid="import-coco" disabled={busy} onClick={() => setImporting((v) => !v)}>
        Import COCO…
      </button>
      <button type="button" data-testid="export-coco" disabled={busy} onClick={() => void exportCoco()}>
        Export COCO
      </button>
      <button
        type="button"
        data-testid="export-coco-options"
        title="COCO export options"
        aria-label="COCO export options"
        aria-expanded={choosingOptions}
        onClick={() => setChoosingOptions((v) => !v)}
      >
        ⚙
      </button>
      {choosingOptions && (
        <div className="popover" data-testid="export-options">
          <CocoExportOptionFields value={exportOptions} onChange={setOption} />
          <div className="popover-actions">
            <button type="button" onClick={() => setChoosingOptions(false)}>
              Done
            </button>
          </div>
        </div>
      )}
      {importing && (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void (isElectron ? pickAndImport() : importCoco(importPath.trim()));
          }}
        >
          {!isElectron && (
            <label>
              COCO JSON file
              <input
                data-testid="import-path"
                autoFocus
                value={importPath}
                placeholder="/path/to/annotations.json"
                onChange={(e) => setImportPath(e.target.value)}
              />
            </label>
          )}
          <label>
            Annotations already in the project
            <select data-testid="import-duplicates" value={duplicates} onChange={(e) => setDuplicates(e.target.value as CocoDuplicateMode)}>
              {Object.entries(DUPLICATE_CHOICES).map(([mode, text]) => (
                <option key={mode} value={mode}>
                  {text}
                </option>
              ))}
            </select>
          </label>
          <div className="popover-actions">
            <button type="button" onClick={() => setImporting(false)}>
              Cancel
            </button>
            <button
              type="submit"
              data-testid="import-confirm"
              className="primary"
              disabled={busy || (!isElectron && importPath.trim() === '')}
            >
              {isElectron ? 'Choose file…' : 'Import'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
