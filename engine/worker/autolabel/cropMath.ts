// Set operations on full-resolution mask crops (a tight box and its pixels),
// for auto-labeling: duplicates are found by mask IoU, text masks split into
// instances, stuff merged into one region. Each works inside the boxes it
// needs, so the cost follows the objects, not the image size.
import type { MaskCrop } from '../candidateMasks.js';

function assertFullResolution(crop: MaskCrop): void {
  if (crop.scale !== 1) throw new Error('mask set operations need full-resolution crops');
}

const pixelAt = (crop: MaskCrop, x: number, y: number): number => {
  const cx = x - crop.box.x;
  const cy = y - crop.box.y;
  if (cx < 0 || cy < 0 || cx >= crop.box.w || cy >= crop.box.h) return 0;
  return crop.pixels[cy * crop.cropWidth + cx] ?? 0;
};

/** Pixels in both masks. */
export function intersectionArea(a: MaskCrop, b: MaskCrop): number {
  assertFullResolution(a);
  assertFullResolution(b);
  if (a.area === 0 || b.area === 0) return 0;
  const x0 = Math.max(a.box.x, b.box.x);
  const y0 = Math.max(a.box.y, b.box.y);
  const x1 = Math.min(a.box.x + a.box.w, b.box.x + b.box.w);
  const y1 = Math.min(a.box.y + a.box.h, b.box.y + b.box.h);
  let count = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) count += pixelAt(a, x, y) & pixelAt(b, x, y);
  return count;
}

export function cropIoU(a: MaskCrop, b: MaskCrop): number {
  const inter = intersectionArea(a, b);
  const union = a.area + b.area - inter;
  return union === 0 ? 0 : inter / union;
}

/** The share of `a` that lies inside `b`. */
export function coverage(a: MaskCrop, b: MaskCrop): number {
  return a.area === 0 ? 0 : intersectionArea(a, b) / a.area;
}

/** A crop of the given box, its pixels set by `inside(x, y)` (image pixels); the box is then tightened. */
function cropFrom(box: { x: number; y: number; w: number; h: number }, inside: (x: number, y: number) => boolean): MaskCrop {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let y = box.y; y < box.y + box.h; y++)
    for (let x = box.x; x < box.x + box.w; x++)
      if (inside(x, y)) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
  if (maxX < 0) return { box: { x: 0, y: 0, w: 0, h: 0 }, pixels: new Uint8Array(1), cropWidth: 1, cropHeight: 1, scale: 1, area: 0 };
  const w = maxX - minX + 1;
  const h = maxY - minY + 1;
  const pixels = new Uint8Array(w * h);
  let area = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (inside(minX + x, minY + y)) {
        pixels[y * w + x] = 1;
        area++;
      }
  return { box: { x: minX, y: minY, w, h }, pixels, cropWidth: w, cropHeight: h, scale: 1, area };
}

/** Every pixel of any of the masks, as one crop. */
export function unionOf(crops: readonly MaskCrop[]): MaskCrop {
  const nonEmpty = crops.filter((c) => c.area > 0);
  nonEmpty.forEach(assertFullResolution);
  if (nonEmpty.length === 0) return cropFrom({ x: 0, y: 0, w: 0, h: 0 }, () => false);
  const x0 = Math.min(...nonEmpty.map((c) => c.box.x));
  const y0 = Math.min(...nonEmpty.map((c) => c.box.y));
  const x1 = Math.max(...nonEmpty.map((c) => c.box.x + c.box.w));
  const y1 = Math.max(...nonEmpty.map((c) => c.box.y + c.box.h));
  return cropFrom({ x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, (x, y) => nonEmpty.some((c) => pixelAt(c, x, y) === 1));
}

/** The 8-connected parts of a mask of at least `minArea` pixels, largest first. */
export function connectedParts(crop: MaskCrop, minArea: number): MaskCrop[] {
  assertFullResolution(crop);
  if (crop.area === 0) return [];
  const { cropWidth: w, cropHeight: h, pixels } = crop;
  const part = new Int32Array(w * h).fill(-1);
  const parts: MaskCrop[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (!pixels[start] || part[start] !== -1) continue;
    const id = next++;
    part[start] = id;
    stack.push(start);
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let area = 0;
    while (stack.length) {
      const index = stack.pop()!;
      const x = index % w;
      const y = (index - x) / w;
      area++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const n = ny * w + nx;
          if (pixels[n] && part[n] === -1) {
            part[n] = id;
            stack.push(n);
          }
        }
    }
    if (area < minArea) continue;
    const box = { x: crop.box.x + minX, y: crop.box.y + minY, w: maxX - minX + 1, h: maxY - minY + 1 };
    parts.push(cropFrom(box, (x, y) => part[(y - crop.box.y) * w + (x - crop.box.x)] === id));
  }
  return parts.sort((a, b) => b.area - a.area);
}
