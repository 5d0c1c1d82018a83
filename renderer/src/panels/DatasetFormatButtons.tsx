// Import and export in every dataset format (YOLO, Pascal VOC, labelme, CVAT,
// COCO, COCO results). One popover per direction: the format, the path (typed in
// browser mode; chosen in a native dialog in the desktop app, whose host takes
// no other path), YOLO's options on export, COCO's duplicates choice on import,
// and an optional label map on import (not for COCO: it joins categories by name). The result names what was not imported or what the format could not
// hold, with counts. An export never replaces files unless the user confirms.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { DatasetExportSummary, DatasetFormat, DatasetImportSummary, FormatCount, RequestOf } from '../../../common/contract/index.js';
import { api, ApiError } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';
import { CocoExportOptionFields, type CocoExportOptions, DEFAULT_COCO_EXPORT_OPTIONS } from './CocoExportOptionFields.js';
import { parseLabelMapLines } from './labelMapLines.js';

/** `file`: the format imports from one file and exports to one file (the path names it), not a folder. */
const FORMATS: { value: DatasetFormat; label: string; importHint: string; file?: true }[] = [
  { value: 'yolo', label: 'YOLO (Ultralytics)', importHint: '/path/to/dataset/data.yaml' },
  { value: 'voc', label: 'Pascal VOC', importHint: '/path/to/VOCdevkit/VOC2012' },
  { value: 'labelme', label: 'labelme', importHint: '/path/to/labelme/folder' },
  { value: 'cvat', label: 'CVAT for images 1.1', importHint: '/path/to/annotations.xml' },
  { value: 'coco', label: 'COCO (instances, captions)', importHint: '/path/to/instances.json', file: true },
  { value: 'coco-results', label: 'COCO results (proposals to review)', importHint: '/path/to/results.json', file: true },
];

const suggestedExport = (projectDir: string, format: DatasetFormat) =>
  FORMATS.find((f) => f.value === format)?.file ? `${projectDir}-${format}.json` : `${projectDir}-${format}`;

const counted = (counts: readonly FormatCount[]) => counts.map(({ what, count }) => `${count} ${what}`).join('; ');

function importMessage(summary: DatasetImportSummary): string {
  const parts = summary.results
    ? [`Put ${summary.results.proposals} proposals on ${summary.images} images into the review queue (${summary.labelsAdded} new labels).`]
    : [`Imported ${summary.annotations} annotations on ${summary.images} images (${summary.labelsAdded} new labels).`];
  if (summary.kept.length > 0) parts.push(`Kept for export: ${counted(summary.kept)}.`);
  if (summary.coco) parts.push(...summary.coco.notes);
  if (summary.notImported.length > 0) parts.push(`Not imported: ${counted(summary.notImported)}.`);
  if (summary.unmatchedCount > 0)
    parts.push(`${summary.unmatchedCount} dataset images are not in this project, e.g. ${summary.unmatchedImages[0]}.`);
  if (summary.clipped > 0) parts.push(`${summary.clipped} vertices just outside their image moved onto its border.`);
  return parts.join(' ');
}

function exportMessage(summary: DatasetExportSummary): string {
  const parts = [`Exported ${summary.images} images, ${summary.annotations} annotations to ${summary.path}.`];
  if (summary.dropped.length > 0) parts.push(`Not held by ${summary.format}: ${counted(summary.dropped)}.`);
  if (summary.skippedImages.length > 0) parts.push(`Skipped ${summary.skippedImages.length} unreadable images.`);
  return parts.join(' ');
}

const exportFilesExist = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.code === 'conflict' && error.path === 'outPath';

export function DatasetFormatButtons() {
  const { showToast, showError, resyncDocument, reloadImageList, isElectron, projectDir } = useAppStore(
    useShallow((s) => ({
      showToast: s.showToast,
      showError: s.showError,
      resyncDocument: s.resyncDocument,
      reloadImageList: s.reloadImageList,
      isElectron: s.appInfo?.mode === 'electron',
      projectDir: s.project?.dir ?? null,
    })),
  );
  const [open, setOpen] = useState<'import' | 'export' | null>(null);
  const [busy, setBusy] = useState(false);
  const [format, setFormat] = useState<DatasetFormat>('yolo');
  const [path, setPath] = useState('');
  const [labelMap, setLabelMap] = useState('');
  const [yoloTask, setYoloTask] = useState<'auto' | 'detect' | 'segment'>('auto');
  const [valRatio, setValRatio] = useState('0.2');
  const [seed, setSeed] = useState('0');
  const [copyImages, setCopyImages] = useState(false);
  const [duplicates, setDuplicates] = useState<'skip' | 'replace' | 'add'>('skip');
  const [results, setResults] = useState<'proposals' | 'annotations'>('proposals');
  const [cocoOptions, setCocoOptions] = useState<CocoExportOptions>(DEFAULT_COCO_EXPORT_OPTIONS);

  const toggle = (mode: 'import' | 'export') => {
    setOpen((current) => (current === mode ? null : mode));
    setPath(mode === 'export' && projectDir ? suggestedExport(projectDir, format) : '');
  };

  /** The suggested export folder follows the format until the user types their own. */
  const chooseFormat = (next: DatasetFormat) => {
    if (open === 'export' && projectDir && path === suggestedExport(projectDir, format)) setPath(suggestedExport(projectDir, next));
    setFormat(next);
  };

  const choosePath = async () => {
    try {
      const chosen = await api.call('dialog.pickDatasetPath', {
        purpose: open ?? 'import',
        folder: !FORMATS.find((f) => f.value === format)?.file && (open === 'export' || format !== 'cvat'),
      });
      if (chosen.path) setPath(chosen.path);
    } catch (error) {
      showError(error);
    }
  };

  const runImport = async () => {
    const map = parseLabelMapLines(labelMap);
    if (typeof map === 'string') return showToast('error', map);
    setBusy(true);
    try {
      const summary = await api.call('dataset.import', {
        format,
        path: path.trim(),
        ...(Object.keys(map).length ? { labelMap: map } : {}),
        ...(format === 'coco' ? { duplicates } : {}),
      });
      showToast(summary.unmatchedCount > 0 || summary.notImported.length > 0 ? 'error' : 'info', importMessage(summary));
      setOpen(null);
      await Promise.all([resyncDocument(), reloadImageList()]);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const runExport = async () => {
    const request: RequestOf<'dataset.export'> = { format, outPath: path.trim() || undefined };
    if (format === 'yolo') {
      const ratio = Number(valRatio);
      const seedValue = Number(seed);
      if (!(ratio >= 0 && ratio <= 1)) return showToast('error', 'The val share must be a number from 0 to 1.');
      if (!(Number.isInteger(seedValue) && seedValue >= 0)) return showToast('error', 'The seed must be a whole number ≥ 0.');
      Object.assign(request, { valRatio: ratio, seed: seedValue, copyImages, ...(yoloTask === 'auto' ? {} : { yoloTask }) });
    }
    if (format === 'coco-results') request.results = results;
    if (format === 'coco') Object.assign(request, cocoOptions);
    setBusy(true);
    try {
      let summary: DatasetExportSummary;
      try {
        summary = await api.call('dataset.export', request);
      } catch (error) {
        if (!exportFilesExist(error) || !window.confirm(`${error.message}\n\nReplace the files?`)) throw error;
        summary = await api.call('dataset.export', { ...request, overwrite: true });
      }
      showToast(summary.dropped.length > 0 || summary.skippedImages.length > 0 ? 'error' : 'info', exportMessage(summary));
      setOpen(null);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const current = FORMATS.find((f) => f.value === format)!;
  return (
    <div className="tool-group coco">
      <button type="button" data-testid="import-dataset" disabled={busy} onClick={() => toggle('import')}>
        Import dataset…
      </button>
      <button type="button" data-testid="export-dataset" disabled={busy} onClick={() => toggle('export')}>
        Export dataset…
      </button>
      {open && (
        <form
          className="popover"
          aria-label={open === 'import' ? 'Import dataset' : 'Export dataset'}
          onSubmit={(e) => {
            e.preventDefault();
            void (open === 'import' ? runImport() : runExport());
          }}
        >
          <label>
            Format
            <select data-testid="dataset-format" value={format} onChange={(e) => chooseFormat(e.target.value as DatasetFormat)}>
              {FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {open === 'import' ? 'Dataset (file or folder)' : current.file ? 'Output file' : 'Output folder'}
            <input
              data-testid="dataset-path"
              autoFocus
              value={path}
              readOnly={isElectron}
              placeholder={open === 'import' ? current.importHint : current.file ? '/path/to/export.json' : '/path/to/export/folder'}
              onChange={(e) => setPath(e.target.value)}
            />
          </label>
          {isElectron && (
            <button type="button" onClick={() => void choosePath()}>
              Choose…
            </button>
          )}
          {open === 'import' && format === 'coco' && (
            <label>
              Annotations already in the project
              <select value={duplicates} onChange={(e) => setDuplicates(e.target.value as typeof duplicates)}>
                <option value="skip">Skip them</option>
                <option value="replace">Replace them</option>
                <option value="add">Add them again</option>
              </select>
            </label>
          )}
          {open === 'export' && format === 'coco' && (
            <CocoExportOptionFields value={cocoOptions} onChange={(change) => setCocoOptions((o) => ({ ...o, ...change }))} />
          )}
          {open === 'export' && format === 'coco-results' && (
            <label>
              Results from
              <select value={results} onChange={(e) => setResults(e.target.value as typeof results)}>
                <option value="proposals">Proposals in the review queue</option>
                <option value="annotations">Accepted annotations with a score</option>
              </select>
            </label>
          )}
          {open === 'import' && !current.file && (
            <label>
              Label map (optional, one "dataset label = project label" per line)
              <textarea data-testid="dataset-label-map" rows={3} value={labelMap} onChange={(e) => setLabelMap(e.target.value)} />
            </label>
          )}
          {open === 'export' && format === 'yolo' && (
            <>
              <label>
                YOLO task
                <select value={yoloTask} onChange={(e) => setYoloTask(e.target.value as typeof yoloTask)}>
                  <option value="auto">Segment if any outline, else detect</option>
                  <option value="detect">Detect (boxes)</option>
                  <option value="segment">Segment (polygons)</option>
                </select>
              </label>
              <label>
                Val share (0–1)
                <input value={valRatio} inputMode="decimal" onChange={(e) => setValRatio(e.target.value)} />
              </label>
              <label>
                Split seed
                <input value={seed} inputMode="numeric" onChange={(e) => setSeed(e.target.value)} />
              </label>
              <label className="inline">
                <input type="checkbox" checked={copyImages} onChange={(e) => setCopyImages(e.target.checked)} /> Copy images into the export
              </label>
            </>
          )}
          <div className="popover-actions">
            <button type="button" onClick={() => setOpen(null)}>
              Cancel
            </button>
            <button
              type="submit"
              data-testid="dataset-confirm"
              className="primary"
              disabled={busy || (open === 'import' && path.trim() === '') || (isElectron && path.trim() === '')}
            >
              {open === 'import' ? 'Import' : 'Export'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
