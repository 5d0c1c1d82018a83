// Boxes and polygons drawn in batches, one path per colour, so a frame with
// thousands of annotations costs a few fill/stroke calls instead of thousands
// of Konva nodes. Rings are re-oriented (outer clockwise, holes
// counter-clockwise) so one nonzero fill of a batch shows holes and merges
// overlaps without the cancellations an even-odd fill would cause.
import type { Annotation } from '../../../common/contract/index.js';

export interface BatchItem {
  /** Flat rings in image pixels, oriented for a nonzero fill. */
  rings: number[][];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface VectorBatch {
  colour: string;
  items: BatchItem[];
}

export interface ViewRect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Twice the signed area; positive means clockwise on screen (y points down). */
function signedArea2(ring: readonly number[]): number {
  const n = ring.length >> 1;
  let twice = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) twice += ring[2 * j]! * ring[2 * i + 1]! - ring[2 * i]! * ring[2 * j + 1]!;
  return twice;
}

function reversed(ring: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = ring.length - 2; i >= 0; i -= 2) out.push(ring[i]!, ring[i + 1]!);
  return out;
}

export function oriented(ring: readonly number[], clockwise: boolean): number[] {
  return signedArea2(ring) > 0 === clockwise ? [...ring] : reversed(ring);
}

export function batchItem(annotation: Annotation): BatchItem | null {
  const g = annotation.geometry;
  let rings: number[][];
  if (g.kind === 'box') {
    const { x, y, w, h } = g.box;
    rings = [[x, y, x + w, y, x + w, y + h, x, y + h]];
  } else if (g.kind === 'polygon') {
    rings = g.polygons.flatMap((p) => [oriented(p.outer, true), ...p.holes.map((hole) => oriented(hole, false))]);
  } else {
    return null;
  }
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i += 2) {
      minX = Math.min(minX, ring[i]!);
      maxX = Math.max(maxX, ring[i]!);
      minY = Math.min(minY, ring[i + 1]!);
      maxY = Math.max(maxY, ring[i + 1]!);
    }
  }
  return { rings, minX, minY, maxX, maxY };
}

/** Groups drawable vector annotations by colour, keeping the first-seen colour order. */
export function buildBatches(annotations: readonly Annotation[], colourOf: (annotation: Annotation) => string): VectorBatch[] {
  const byColour = new Map<string, BatchItem[]>();
  for (const annotation of annotations) {
    const item = batchItem(annotation);
    if (!item) continue;
    const colour = colourOf(annotation);
    const list = byColour.get(colour);
    if (list) list.push(item);
    else byColour.set(colour, [item]);
  }
  return [...byColour].map(([colour, items]) => ({ colour, items }));
}

export function intersects(item: BatchItem, view: ViewRect): boolean {
  return item.maxX >= view.minX && item.minX <= view.maxX && item.maxY >= view.minY && item.minY <= view.maxY;
}

export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
}

export function traceItem(sink: PathSink, item: BatchItem): void {
  for (const ring of item.rings) {
    sink.moveTo(ring[0]!, ring[1]!);
    for (let i = 2; i < ring.length; i += 2) sink.lineTo(ring[i]!, ring[i + 1]!);
    sink.closePath();
  }
}

/** Traces the items that can be seen; answers how many were traced. */
export function traceVisible(sink: PathSink, items: readonly BatchItem[], view: ViewRect): number {
  let traced = 0;
  for (const item of items) {
    if (!intersects(item, view)) continue;
    traced++;
    traceItem(sink, item);
  }
  return traced;
}
