// Paints a binary mask into a canvas in the label colour. Only the mask's
// bounding box is painted, so a small mask on an 8000×6000 image stays small.
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';

export interface MaskBitmap {
  canvas: HTMLCanvasElement;
  /** Where the canvas's top-left pixel sits in the image. */
  x: number;
  y: number;
}

function boundingBox(mask: BinaryMask): { x0: number; y0: number; x1: number; y1: number } | null {
  const { width, height, data } = mask;
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    // Search within the row only: an unbounded indexOf would rescan the rest of the mask for every empty row.
    const row = data.subarray(y * width, (y + 1) * width);
    const first = row.indexOf(1);
    if (first === -1) continue;
    if (y0 === height) y0 = y;
    y1 = y;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, row.lastIndexOf(1));
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

function hexToRgb(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function paintMask(mask: BinaryMask, colour: string): MaskBitmap | null {
  const box = boundingBox(mask);
  if (!box) return null;
  const w = box.x1 - box.x0 + 1,
    h = box.y1 - box.y0 + 1;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d');
  if (!context) return null;
  const pixels = context.createImageData(w, h);
  // One 32-bit write per pixel; ImageData is RGBA in memory order (little-endian ABGR word).
  const words = new Uint32Array(pixels.data.buffer);
  const [r, g, b] = hexToRgb(colour);
  const word = (255 << 24) | (b << 16) | (g << 8) | r;
  for (let y = 0; y < h; y++) {
    const src = (y + box.y0) * mask.width + box.x0;
    const dst = y * w;
    for (let x = 0; x < w; x++) if (mask.data[src + x] === 1) words[dst + x] = word;
  }
  context.putImageData(pixels, 0, 0);
  return { canvas, x: box.x0, y: box.y0 };
}

const bitmapCache = new Map<string, MaskBitmap | null>();
const MAX_CACHED_BITMAPS = 200;

/** Cached per annotation id + updatedAt + colour: repainting only follows real changes. */
export function maskBitmapFor(key: string, decode: () => BinaryMask | null, colour: string): MaskBitmap | null {
  const fullKey = `${key}|${colour}`;
  const cached = bitmapCache.get(fullKey);
  if (cached !== undefined) return cached;
  const mask = decode();
  const bitmap = mask && paintMask(mask, colour);
  if (bitmapCache.size >= MAX_CACHED_BITMAPS) bitmapCache.delete(bitmapCache.keys().next().value!);
  bitmapCache.set(fullKey, bitmap);
  return bitmap;
}
