// The standard interactive-segmentation protocol (as in models/training's
// evaluate.py and the NoC literature): the first click at the interior point
// farthest from the boundary, each next click at the centre of the largest
// error region, positive for a miss and negative for a false area.
import type { BinaryMask } from '../../inference/masks.js';

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
      d[y * w + x] = m.data[y * w + x] ? Math.min(at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + Math.SQRT2, at(x + 1, y - 1) + Math.SQRT2) : 0;
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (m.data[i]) d[i] = Math.min(d[i]!, at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + Math.SQRT2, at(x - 1, y + 1) + Math.SQRT2);
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

/** The largest 4-connected component of a mask (breadth-first labelling). */
export function largestComponent(m: BinaryMask): BinaryMask {
  const { width: w, height: h } = m;
  const label = new Int32Array(w * h);
  const queue = new Int32Array(w * h);
  let bestLabel = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (!m.data[start] || label[start]) continue;
    next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    label[start] = next;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % w;
      const neighbours = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w];
      for (const j of neighbours) {
        if (j >= 0 && j < w * h && m.data[j] && !label[j]) {
          label[j] = next;
          queue[tail++] = j;
        }
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      bestLabel = next;
    }
  }
  return { width: w, height: h, data: Uint8Array.from(label, (l) => (l === bestLabel && l !== 0 ? 1 : 0)) };
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
