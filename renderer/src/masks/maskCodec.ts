// Mask annotations ↔ pixels, through the shared COCO RLE codec. Decoded masks
// are kept in a small LRU keyed by the RLE object: annotations are immutable,
// so a new RLE object means new pixels.
import type { Annotation, Geometry, Rle } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import { maskToRle, rleToMask } from '../../../common/geometry/rle.js';

/** About 400 MB of decoded pixels at most (one byte each). */
const MAX_CACHED_PIXELS = 400_000_000;
const decoded = new Map<Rle, BinaryMask | null>();
let cachedPixels = 0;

export function decodeMaskCached(annotation: Annotation): BinaryMask | null {
  if (annotation.geometry.kind !== 'mask') return null;
  const rle = annotation.geometry.rle;
  const hit = decoded.get(rle);
  if (hit !== undefined) {
    // Re-insert: Map order is the LRU order.
    decoded.delete(rle);
    decoded.set(rle, hit);
    return hit;
  }
  const [height, width] = rle.size;
  let mask: BinaryMask | null = null;
  try {
    mask = { width, height, data: rleToMask(rle) };
  } catch {
    // A malformed mask is drawn as nothing rather than breaking the canvas.
  }
  decoded.set(rle, mask);
  if (mask) cachedPixels += width * height;
  for (const [key, value] of decoded) {
    if (cachedPixels <= MAX_CACHED_PIXELS || key === rle) break;
    decoded.delete(key);
    cachedPixels -= value ? value.width * value.height : 0;
  }
  return mask;
}

export function encodeMask(mask: BinaryMask): Geometry {
  return { kind: 'mask', rle: maskToRle(mask.data, mask.height, mask.width) };
}
