// Polygon maths on flat rings ([x0, y0, x1, y1, ...], image pixels, top-left
// origin). Pixel (col, row) covers [col, col+1) × [row, row+1); rasterisation
// samples pixel centres, so the COCO box polygon [0,0, 10,0, 10,10, 0,10] fills
// exactly 10×10 pixels, as pycocotools does.
import type { Polygon, Ring } from '../contract/domain.js';
import type { BboxXywh } from './rle.js';

/** Absolute shoelace area of one ring. */
export function ringArea(ring: readonly number[]): number {
  const n = ring.length >> 1;
  let twice = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    twice += (ring[2 * j] ?? 0) * (ring[2 * i + 1] ?? 0) - (ring[2 * i] ?? 0) * (ring[2 * j + 1] ?? 0);
  }
  return Math.abs(twice) / 2;
}

/** Area of polygons with holes: outer minus holes (holes assumed inside and disjoint). */
export function polygonsArea(polygons: readonly Polygon[]): number {
  let area = 0;
  for (const polygon of polygons) {
    area += ringArea(polygon.outer);
    for (const hole of polygon.holes) area -= ringArea(hole);
  }
  return Math.max(0, area);
}

/** [x, y, w, h] of every coordinate of the rings; [0,0,0,0] for none. */
export function bboxOfRings(rings: readonly (readonly number[])[]): BboxXywh {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i += 2) {
      const x = ring[i]!;
      const y = ring[i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  if (minX === Infinity) return [0, 0, 0, 0];
  return [minX, minY, maxX - minX, maxY - minY];
}

/** Even-odd point-in-ring test (ray casting). */
export function pointInRing(x: number, y: number, ring: readonly number[]): boolean {
  const n = ring.length >> 1;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!;
    const yi = ring[2 * i + 1]!;
    const xj = ring[2 * j]!;
    const yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and not inside an odd number of holes. */
export function pointInPolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = pointInRing(x, y, polygon.outer);
  for (const hole of polygon.holes) if (pointInRing(x, y, hole)) inside = !inside;
  return inside;
}

/**
 * Fills the polygons into a row-major h×w mask (union over polygons, even-odd
 * within each polygon, so holes cut out). Scanline over pixel centres.
 */
export function rasterisePolygons(polygons: readonly Polygon[], h: number, w: number, into?: Uint8Array): Uint8Array {
  const mask = into ?? new Uint8Array(h * w);
  const crossings: number[] = [];
  for (const polygon of polygons) {
    const rings = [polygon.outer, ...polygon.holes];
    const [, by, , bh] = bboxOfRings(rings);
    const rowStart = Math.max(0, Math.ceil(by - 0.5));
    const rowEnd = Math.min(h - 1, Math.floor(by + bh - 0.5));
    for (let row = rowStart; row <= rowEnd; row++) {
      const yc = row + 0.5;
      crossings.length = 0;
      for (const ring of rings) collectCrossings(ring, yc, crossings);
      crossings.sort((a, b) => a - b);
      for (let k = 0; k + 1 < crossings.length; k += 2) {
        // Pixels whose centre col+0.5 lies in [x0, x1).
        const from = Math.max(0, Math.ceil(crossings[k]! - 0.5));
        const to = Math.min(w - 1, Math.ceil(crossings[k + 1]! - 0.5) - 1);
        const base = row * w;
        for (let col = from; col <= to; col++) mask[base + col] = 1;
      }
    }
  }
  return mask;
}

/** x of every edge crossing the horizontal line y (half-open rule so vertices count once). */
function collectCrossings(ring: Ring | readonly number[], y: number, out: number[]): void {
  const n = ring.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = ring[2 * i]!;
    const yi = ring[2 * i + 1]!;
    const xj = ring[2 * j]!;
    const yj = ring[2 * j + 1]!;
    if (yi > y !== yj > y) out.push(xi + ((y - yi) * (xj - xi)) / (yj - yi));
  }
}

/** Douglas–Peucker simplification of a closed ring; keeps at least 3 vertices. */
export function simplifyRing(ring: readonly number[], tolerance: number): number[] {
  const n = ring.length >> 1;
  if (n <= 3 || tolerance <= 0) return ring.slice();
  // Split the closed ring at vertex 0 and the vertex farthest from it.
  let far = 0;
  let farDist = -1;
  for (let i = 1; i < n; i++) {
    const d = (ring[2 * i]! - ring[0]!) ** 2 + (ring[2 * i + 1]! - ring[1]!) ** 2;
    if (d > farDist) {
      farDist = d;
      far = i;
    }
  }
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[far] = 1;
  markKept(ring, 0, far, tolerance * tolerance, keep);
  markKept(ring, far, n, tolerance * tolerance, keep);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(ring[2 * i]!, ring[2 * i + 1]!);
  if (out.length < 6) return ring.slice(); // degenerate result: leave the ring alone
  return out;
}

/**
 * Douglas–Peucker on an open polyline (flat [x0, y0, x1, y1, ...]): keeps both
 * ends and every point that lies more than `tolerance` from the simplified line.
 */
export function simplifyPolyline(points: readonly number[], tolerance: number): number[] {
  if (points.length % 2 !== 0) throw new RangeError('A flat path needs an even number of coordinates.');
  if (!(tolerance >= 0)) throw new RangeError(`Tolerance must be a non-negative number, got ${tolerance}.`);
  const n = points.length >> 1;
  if (n <= 2) return points.slice();
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  markKept(points, 0, n - 1, tolerance * tolerance, keep);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(points[2 * i]!, points[2 * i + 1]!);
  return out;
}

/** Iterative DP between vertex indices first..last (last may be n, meaning vertex 0 again). */
function markKept(ring: readonly number[], first: number, last: number, tolerance2: number, keep: Uint8Array): void {
  const n = ring.length >> 1;
  const stack: [number, number][] = [[first, last]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (b - a < 2) continue;
    const ax = ring[2 * a]!;
    const ay = ring[2 * a + 1]!;
    const bx = ring[2 * (b % n)]!;
    const by = ring[2 * (b % n) + 1]!;
    let best = -1;
    let bestDist = -1;
    for (let i = a + 1; i < b; i++) {
      const d = segmentDistance2(ring[2 * i]!, ring[2 * i + 1]!, ax, ay, bx, by);
      if (d > bestDist) {
        bestDist = d;
        best = i;
      }
    }
    if (bestDist > tolerance2) {
      keep[best] = 1;
      stack.push([a, best], [best, b]);
    }
  }
}

function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2;
}
