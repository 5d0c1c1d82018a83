// Connects the pure tools to the store: what they read, and where their
// drafts, previews and commits go.
import type { Annotation, DocOp, Geometry } from '../../../common/contract/index.js';
import { decodeMaskCached, encodeMask } from '../masks/maskCodec.js';
import type { ToolContext } from '../tools/toolTypes.js';
import type { AppState } from './appStore.js';
import { visibleAnnotations } from './selectors.js';

/** Grab distance in screen pixels. */
const HIT_SCREEN_PX = 6;

/** Marks edited annotations as changed now (mask bitmaps are cached by updatedAt). */
const stamp = (ops: DocOp[], now: number): DocOp[] =>
  ops.map((op) => (op.type === 'annotation.put' ? { ...op, annotation: { ...op.annotation, updatedAt: now } } : op));

export function createToolContext(get: () => AppState): ToolContext {
  return {
    annotations: () => visibleAnnotations(get()),
    selection: () => get().selection,
    setSelection: (ids) => get().setSelection(ids),
    setDraft: (draft) => get().setDraft(draft),
    setPreviews: (previews) => get().setPreviews(previews),
    commit: (ops) => void get().commit(stamp(ops, Date.now())),
    newAnnotation: (geometry: Geometry): Annotation => {
      const s = get();
      // The canvas only feeds tools while an image is open.
      if (!s.currentImage) throw new Error('No image is open.');
      const now = Date.now();
      return {
        id: crypto.randomUUID(),
        imageId: s.currentImage.id,
        labelId: s.activeLabelId,
        geometry,
        score: null,
        source: 'manual',
        createdAt: now,
        updatedAt: now,
      };
    },
    hitTolerance: () => HIT_SCREEN_PX / get().view.scale,
    brushRadius: () => get().brushRadius,
    imageSize: () => ({ width: get().currentImage?.width ?? 1, height: get().currentImage?.height ?? 1 }),
    decodeMask: decodeMaskCached,
    encodeMask,
  };
}
