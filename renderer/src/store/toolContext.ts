// Connects the pure tools to the store: what they read, and where their
// drafts, previews and commits go.
import type { Annotation, DocOp, Geometry } from '../../../common/contract/index.js';
import { api } from '../api/client.js';
import { newAnnotation } from '../lib/newAnnotation.js';
import { decodeMaskCached, encodeMask } from '../masks/maskCodec.js';
import { loadPixelImage, type PixelImage, PixelImageCache } from '../tools/liveWire/imagePixels.js';
import type { ToolContext } from '../tools/toolTypes.js';
import type { AppState } from './appStore.js';
import { visibleAnnotations } from './selectors.js';

/** Grab distance in screen pixels. */
const HIT_SCREEN_PX = 6;

/** Grey levels for live-wire, outside the store: megabytes per image, read once per image. */
const pixelImages = new PixelImageCache();

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
      return newAnnotation({ imageId: s.currentImage.id, labelId: s.activeLabelId, geometry });
    },
    hitTolerance: () => HIT_SCREEN_PX / get().view.scale,
    brushRadius: () => get().brushRadius,
    imageSize: () => ({ width: get().currentImage?.width ?? 1, height: get().currentImage?.height ?? 1 }),
    decodeMask: decodeMaskCached,
    encodeMask,
    liveWireEnabled: () => get().liveWire,
    imagePixels: (): PixelImage | null => {
      const { project, currentImage: image } = get();
      if (!project || !image?.width || !image.height) return null;
      const { id, width, height } = image;
      const load = async () => {
        const pixels = await loadPixelImage(api.imageUrl(id, 'full'));
        // The tools work in the record's pixel grid; another decoded size would misplace every path.
        if (pixels.width !== width || pixels.height !== height)
          throw new Error(`it decodes to ${pixels.width} × ${pixels.height}, not ${width} × ${height}.`);
        return pixels;
      };
      // Image ids restart in each project, so the project is part of the key.
      const key = `${project.dir}\n${id}\n${image.relPath}`;
      const pixels = pixelImages.get(key, load, (error) => {
        const now = get();
        if (error) now.showToast('error', error);
        if (now.currentImage?.id !== id) return;
        now.setLiveWirePixels({ imageId: id, state: error ? 'failed' : 'ready' });
        // The preview was straight while the pixels loaded.
        if (!error) now.tool.refresh?.();
      });
      get().setLiveWirePixels({ imageId: id, state: pixelImages.state(key) ?? 'loading' });
      return pixels;
    },
  };
}
