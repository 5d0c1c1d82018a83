// COCO *results* out and in, beside the COCO buttons: the proposals jobs
// made, with their scores (`image_id, category_id, segmentation|bbox, score`),
// so a team can evaluate a model against its own ground truth; and a results
// file (e.g. the shards of `promptlabel autolabel --out`) into the review
// queue. The export goes to the project's exports folder; the import takes
// the desktop file dialog, or a typed path in browser mode, as the COCO
// buttons do.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { api, ApiError } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';

export function ResultsButtons() {
  const { showToast, showError, reloadImageList, loadProposals, imageId, isElectron } = useAppStore(
    useShallow((s) => ({
      isElectron: s.appInfo?.mode === 'electron',
      showToast: s.showToast,
      showError: s.showError,
      reloadImageList: s.reloadImageList,
      loadProposals: s.loadProposals,
      imageId: s.currentImage?.id ?? null,
    })),
  );
  const [busy, setBusy] = useState(false);
  const [importing, setImporting] = useState(false);
  const [importPath, setImportPath] = useState('');

  const exportResults = async () => {
    setBusy(true);
    try {
      const summary = await api.call('proposals.exportResults', { what: 'proposals' });
      const unlabeled = summary.unlabeled > 0 ? ` (${summary.unlabeled} without a label left out)` : '';
      showToast('info', `Exported ${summary.results} results on ${summary.images} images to ${summary.path}${unlabeled}.`);
    } catch (error) {
      showError(error instanceof ApiError && error.code === 'not_found' ? new Error(`No proposals to export: ${error.message}`) : error);
    } finally {
      setBusy(false);
    }
  };

  const importResults = async (path: string) => {
    setBusy(true);
    try {
      const summary = await api.call('proposals.importResults', { path });
      const unmatched = summary.unmatched > 0 ? `; ${summary.unmatched} results name no image of the project` : '';
      showToast(
        'info',
        `Imported ${summary.proposals} proposals on ${summary.images} images (${summary.labelsAdded} new labels${unmatched}).`,
      );
      setImporting(false);
      await reloadImageList();
      if (imageId !== null) await loadProposals(imageId);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  // The desktop app's host reads only files its own dialog picked.
  const pickAndImport = async () => {
    try {
      const { path } = await api.call('dialog.pickCocoFile', {});
      if (path) await importResults(path);
    } catch (error) {
      showError(error);
    }
  };

  return (
    <div className="tool-group results">
      <button
        type="button"
        data-testid="export-results"
        disabled={busy}
        title="The proposals of the auto-label jobs as a COCO results file (with scores), to evaluate a model against your annotations"
        onClick={() => void exportResults()}
      >
        Export results
      </button>
      <button
        type="button"
        data-testid="import-results"
        disabled={busy}
        title="Read a COCO results file (e.g. promptlabel autolabel --out shards) into the review queue"
        onClick={() => (isElectron ? void pickAndImport() : setImporting((v) => !v))}
      >
        Import results…
      </button>
      {importing && (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            void importResults(importPath.trim());
          }}
        >
          <label>
            COCO results JSON file
            <input
              data-testid="import-results-path"
              autoFocus
              value={importPath}
              placeholder="/path/to/results.json"
              onChange={(e) => setImportPath(e.target.value)}
            />
          </label>
          <div className="popover-actions">
            <button type="button" onClick={() => setImporting(false)}>
              Cancel
            </button>
            <button type="submit" data-testid="import-results-confirm" className="primary" disabled={busy || importPath.trim() === ''}>
              Import
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
