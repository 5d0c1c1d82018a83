// Immutable edits of annotation geometry used by the select and vertex tools.
import type { Geometry, Polygon, Ring } from '../../../common/contract/index.js';
import type { BinaryMask } from '../../../common/geometry/binaryMask.js';
import type { VertexRef } from './hitTesting.js';

const shiftRing = (ring: Ring, dx: number, dy: number): Ring => ring.map((v, i) => v + (i % 2 === 0 ? dx : dy));

/** Box and polygon geometry moved by (dx, dy); masks go through `translateMask`. */
export function translateVector(geometry: Exclude<Geometry, { kind: 'mask' }>, dx: number, dy: number): Geometry {
  if (geometry.kind === 'box') return { kind: 'box', box: { ...geometry.box, x: geometry.box.x + dx, y: geometry.box.y + dy } };
  return {
    kind: 'polygon',
    polygons: geometry.polygons.map((p) => ({ outer: shiftRing(p.outer, dx, dy), holes: p.holes.map((h) => shiftRing(h, dx, dy)) })),
  };
}

/** Mask pixels moved by whole pixels; what leaves the image is dropped. */
export function translateMask(mask: BinaryMask, dx: number, dy: number): BinaryMask {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  const sx = Math.round(dx),
    sy = Math.round(dy);
  for (let y = Math.max(0, sy); y < Math.min(height, height + sy); y++) {
    const from = (y - sy) * width;
    const x0 = Math.max(0, sx),
      x1 = Math.min(width, width + sx);
    if (x1 > x0) out.set(data.subarray(from + x0 - sx, from + x1 - sx), y * width + x0);
  }
  return { width, height, data: out };
}

/**
 * A mask's outline moved with its pixels (by the same whole pixels), or
 * undefined when part of it would leave the image: the clipped pixels no
 * longer match it, and the RLE is the truth.
 */
export function translateOutline(
  outline: readonly Polygon[],
  dx: number,
  dy: number,
  width: number,
  height: number,
): Polygon[] | undefined {
  const sx = Math.round(dx),
    sy = Math.round(dy);
  const moved = outline.map((p) => ({ outer: shiftRing(p.outer, sx, sy), holes: p.holes.map((h) => shiftRing(h, sx, sy)) }));
  const inside = moved.every((p) => p.outer.every((v, i) => v >= 0 && v <= (i % 2 === 0 ? width : height)));
  return inside ? moved : undefined;
}

function mapRing(polygons: readonly Polygon[], ref: Pick<VertexRef, 'polygon' | 'ring'>, edit: (ring: Ring) => Ring): Polygon[] {
  return polygons.map((polygon, p) => {
    if (p !== ref.polygon) return polygon;
    if (ref.ring === 0) return { outer: edit(polygon.outer), holes: polygon.holes };
    return { outer: polygon.outer, holes: polygon.holes.map((hole, h) => (h === ref.ring - 1 ? edit(hole) : hole)) };
  });
}

export function moveVertex(polygons: readonly Polygon[], ref: VertexRef, x: number, y: number): Polygon[] {
  return mapRing(polygons, ref, (ring) => ring.map((v, i) => (i === 2 * ref.vertex ? x : i === 2 * ref.vertex + 1 ? y : v)));
}

/** Inserts (x, y) after vertex `ref.vertex`. */
export function insertVertex(polygons: readonly Polygon[], ref: VertexRef, x: number, y: number): Polygon[] {
  return mapRing(polygons, ref, (ring) => [...ring.slice(0, 2 * ref.vertex + 2), x, y, ...ring.slice(2 * ref.vertex + 2)]);
}

/** Null when the ring would fall below 3 vertices (a polygon needs at least 3). */
export function deleteVertex(polygons: readonly Polygon[], ref: VertexRef): Polygon[] | null {
  const polygon = polygons[ref.polygon];
  const ring = polygon && (ref.ring === 0 ? polygon.outer : polygon.holes[ref.ring - 1]);
  if (!ring || ring.length <= 6) return null;
  return mapRing(polygons, ref, (r) => [...r.slice(0, 2 * ref.vertex), ...r.slice(2 * ref.vertex + 2)]);
}

/** Normalised box from two corners. */
export function boxFromCorners(ax: number, ay: number, bx: number, by: number) {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

export const clampToImage = (v: number, size: number): number => Math.max(0, Math.min(size, v));
