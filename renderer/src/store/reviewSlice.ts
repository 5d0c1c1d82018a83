// Reviewing the dataset: the review filter the image list applies (the host
// filters in SQL; the images slice sends it with every page request), the
// "next image matching the filter" step, and the dataset view's figures.
import { type DatasetStats, hasReviewFilter, type ReviewFilter } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { imageAtIndex } from './imagesSlice.js';
import type { SliceCreator } from './sliceTypes.js';

export interface ReviewSlice {
  reviewFilter: ReviewFilter;
  datasetViewOpen: boolean;
  /** The figures last loaded; null before the first load. */
  datasetStats: DatasetStats | null;
  datasetStatsLoading: boolean;
  /** Replaces the whole filter and reloads the list. */
  setReviewFilter: (filter: ReviewFilter) => void;
  /** Changes some fields of the filter (undefined removes one) and reloads the list. */
  patchReviewFilter: (patch: Partial<ReviewFilter>) => void;
  /** Opens the next (1) or previous (-1) image of the list as filtered now, counted from the open image even when it no longer matches. */
  stepMatchingImage: (direction: 1 | -1) => Promise<void>;
  setDatasetViewOpen: (open: boolean) => void;
  loadDatasetStats: () => Promise<void>;
}

/** The filter without its absent fields (an `undefined` would not survive the wire, and would count as a condition here). */
const compact = (filter: ReviewFilter): ReviewFilter =>
  Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));

// Bumped by every stats request, so a slow older answer never replaces a newer one.
let statsSeq = 0;

export const createReviewSlice: SliceCreator<ReviewSlice> = (set, get) => ({
  reviewFilter: {},
  datasetViewOpen: false,
  datasetStats: null,
  datasetStatsLoading: false,
  setReviewFilter: (filter) => {
    set({ reviewFilter: compact(filter) });
    void get().reloadImageList();
  },
  patchReviewFilter: (patch) => get().setReviewFilter({ ...get().reviewFilter, ...patch }),
  stepMatchingImage: async (direction) => {
    const { statusFilter, searchText, reviewFilter, currentImage } = get();
    try {
      const found = await api.call('images.neighbour', {
        fromImageId: currentImage?.id ?? null,
        direction,
        ...(statusFilter ? { status: statusFilter } : {}),
        ...(searchText ? { search: searchText } : {}),
        ...(hasReviewFilter(reviewFilter) ? { filter: reviewFilter } : {}),
      });
      if (!found) {
        get().showToast('info', `No ${direction === 1 ? 'later' : 'earlier'} image matches the filter.`);
        return;
      }
      // The open image may have left the list since it loaded (its proposals reviewed): the pages are stale then.
      const listed = imageAtIndex(get().imagePages, found.index);
      if (get().currentIndex === null || (listed && listed.id !== found.imageId)) await get().reloadImageList();
      await get().openImageAt(found.index);
    } catch (error) {
      get().showError(error);
    }
  },
  setDatasetViewOpen: (datasetViewOpen) => {
    set({ datasetViewOpen });
    if (datasetViewOpen) void get().loadDatasetStats();
  },
  loadDatasetStats: async () => {
    const seq = ++statsSeq;
    set({ datasetStatsLoading: true });
    try {
      // The host keeps the figures counted in the background: the last ones come at once (marked not current
      // after a change, and shown as updating), then the current ones when the recount ends.
      const last = await api.call('dataset.stats', { whileCounting: 'last' });
      if (seq !== statsSeq) return;
      set({ datasetStats: last });
      if (last.current) return;
      const datasetStats = await api.call('dataset.stats', { whileCounting: 'wait' });
      if (seq === statsSeq) set({ datasetStats });
    } catch (error) {
      get().showError(error);
    } finally {
      if (seq === statsSeq) set({ datasetStatsLoading: false });
    }
  },
});
