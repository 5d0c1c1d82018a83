// The standard interactive-segmentation protocol (as in models/training's
// evaluate.py and the NoC literature): the first click at the interior point
// farthest from the boundary, each next click at the centre of the largest
// error region, positive for a miss and negative for a false area.
import type { BinaryMask } from '../../common/geometry/binaryMask.js';
import { labelComponents } from '../worker/binaryCrop.js';

export interface SimulatedClick {
  x: number;
  y: number;
  positive: boolean;
}

/** Two-pass chamfer distance to the nearest outside pixel (the image border counts as outside). */
export function chamferDistance(m: BinaryMask): Float32Array {
  const { width: w, height: h } = m;
  const d = new Float32Array(w * h);
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : d[y * w + x]!);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      d[y * w + x] = m.data[y * w + x]
        ? Math.min(at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + Math.SQRT2, at(x + 1, y - 1) + Math.SQRT2)
        : 0;
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (m.data[i])
        d[i] = Math.min(d[i]!, at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + Math.SQRT2, at(x - 1, y + 1) + Math.SQRT2);
    }
  return d;
}

/** The interior point farthest from the boundary, at a pixel centre; null for an empty mask. */
export function farthestInteriorPoint(m: BinaryMask): { x: number; y: number; depth: number } | null {
  const d = chamferDistance(m);
  let best = -1;
  let depth = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! > depth) {
      depth = d[i]!;
      best = i;
    }
  }
  if (best < 0) return null;
  return { x: (best % m.width) + 0.5, y: Math.floor(best / m.width) + 0.5, depth };
}

/** The largest 4-connected component of a mask. */
export function largestComponent(m: BinaryMask): BinaryMask {
  const { labels, sizes } = labelComponents(m.data, m.width, m.height, 4);
  let best = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c]! > (sizes[best] ?? 0)) best = c;
  return { width: m.width, height: m.height, data: Uint8Array.from(labels, (l) => (best !== 0 && l === best ? 1 : 0)) };
}

/** The next corrective click, or null when the prediction is exact. */
export function correctionClick(pred: BinaryMask, gt: BinaryMask): SimulatedClick | null {
  const missed: BinaryMask = { width: gt.width, height: gt.height, data: gt.data.map((g, i) => (g && !pred.data[i] ? 1 : 0)) };
  const extra: BinaryMask = { width: gt.width, height: gt.height, data: gt.data.map((g, i) => (!g && pred.data[i] ? 1 : 0)) };
  let best: (SimulatedClick & { depth: number }) | null = null;
  for (const [error, positive] of [
    [missed, true],
    [extra, false],
  ] as const) {
    const centre = farthestInteriorPoint(largestComponent(error));
    if (centre && (!best || centre.depth > best.depth)) best = { x: centre.x, y: centre.y, positive, depth: centre.depth };
  }
  return best ? { x: best.x, y: best.y, positive: best.positive } : null;
}
