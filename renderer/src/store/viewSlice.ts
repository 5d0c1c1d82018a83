// How the current image is shown; none of this is part of the document or undo.
import { actualSizeView, fitView, IDENTITY_VIEW, zoomAround, type Size, type ViewTransform } from '../canvas/viewTransform.js';
import type { SliceCreator } from './sliceTypes.js';

export interface ViewSlice {
  view: ViewTransform;
  viewport: Size;
  hiddenLabelIds: string[];
  hiddenAnnotationIds: string[];
  maskOpacity: number;
  /** Image coordinates under the pointer, for the status bar. */
  cursor: { x: number; y: number } | null;
  setView: (view: ViewTransform) => void;
  setViewport: (viewport: Size) => void;
  fitToView: () => void;
  showActualSize: () => void;
  /** Zooms around the viewport centre (toolbar buttons, +/- keys). */
  zoomBy: (factor: number) => void;
  toggleLabelVisibility: (labelId: string) => void;
  toggleAnnotationHidden: (annotationId: string) => void;
  setMaskOpacity: (opacity: number) => void;
  setCursor: (cursor: { x: number; y: number } | null) => void;
}

const toggle = (ids: string[], id: string): string[] => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]);

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => {
  const imageSize = (): Size | null => {
    const image = get().currentImage;
    return image?.width && image.height ? { width: image.width, height: image.height } : null;
  };
  return {
    view: IDENTITY_VIEW,
    viewport: { width: 1, height: 1 },
    hiddenLabelIds: [],
    hiddenAnnotationIds: [],
    maskOpacity: 0.5,
    cursor: null,
    setView: (view) => set({ view }),
    setViewport: (viewport) => set({ viewport }),
    fitToView: () => {
      const size = imageSize();
      if (size) set({ view: fitView(size, get().viewport) });
    },
    showActualSize: () => {
      const size = imageSize();
      if (size) set({ view: actualSizeView(size, get().viewport) });
    },
    zoomBy: (factor) => {
      const { view, viewport } = get();
      set({ view: zoomAround(view, factor, viewport.width / 2, viewport.height / 2) });
    },
    toggleLabelVisibility: (labelId) => set((s) => ({ hiddenLabelIds: toggle(s.hiddenLabelIds, labelId) })),
    toggleAnnotationHidden: (annotationId) => set((s) => ({ hiddenAnnotationIds: toggle(s.hiddenAnnotationIds, annotationId) })),
    setMaskOpacity: (maskOpacity) => set({ maskOpacity: Math.max(0, Math.min(1, maskOpacity)) }),
    setCursor: (cursor) => set({ cursor }),
  };
};
