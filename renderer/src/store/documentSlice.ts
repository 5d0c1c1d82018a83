// The document as the renderer holds it: all labels, and the annotations,
// captions and selection of the current image.
import type { Annotation, Caption, DocOp, ImageRecord, Label } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { applyOpsLocally } from './docReducer.js';
import { visibleAnnotations } from './selectors.js';
import type { SliceCreator } from './sliceTypes.js';

export interface DocumentSlice {
  labels: Label[];
  annotations: Annotation[];
  captions: Caption[];
  /** Which image `annotations` and `captions` belong to; null while loading. */
  documentImageId: number | null;
  selection: string[];
  setSelection: (ids: readonly string[]) => void;
  selectAllVisible: () => void;
  deleteSelection: () => void;
  loadLabels: () => Promise<void>;
  loadDocument: (imageId: number) => Promise<void>;
  /** Optimistic local application of ops (see historySlice). */
  applyLocal: (ops: readonly DocOp[]) => void;
  /** Reloads labels and the current image's document from main (after a refused change). */
  resyncDocument: () => Promise<void>;
}

// Only the latest load may land: switching images quickly must not show an older image's annotations.
let loadSeq = 0;

export const createDocumentSlice: SliceCreator<DocumentSlice> = (set, get) => ({
  labels: [],
  annotations: [],
  captions: [],
  documentImageId: null,
  selection: [],
  setSelection: (ids) => set({ selection: [...ids] }),
  selectAllVisible: () => set({ selection: visibleAnnotations(get()).map((a) => a.id) }),
  deleteSelection: () => {
    const ids = get().selection;
    if (ids.length === 0) return;
    void get().commit(ids.map((id) => ({ type: 'annotation.delete', id })));
  },
  loadLabels: async () => {
    const labels = await api.call('labels.list', {});
    const { activeLabelId } = get();
    set({ labels, activeLabelId: labels.some((l) => l.id === activeLabelId) ? activeLabelId : (labels[0]?.id ?? null) });
  },
  loadDocument: async (imageId) => {
    const seq = ++loadSeq;
    set({ documentImageId: null, annotations: [], captions: [], selection: [], hiddenAnnotationIds: [] });
    const [annotations, captions] = await Promise.all([api.call('annotations.list', { imageId }), api.call('captions.list', { imageId })]);
    if (seq !== loadSeq) return;
    set({ documentImageId: imageId, annotations, captions });
  },
  applyLocal: (ops) => {
    const s = get();
    const { document, statuses } = applyOpsLocally(
      { imageId: s.documentImageId, labels: s.labels, annotations: s.annotations, captions: s.captions },
      ops,
    );
    const liveIds = new Set(document.annotations.map((a) => a.id));
    const patchImage = (image: ImageRecord): ImageRecord => {
      const status = statuses.get(image.id) ?? image.status;
      const annotationCount = image.id === s.documentImageId ? document.annotations.length : image.annotationCount;
      return status === image.status && annotationCount === image.annotationCount ? image : { ...image, status, annotationCount };
    };
    // Untouched pages keep their identity so the image list does not re-render them.
    const patchPage = (images: ImageRecord[]): ImageRecord[] => {
      const next = images.map(patchImage);
      return next.every((image, i) => image === images[i]) ? images : next;
    };
    set({
      labels: document.labels,
      annotations: document.annotations,
      captions: document.captions,
      selection: s.selection.filter((id) => liveIds.has(id)),
      activeLabelId: document.labels.some((l) => l.id === s.activeLabelId) ? s.activeLabelId : (document.labels[0]?.id ?? null),
      currentImage: s.currentImage && patchImage(s.currentImage),
      imagePages: Object.fromEntries(Object.entries(s.imagePages).map(([page, images]) => [page, patchPage(images)])),
    });
  },
  resyncDocument: async () => {
    const imageId = get().currentImage?.id;
    await Promise.all([get().loadLabels(), imageId === undefined ? undefined : get().loadDocument(imageId)]).catch(get().showError);
    get().refreshImagePages();
  },
});
