// The project's image list, loaded page by page as rows scroll into view,
// and which image is open.
import { hasReviewFilter, type ImageRecord, type ImageStatus } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import type { SliceCreator } from './sliceTypes.js';

export const IMAGE_PAGE_SIZE = 200;

export interface ImagesSlice {
  imageTotal: number;
  /** Loaded pages of the filtered list, by page number. */
  imagePages: Record<number, ImageRecord[]>;
  statusFilter: ImageStatus | null;
  searchText: string;
  /** Position of the open image in the filtered list; null when it is not in it. */
  currentIndex: number | null;
  currentImage: ImageRecord | null;
  setStatusFilter: (status: ImageStatus | null) => void;
  setSearchText: (text: string) => void;
  reloadImageList: () => Promise<void>;
  ensureImagePage: (page: number) => void;
  /** Re-fetches the loaded pages (statuses and counts may have changed in main). */
  refreshImagePages: () => void;
  openImageAt: (index: number) => Promise<void>;
  stepImage: (delta: number) => void;
  setImageStatus: (imageId: number, status: ImageStatus) => void;
}

export const imageAtIndex = (pages: Record<number, ImageRecord[]>, index: number): ImageRecord | undefined =>
  pages[Math.floor(index / IMAGE_PAGE_SIZE)]?.[index % IMAGE_PAGE_SIZE];

// Bumped whenever the filter changes, so pages of an older filter are dropped.
let listSeq = 0;
const inFlight = new Set<string>();

export const createImagesSlice: SliceCreator<ImagesSlice> = (set, get) => {
  const fetchPage = async (page: number): Promise<void> => {
    const seq = listSeq;
    const key = `${seq}:${page}`;
    if (inFlight.has(key)) return;
    inFlight.add(key);
    try {
      const { statusFilter, searchText, reviewFilter } = get();
      const result = await api.call('images.list', {
        offset: page * IMAGE_PAGE_SIZE,
        limit: IMAGE_PAGE_SIZE,
        ...(statusFilter ? { status: statusFilter } : {}),
        ...(searchText ? { search: searchText } : {}),
        ...(hasReviewFilter(reviewFilter) ? { filter: reviewFilter } : {}),
      });
      if (seq !== listSeq) return;
      const currentId = get().currentImage?.id;
      const found = result.items.findIndex((image) => image.id === currentId);
      set((s) => ({
        imageTotal: result.total,
        imagePages: { ...s.imagePages, [page]: result.items },
        ...(found === -1 ? {} : { currentIndex: page * IMAGE_PAGE_SIZE + found }),
      }));
    } catch (error) {
      get().showError(error);
    } finally {
      inFlight.delete(key);
    }
  };

  return {
    imageTotal: 0,
    imagePages: {},
    statusFilter: null,
    searchText: '',
    currentIndex: null,
    currentImage: null,
    setStatusFilter: (statusFilter) => {
      set({ statusFilter });
      void get().reloadImageList();
    },
    setSearchText: (searchText) => {
      set({ searchText });
      void get().reloadImageList();
    },
    reloadImageList: async () => {
      listSeq++;
      set({ imagePages: {}, currentIndex: null });
      await fetchPage(0);
    },
    ensureImagePage: (page) => {
      if (!get().imagePages[page]) void fetchPage(page);
    },
    refreshImagePages: () => {
      for (const page of Object.keys(get().imagePages)) void fetchPage(Number(page));
    },
    openImageAt: async (index) => {
      const page = Math.floor(index / IMAGE_PAGE_SIZE);
      if (!get().imagePages[page]) await fetchPage(page);
      const listed = imageAtIndex(get().imagePages, index);
      if (!listed) return;
      get().cancelTool();
      set({ currentIndex: index, currentImage: listed });
      void get().loadProposals(listed.id);
      try {
        // images.get reads the header so the size is known before the bitmap arrives.
        const [image] = await Promise.all([api.call('images.get', { imageId: listed.id }), get().loadDocument(listed.id)]);
        if (get().currentImage?.id !== image.id) return;
        // Opening an image leaves its status alone: the first edit or review starts it (startedStatus.ts).
        set({ currentImage: image });
      } catch (error) {
        get().showError(error);
      }
    },
    stepImage: (delta) => {
      const { currentIndex, imageTotal } = get();
      const next = currentIndex === null ? 0 : currentIndex + delta;
      if (next >= 0 && next < imageTotal) void get().openImageAt(next);
    },
    setImageStatus: (imageId, status) => {
      void get().commit([{ type: 'image.status', imageId, status }]);
    },
  };
};
