// COCO export (to the project's exports folder) and import (a native file
// picker in Electron, a typed path everywhere: browser mode has no dialog).
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';

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

  const exportCoco = async () => {
    setBusy(true);
    try {
      const summary = await api.call('coco.export', {});
      showToast('info', `Exported ${summary.images} images, ${summary.annotations} annotations to ${summary.path}`);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const browse = async () => {
    try {
      const { path } = await api.call('dialog.pickCocoFile', {});
      if (path) setImportPath(path);
    } catch (error) {
      showError(error);
    }
  };

  const importCoco = async () => {
    setBusy(true);
    try {
      const summary = await api.call('coco.import', { path: importPath.trim() });
      showToast('info', `Imported ${summary.annotations} annotations on ${summary.images} images (${summary.categoriesAdded} new labels).`);
      setImporting(false);
      await Promise.all([resyncDocument(), reloadImageList()]);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
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
      {importing && (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void importCoco();
          }}
        >
          <label>
            COCO JSON file
            <input data-testid="import-path" autoFocus value={importPath} placeholder="/path/to/annotations.json" onChange={(e) => setImportPath(e.target.value)} />
          </label>
          {isElectron && (
            <button type="button" data-testid="import-browse" onClick={() => void browse()}>
              Browse…
            </button>
          )}
          <div className="popover-actions">
            <button type="button" onClick={() => setImporting(false)}>
              Cancel
            </button>
            <button type="submit" data-testid="import-confirm" className="primary" disabled={busy || importPath.trim() === ''}>
              Import
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
