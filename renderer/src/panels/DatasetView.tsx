// The dataset view: the project's figures as plots over the canvas area,
// with the image list beside it. Clicking a bar filters the list (a label,
// a status, a size, a source…); opening an image from the list closes the
// view. The host counts every figure in SQL off its thread and keeps them
// ready (dataset.stats); they are fetched again when the project or a document
// changes while it is open. Figures from before a change are shown as such,
// dimmed, until the current ones arrive.
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';
import { ChartCard } from './ChartCard.js';
import { type DatasetChart, datasetCharts } from './datasetCharts.js';

/** Edits come in bursts (a drag, an accepted batch): the figures follow a moment later, once. */
const REFRESH_AFTER_CHANGE_MS = 1000;

function useRefreshWhileOpen(): void {
  useEffect(() => {
    const { loadDatasetStats } = useAppStore.getState();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void loadDatasetStats(), REFRESH_AFTER_CHANGE_MS);
    };
    const offProject = api.on('project.changed', later);
    const offDocument = api.on('document.changed', later);
    return () => {
      clearTimeout(timer);
      offProject();
      offDocument();
    };
  }, []);
}

/** Opening another image (from the list, or a key) means the user is done looking at the figures. */
function useCloseOnImageChange(): void {
  const imageId = useAppStore((s) => s.currentImage?.id);
  const openedWith = useRef(imageId);
  useEffect(() => {
    if (imageId !== openedWith.current) useAppStore.getState().setDatasetViewOpen(false);
  }, [imageId]);
}

export function DatasetView() {
  const { stats, loading, setDatasetViewOpen, loadDatasetStats, setStatusFilter, patchReviewFilter } = useAppStore(
    useShallow((s) => ({
      stats: s.datasetStats,
      loading: s.datasetStatsLoading,
      setDatasetViewOpen: s.setDatasetViewOpen,
      loadDatasetStats: s.loadDatasetStats,
      setStatusFilter: s.setStatusFilter,
      patchReviewFilter: s.patchReviewFilter,
    })),
  );
  useRefreshWhileOpen();
  useCloseOnImageChange();
  const charts = useMemo(() => (stats ? datasetCharts(stats) : []), [stats]);
  const onBar = useCallback(
    (chart: DatasetChart, index: number) => {
      const bar = chart.bars[index];
      if (!bar) return;
      if (bar.click.kind === 'status') setStatusFilter(bar.click.status);
      else patchReviewFilter(bar.click.patch);
    },
    [setStatusFilter, patchReviewFilter],
  );

  return (
    <section
      className="dataset-view"
      data-testid="dataset-view"
      data-loading={loading ? '1' : '0'}
      data-current={stats?.current ? '1' : '0'}
      aria-label="Dataset view"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setDatasetViewOpen(false);
      }}
    >
      <header className="dataset-header">
        <h2>Dataset</h2>
        {stats && (
          <span className="muted" data-testid="dataset-summary">
            {stats.images.toLocaleString()} images · {stats.annotations.toLocaleString()} annotations
            {stats.proposals.proposals > 0 &&
              ` · ${stats.proposals.proposals.toLocaleString()} proposals to review on ${stats.proposals.images.toLocaleString()} images`}{' '}
            · computed in {Math.round(stats.ms)} ms
          </span>
        )}
        {stats && !stats.current && (
          <span className="dataset-updating" role="status" data-testid="dataset-updating">
            Updating: these figures are from before the latest changes…
          </span>
        )}
        <span className="muted dataset-hint">Click a bar to filter the image list.</span>
        <div className="spacer" />
        <button type="button" onClick={() => void loadDatasetStats()} disabled={loading} data-testid="dataset-refresh">
          {loading ? 'Counting…' : 'Refresh'}
        </button>
        <button
          type="button"
          className="icon-button"
          onClick={() => setDatasetViewOpen(false)}
          title="Close (Esc)"
          data-testid="dataset-close"
        >
          ✕
        </button>
      </header>
      {!stats && <div className="empty-hint">{loading ? 'Counting…' : 'No figures yet.'}</div>}
      <div className={stats && !stats.current ? 'dataset-charts dataset-stale' : 'dataset-charts'}>
        {charts.map((chart) => (
          <ChartCard key={chart.id} chart={chart} onBar={(index) => onBar(chart, index)} />
        ))}
      </div>
    </section>
  );
}
