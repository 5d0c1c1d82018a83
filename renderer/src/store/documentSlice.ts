// The document as the renderer holds it: all labels, and the annotations,
// captions and selection of the current image.
import type { Annotation, AnnotationRevision, Caption, DocOp, DocumentChange, ImageRecord, Label } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { adoptOwnRevisions, type OwnRevisions } from '../history/ownRevisions.js';
import type { AppState } from './appStore.js';
import { applyOpsLocally, type LocalDocument } from './docReducer.js';
import { CLIENT_ORIGIN } from './historySlice.js';
import { applyRemoteChange, patchImageRecord } from './remoteChange.js';
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
  /**
   * Reloads labels and the current image's document from main (after a refused
   * change, or another program's), once this window's own changes are saved;
   * what is shown stays until the reload lands, and so does the selection.
   */
  resyncDocument: () => Promise<void>;
  /** Another client's committed change ('document.changed'): shown at once, counts in the list too. */
  applyDocumentChange: (change: DocumentChange) => void;
  /** Main's answer to this client's own batch: local copies take the revisions it wrote. */
  applyOwnRevisions: (revisions: readonly AnnotationRevision[], own: OwnRevisions) => void;
}

/** The document, image list and selection after a change; untouched pages keep their identity so the list does not re-render them. */
function withDocument(s: AppState, document: LocalDocument, patchImage: (image: ImageRecord) => ImageRecord): Partial<AppState> {
  const liveIds = new Set(document.annotations.map((a) => a.id));
  const patchPage = (images: ImageRecord[]): ImageRecord[] => {
    const next = images.map(patchImage);
    return next.every((image, i) => image === images[i]) ? images : next;
  };
  return {
    labels: document.labels,
    annotations: document.annotations,
    captions: document.captions,
    selection: s.selection.filter((id) => liveIds.has(id)),
    activeLabelId: document.labels.some((l) => l.id === s.activeLabelId) ? s.activeLabelId : (document.labels[0]?.id ?? null),
    currentImage: s.currentImage && patchImage(s.currentImage),
    imagePages: Object.fromEntries(Object.entries(s.imagePages).map(([page, images]) => [page, patchPage(images)])),
  };
}

const localDocument = (s: AppState): LocalDocument => ({
  imageId: s.documentImageId,
  labels: s.labels,
  annotations: s.annotations,
  captions: s.captions,
});

// Only the latest load may land: switching images quickly must not show an older image's annotations.
let loadSeq = 0;
// Other clients' changes that arrive while a load is in flight: replayed on what the load brings
// (it may have been read before they were committed). Replaying one already included is harmless.
let changesDuringLoad: DocumentChange[] | null = null;

/** The image's annotations and captions as main holds them, with changes that arrived meanwhile; null when a newer load started. */
async function fetchDocument(imageId: number, labels: () => Label[]): Promise<LocalDocument | null> {
  const seq = ++loadSeq;
  const changes: DocumentChange[] = [];
  changesDuringLoad = changes;
  try {
    const [annotations, captions] = await Promise.all([api.call('annotations.list', { imageId }), api.call('captions.list', { imageId })]);
    if (seq !== loadSeq) return null;
    return changes.reduce(applyRemoteChange, { imageId, labels: labels(), annotations, captions });
  } finally {
    if (changesDuringLoad === changes) changesDuringLoad = null;
  }
}

export const createDocumentSlice: SliceCreator<DocumentSlice> = (set, get, store) => ({
  labels: [],
  annotations: [],
  captions: [],
  documentImageId: null,
  selection: [],
  setSelection: (ids) => set({ selection: [...ids] }),
  selectAllVisible: () => set({ selection: visibleAnnotations(get()).map((a) => a.id) }),
  deleteSelection: () => {
    const selected = new Set(get().selection);
    const doomed = get().annotations.filter((a) => selected.has(a.id));
    if (doomed.length === 0) return;
    void get().commit(doomed.map((a) => ({ type: 'annotation.delete', id: a.id, revision: a.revision })));
  },
  loadLabels: async () => {
    const labels = await api.call('labels.list', {});
    const { activeLabelId } = get();
    set({ labels, activeLabelId: labels.some((l) => l.id === activeLabelId) ? activeLabelId : (labels[0]?.id ?? null) });
  },
  loadDocument: async (imageId) => {
    set({ documentImageId: null, annotations: [], captions: [], selection: [], hiddenAnnotationIds: [] });
    const loaded = await fetchDocument(imageId, () => get().labels);
    if (loaded) set({ documentImageId: imageId, annotations: loaded.annotations, captions: loaded.captions });
  },
  applyLocal: (ops) => {
    const s = get();
    const { document, statuses } = applyOpsLocally(localDocument(s), ops);
    const patchImage = (image: ImageRecord): ImageRecord => {
      const status = statuses.get(image.id) ?? image.status;
      const annotationCount = image.id === s.documentImageId ? document.annotations.length : image.annotationCount;
      return status === image.status && annotationCount === image.annotationCount ? image : { ...image, status, annotationCount };
    };
    set(withDocument(s, document, patchImage));
    get().applyProposalOps(ops);
  },
  applyDocumentChange: (change) => {
    if (change.origin === CLIENT_ORIGIN) return; // this window's own change: its answer already brought it
    const s = get();
    changesDuringLoad?.push(change);
    set(withDocument(s, applyRemoteChange(localDocument(s), change), (image) => patchImageRecord(image, change)));
  },
  applyOwnRevisions: (revisions, own) => {
    const annotations = get().annotations;
    const next = adoptOwnRevisions(annotations, revisions, own);
    if (next !== annotations) set({ annotations: next });
  },
  resyncDocument: async () => {
    // Changes still on their way would be missing from what main answers now.
    await new Promise<void>((resolve) => {
      if (!get().saving) return resolve();
      const stop = store.subscribe((s) => {
        if (s.saving) return;
        stop();
        resolve();
      });
    });
    const imageId = get().currentImage?.id;
    const reload = async () => {
      if (imageId === undefined) return;
      const loaded = await fetchDocument(imageId, () => get().labels);
      if (!loaded || get().currentImage?.id !== imageId) return;
      const liveIds = new Set(loaded.annotations.map((a) => a.id));
      set((s) => ({
        documentImageId: imageId,
        annotations: loaded.annotations,
        captions: loaded.captions,
        selection: s.selection.filter((id) => liveIds.has(id)),
      }));
    };
    await Promise.all([get().loadLabels(), reload()]).catch(get().showError);
    get().refreshImagePages();
  },
});
