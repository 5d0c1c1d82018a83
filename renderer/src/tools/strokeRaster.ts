// Rasterises a brush stroke (a polyline with round caps of radius r) into a
// row-major 0/1 mask in place.
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';

function stampDisc(mask: BinaryMask, cx: number, cy: number, radius: number, value: 0 | 1): void {
  const { width, height, data } = mask;
  const y0 = Math.max(0, Math.floor(cy - radius)),
    y1 = Math.min(height - 1, Math.ceil(cy + radius));
  const rSq = radius * radius;
  for (let y = y0; y <= y1; y++) {
    // Pixel centres (x + 0.5, y + 0.5) inside the disc.
    const dy = y + 0.5 - cy;
    const half = rSq - dy * dy;
    if (half < 0) continue;
    const span = Math.sqrt(half);
    const x0 = Math.max(0, Math.ceil(cx - span - 0.5)),
      x1 = Math.min(width - 1, Math.floor(cx + span - 0.5));
    if (x1 >= x0) data.fill(value, y * width + x0, y * width + x1 + 1);
  }
}

/** Paints (value 1) or erases (value 0) the stroke through flat [x0, y0, x1, y1, ...] points. */
export function rasteriseStroke(mask: BinaryMask, points: readonly number[], radius: number, value: 0 | 1): void {
  const r = Math.max(0.5, radius);
  // Discs a quarter radius apart leave no visible scallops along the stroke.
  const step = Math.max(0.5, r / 4);
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!,
      y = points[i + 1]!;
    if (i === 0) {
      stampDisc(mask, x, y, r, value);
      continue;
    }
    const px = points[i - 2]!,
      py = points[i - 1]!;
    const steps = Math.max(1, Math.ceil(Math.hypot(x - px, y - py) / step));
    for (let s = 1; s <= steps; s++) stampDisc(mask, px + ((x - px) * s) / steps, py + ((y - py) * s) / steps, r, value);
  }
}

export const isEmptyMask = (mask: BinaryMask): boolean => mask.data.indexOf(1) === -1;
