// Which annotation or vertex is under a point, in image coordinates.
import type { Annotation, Box, Polygon, Ring } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';

export function pointInBox(box: Box, x: number, y: number, tolerance = 0): boolean {
  return x >= box.x - tolerance && x <= box.x + box.w + tolerance && y >= box.y - tolerance && y <= box.y + box.h + tolerance;
}

/** Crossing-number test of one ring. */
export function pointInRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!,
      yi = ring[2 * i + 1]!;
    const xj = ring[2 * j]!,
      yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Even-odd over the outer ring and its holes, as the polygon is filled. */
export function pointInPolygon(polygon: Polygon, x: number, y: number): boolean {
  let inside = pointInRing(polygon.outer, x, y);
  for (const hole of polygon.holes) if (pointInRing(hole, x, y)) inside = !inside;
  return inside;
}

export function pointInMask(mask: BinaryMask, x: number, y: number): boolean {
  const px = Math.floor(x),
    py = Math.floor(y);
  if (px < 0 || py < 0 || px >= mask.width || py >= mask.height) return false;
  return mask.data[py * mask.width + px] === 1;
}

/** Topmost annotation containing the point (later in the list = drawn on top). */
export function annotationAt(
  annotations: readonly Annotation[],
  x: number,
  y: number,
  tolerance: number,
  decodeMask: (annotation: Annotation) => BinaryMask | null,
): Annotation | null {
  for (let i = annotations.length - 1; i >= 0; i--) {
    const annotation = annotations[i]!;
    const g = annotation.geometry;
    if (g.kind === 'box' && pointInBox(g.box, x, y, tolerance)) return annotation;
    if (g.kind === 'polygon' && g.polygons.some((p) => pointInPolygon(p, x, y))) return annotation;
    if (g.kind === 'mask') {
      const mask = decodeMask(annotation);
      if (mask && pointInMask(mask, x, y)) return annotation;
    }
  }
  return null;
}

/** Address of one vertex: polygon index, ring index (0 = outer, 1.. = holes), vertex index. */
export interface VertexRef {
  polygon: number;
  ring: number;
  vertex: number;
}

export function ringAt(polygons: readonly Polygon[], ref: Pick<VertexRef, 'polygon' | 'ring'>): Ring | undefined {
  const polygon = polygons[ref.polygon];
  if (!polygon) return undefined;
  return ref.ring === 0 ? polygon.outer : polygon.holes[ref.ring - 1];
}

function forEachRing(polygons: readonly Polygon[], visit: (ring: Ring, polygon: number, ringIndex: number) => void): void {
  polygons.forEach((polygon, p) => {
    visit(polygon.outer, p, 0);
    polygon.holes.forEach((hole, h) => visit(hole, p, h + 1));
  });
}

/** Nearest vertex within `tolerance`, or null. */
export function vertexAt(polygons: readonly Polygon[], x: number, y: number, tolerance: number): VertexRef | null {
  let best: VertexRef | null = null;
  let bestDistance = tolerance * tolerance;
  forEachRing(polygons, (ring, polygon, ringIndex) => {
    for (let v = 0; v < ring.length / 2; v++) {
      const d = (ring[2 * v]! - x) ** 2 + (ring[2 * v + 1]! - y) ** 2;
      if (d <= bestDistance) {
        bestDistance = d;
        best = { polygon, ring: ringIndex, vertex: v };
      }
    }
  });
  return best;
}

/** Nearest edge within `tolerance`: the new vertex goes after `vertex`, at the projected point. */
export function edgeAt(
  polygons: readonly Polygon[],
  x: number,
  y: number,
  tolerance: number,
): { ref: VertexRef; point: { x: number; y: number } } | null {
  let best: { ref: VertexRef; point: { x: number; y: number } } | null = null;
  let bestDistance = tolerance * tolerance;
  forEachRing(polygons, (ring, polygon, ringIndex) => {
    const n = ring.length / 2;
    for (let v = 0; v < n; v++) {
      const ax = ring[2 * v]!,
        ay = ring[2 * v + 1]!;
      const bx = ring[2 * ((v + 1) % n)]!,
        by = ring[2 * ((v + 1) % n) + 1]!;
      const lengthSq = (bx - ax) ** 2 + (by - ay) ** 2;
      const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / lengthSq));
      const px = ax + t * (bx - ax),
        py = ay + t * (by - ay);
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d <= bestDistance) {
        bestDistance = d;
        best = { ref: { polygon, ring: ringIndex, vertex: v }, point: { x: px, y: py } };
      }
    }
  });
  return best;
}
