// How the current image is shown; none of this is part of the document or undo.
import { actualSizeView, fitView, IDENTITY_VIEW, type Size, type ViewTransform, zoomAround } from '../lib/viewTransform.js';
import type { SliceCreator } from './sliceTypes.js';

export interface ViewSlice {
  view: ViewTransform;
  viewport: Size;
  /** The image size the view is fitted to; null once the user zooms or pans. A resized window re-fits a fitted view. */
  fittedTo: Size | null;
  hiddenLabelIds: string[];
  hiddenAnnotationIds: string[];
  maskOpacity: number;
  /** Image coordinates under the pointer, for the status bar. */
  cursor: { x: number; y: number } | null;
  setView: (view: ViewTransform) => void;
  setViewport: (viewport: Size) => void;
  fitToView: () => void;
  /** Fits an image of this size (a newly shown image, before its header size is known). */
  fitImage: (size: Size) => void;
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
    fittedTo: null,
    hiddenLabelIds: [],
    hiddenAnnotationIds: [],
    maskOpacity: 0.5,
    cursor: null,
    setView: (view) => set({ view, fittedTo: null }),
    setViewport: (viewport) => {
      const { fittedTo } = get();
      set(fittedTo ? { viewport, view: fitView(fittedTo, viewport) } : { viewport });
    },
    fitToView: () => {
      const size = imageSize();
      if (size) get().fitImage(size);
    },
    fitImage: (size) => set({ view: fitView(size, get().viewport), fittedTo: size }),
    showActualSize: () => {
      const size = imageSize();
      if (size) set({ view: actualSizeView(size, get().viewport), fittedTo: null });
    },
    zoomBy: (factor) => {
      const { view, viewport } = get();
      set({ view: zoomAround(view, factor, viewport.width / 2, viewport.height / 2), fittedTo: null });
    },
    toggleLabelVisibility: (labelId) => set((s) => ({ hiddenLabelIds: toggle(s.hiddenLabelIds, labelId) })),
    toggleAnnotationHidden: (annotationId) => set((s) => ({ hiddenAnnotationIds: toggle(s.hiddenAnnotationIds, annotationId) })),
    setMaskOpacity: (maskOpacity) => set({ maskOpacity: Math.max(0, Math.min(1, maskOpacity)) }),
    setCursor: (cursor) => set({ cursor }),
  };
};
