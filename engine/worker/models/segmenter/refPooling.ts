// Reference-region prompt (SEEM's "region of another image"): the masked
// mean of the REFERENCE image's embeddings over the region's grid cells.
// Must match models/training/prompts.py + train.py:pool_ref exactly, since
// the decoder was trained on these vectors.
import { type EmbeddingGrid, type ModelFrame,toModelFrame } from '../../modelFrame.js';

/** Cells whose centre lies inside the box (model-frame px); else the cell holding the box centre. */
export function cellsFromBox(g: EmbeddingGrid, box: [number, number, number, number]): Uint8Array {
  const [x0, y0, x1, y1] = box;
  const cells = new Uint8Array(g.grid * g.grid);
  let any = false;
  for (let i = 0; i < g.grid; i++) {
    const cy = (i + 0.5) * g.stride;
    for (let j = 0; j < g.grid; j++) {
      const cx = (j + 0.5) * g.stride;
      if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) {
        cells[i * g.grid + j] = 1;
        any = true;
      }
    }
  }
  if (!any) {
    const j = clampCell(Math.floor((x0 + x1) / 2 / g.stride), g.grid);
    const i = clampCell(Math.floor((y0 + y1) / 2 / g.stride), g.grid);
    cells[i * g.grid + j] = 1;
  }
  return cells;
}

/** Cells containing at least one scribble/polygon point (model-frame px). */
export function cellsFromPoints(g: EmbeddingGrid, points: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const cells = new Uint8Array(g.grid * g.grid);
  for (const [x, y] of points) {
    cells[clampCell(Math.floor(y / g.stride), g.grid) * g.grid + clampCell(Math.floor(x / g.stride), g.grid)] = 1;
  }
  return cells;
}

function clampCell(v: number, grid: number): number {
  return Math.min(grid - 1, Math.max(0, v));
}

export function poolCells(g: EmbeddingGrid, cells: Uint8Array): Float32Array {
  const out = new Float32Array(g.channels);
  const hw = g.grid * g.grid;
  let count = 0;
  for (let k = 0; k < hw; k++) count += cells[k] ?? 0;
  if (count === 0) throw new Error('reference region covers no embedding cell');
  for (let c = 0; c < g.channels; c++) {
    let sum = 0;
    for (let k = 0; k < hw; k++) if (cells[k]) sum += g.data[c * hw + k] ?? 0;
    out[c] = sum / count;
  }
  return out;
}

/** Convenience: a box in reference-image pixels -> ref_embedding. */
export function refEmbeddingFromBox(g: EmbeddingGrid, frame: ModelFrame, box: [number, number, number, number]): Float32Array {
  const [x0, y0] = toModelFrame(frame, box[0], box[1]);
  const [x1, y1] = toModelFrame(frame, box[2], box[3]);
  return poolCells(g, cellsFromBox(g, [x0, y0, x1, y1]));
}

/** Convenience: scribble points in reference-image pixels -> ref_embedding. */
export function refEmbeddingFromPoints(g: EmbeddingGrid, frame: ModelFrame, points: ReadonlyArray<readonly [number, number]>): Float32Array {
  return poolCells(g, cellsFromPoints(g, points.map(([x, y]) => toModelFrame(frame, x, y))));
}
