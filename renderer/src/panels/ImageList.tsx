// Left panel: the project's images, virtualised (only rows in view exist in
// the DOM) and loaded page by page, with a status filter and a search box.
import { memo, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import { type FeatureState, IMAGE_STATUSES, type ImageRecord, type ImageStatus } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { useAppStore } from '../store/appStore.js';
import { IMAGE_PAGE_SIZE, imageAtIndex } from '../store/imagesSlice.js';
import { ReviewFilterBar } from './ReviewFilterBar.js';
import { STATUS_NAMES } from './statusNames.js';
import { useVirtualRows } from './useVirtualRows.js';

const ROW_HEIGHT = 52;
const SEARCH_DEBOUNCE_MS = 250;

const fileName = (relPath: string) => relPath.slice(relPath.lastIndexOf('/') + 1);

const FEATURE_MARKS: Record<FeatureState, { mark: string; title: string }> = {
  ready: { mark: '✦', title: 'AI features ready: prompts answer at once' },
  encoding: { mark: '…', title: 'Encoding for AI…' },
  queued: { mark: '·', title: 'Queued for AI encoding' },
  failed: { mark: '!', title: 'AI encoding failed' },
};

/** Whether the AI engine has this image's features (a Map lookup per row: rows only re-render when their own state changes). */
function FeatureMark({ imageId }: { imageId: number }) {
  const state = useAppStore((s) => s.aiFeatureStates.get(imageId));
  if (!state) return null;
  const { mark, title } = FEATURE_MARKS[state];
  return (
    <span className={`feature-mark feature-${state}`} data-testid="feature-mark" data-state={state} title={title}>
      {mark}
    </span>
  );
}

const ImageRow = memo(function ImageRow({ image, index, current }: { image: ImageRecord; index: number; current: boolean }) {
  const openImageAt = useAppStore((s) => s.openImageAt);
  const setImageStatus = useAppStore((s) => s.setImageStatus);
  return (
    <div
      className={`image-row${current ? ' is-current' : ''}`}
      style={{ top: index * ROW_HEIGHT }}
      data-testid="image-item"
      data-image-id={image.id}
      data-status={image.status}
      onClick={() => void openImageAt(index)}
      title={image.relPath}
    >
      <img className="thumb" loading="lazy" decoding="async" src={api.imageUrl(image.id, 'thumb')} alt="" />
      <div className="image-meta">
        <span className="image-name">{fileName(image.relPath)}</span>
        <span className="image-count" title="Annotations">
          {image.annotationCount} ann.
          {image.proposalCount > 0 && (
            <span
              className="proposal-mark"
              data-testid="proposal-mark"
              data-count={image.proposalCount}
              title={`${image.proposalCount} auto-label proposals to review`}
            >
              {image.proposalCount} prop.
            </span>
          )}
          <FeatureMark imageId={image.id} />
        </span>
      </div>
      <select
        className={`status-badge status-${image.status}`}
        data-testid="image-status"
        value={image.status}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => {
          setImageStatus(image.id, e.target.value as ImageStatus);
          e.currentTarget.blur(); // hand the keyboard back to the shortcuts
        }}
        aria-label="Status"
      >
        {IMAGE_STATUSES.map((status) => (
          <option key={status} value={status}>
            {STATUS_NAMES[status]}
          </option>
        ))}
      </select>
    </div>
  );
});

function ImageFilters() {
  const { statusFilter, setStatusFilter, setSearchText, total } = useAppStore(
    useShallow((s) => ({
      statusFilter: s.statusFilter,
      setStatusFilter: s.setStatusFilter,
      setSearchText: s.setSearchText,
      total: s.imageTotal,
    })),
  );
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => {
      if (useAppStore.getState().searchText !== search) setSearchText(search);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, setSearchText]);
  return (
    <div className="image-filters">
      <input
        data-testid="image-search"
        type="search"
        placeholder="Search file names"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <div className="filter-row">
        <select
          data-testid="image-filter"
          value={statusFilter ?? ''}
          onChange={(e) => setStatusFilter((e.target.value || null) as ImageStatus | null)}
        >
          <option value="">All statuses</option>
          {IMAGE_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_NAMES[status]}
            </option>
          ))}
        </select>
        <span className="muted">{total.toLocaleString()} images</span>
      </div>
      <ReviewFilterBar />
    </div>
  );
}

export function ImageList() {
  const { total, pages, currentIndex, currentImageId, ensureImagePage, loadFeatureStates, modelId } = useAppStore(
    useShallow((s) => ({
      total: s.imageTotal,
      pages: s.imagePages,
      currentIndex: s.currentIndex,
      currentImageId: s.currentImage?.id,
      ensureImagePage: s.ensureImagePage,
      loadFeatureStates: s.loadFeatureStates,
      modelId: s.aiStatus?.settings.modelId,
    })),
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const { first, last } = useVirtualRows(scrollRef, ROW_HEIGHT, total);

  useEffect(() => {
    if (last < first) return;
    for (let page = Math.floor(first / IMAGE_PAGE_SIZE); page <= Math.floor(last / IMAGE_PAGE_SIZE); page++) ensureImagePage(page);
  }, [first, last, ensureImagePage]);

  // The AI marks of the rows in view (each image is asked about once per model).
  useEffect(() => {
    const ids: number[] = [];
    for (let index = first; index <= last; index++) {
      const image = imageAtIndex(pages, index);
      if (image) ids.push(image.id);
    }
    loadFeatureStates(ids);
  }, [first, last, pages, loadFeatureStates, modelId]);

  // Keep the open image in view when A/D step past the edge.
  useEffect(() => {
    const element = scrollRef.current;
    if (!element || currentIndex === null) return;
    const top = currentIndex * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [currentIndex]);

  const rows = [];
  for (let index = first; index <= last; index++) {
    const image = imageAtIndex(pages, index);
    rows.push(
      image ? (
        <ImageRow key={image.id} image={image} index={index} current={image.id === currentImageId} />
      ) : (
        <div key={`loading-${index}`} className="image-row is-loading" style={{ top: index * ROW_HEIGHT }} />
      ),
    );
  }
  return (
    <aside className="panel image-panel">
      <ImageFilters />
      <div className="image-scroll" ref={scrollRef} data-testid="image-list">
        <div className="image-rows" style={{ height: total * ROW_HEIGHT }}>
          {rows}
        </div>
        {total === 0 && <div className="empty-hint">No images match.</div>}
      </div>
    </aside>
  );
}
