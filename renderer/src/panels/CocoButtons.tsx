// COCO export (to the project's exports folder) and import (from a typed path).
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';

export function CocoButtons() {
  const { showToast, showError, resyncDocument, reloadImageList } = useAppStore(
    useShallow((s) => ({ showToast: s.showToast, showError: s.showError, resyncDocument: s.resyncDocument, reloadImageList: s.reloadImageList })),
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

  const importCoco = async () => {
    setBusy(true);
    try {
      const summary = await api.call('coco.import', { path: importPath });
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
