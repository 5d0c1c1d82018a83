// Mask → polygons with holes, for turning model masks into editable shapes.
//
// Crack following: every side between a foreground pixel and background (or
// the image border) is a directed unit edge with the foreground on its left;
// edges link into closed loops along pixel boundaries. Outer boundaries come
// out with negative signed area (y down), holes with positive. Foreground is
// 4-connected: where two pixels touch only at a corner the loop turns left,
// hugging the pixel it came along, so they become separate polygons. With
// tolerance 0 the rings follow pixel edges exactly, so rasterisePolygons (which
// samples pixel centres) reproduces the mask pixel for pixel.
import type { Polygon } from '../contract/domain.js';
import { pointInRing, ringArea, simplifyRing } from './polygon.js';

export interface MaskToPolygonOptions {
  /** Douglas–Peucker tolerance in pixels; 0 keeps exact pixel-edge rings. */
  tolerance?: number;
  /** Drop components (and holes) smaller than this many pixels of area. */
  minArea?: number;
}

// Directions, y down: 0 = east, 1 = south, 2 = west, 3 = north.
const DX: readonly number[] = [1, 0, -1, 0];
const DY: readonly number[] = [0, 1, 0, -1];
/** Facing direction d, the left-hand direction (towards the foreground). */
const leftOf = (d: number) => (d + 3) % 4;

export function maskToPolygons(mask: Uint8Array, h: number, w: number, options: MaskToPolygonOptions = {}): Polygon[] {
  const rings = traceBoundaries(mask, h, w);
  const outers: { ring: number[]; area: number; holes: number[][] }[] = [];
  const holes: { ring: number[]; area: number; probe: [number, number] }[] = [];
  for (const { ring, probe } of rings) {
    const signed = signedArea(ring);
    if (signed < 0) outers.push({ ring, area: -signed, holes: [] });
    else holes.push({ ring, area: signed, probe });
  }
  const minArea = options.minArea ?? 0;
  for (const hole of holes) {
    if (hole.area < minArea) continue;
    // The pixel left of a hole edge belongs to the component around the hole:
    // the smallest outer ring containing its centre.
    let owner: (typeof outers)[number] | undefined;
    for (const outer of outers) {
      if ((owner === undefined || outer.area < owner.area) && pointInRing(hole.probe[0], hole.probe[1], outer.ring)) owner = outer;
    }
    owner?.holes.push(hole.ring);
  }
  const tolerance = options.tolerance ?? 0;
  const simplify = (ring: number[]) => (tolerance > 0 ? simplifyRing(ring, tolerance) : ring);
  return outers
    .filter((outer) => outer.area >= minArea)
    .map((outer) => ({ outer: simplify(outer.ring), holes: outer.holes.map(simplify).filter((hole) => ringArea(hole) > 0) }));
}

/** Closed pixel-edge loops, corners only, each with the centre of a foreground pixel on its left. */
function traceBoundaries(mask: Uint8Array, h: number, w: number): { ring: number[]; probe: [number, number] }[] {
  const stride = w + 1; // vertices are (w+1)×(h+1) grid points
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] !== 0;
  // Up to two outgoing edges per vertex (two only at diagonal "saddle" corners); direction+1, 0 = none.
  const out1 = new Uint8Array(stride * (h + 1));
  const out2 = new Uint8Array(stride * (h + 1));
  const addEdge = (x: number, y: number, d: number) => {
    const v = y * stride + x;
    if (out1[v] === 0) out1[v] = d + 1;
    else out2[v] = d + 1;
  };
  let edgeCount = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] === 0) continue;
      if (!inside(x, y - 1)) {
        addEdge(x + 1, y, 2); // top side, walking west
        edgeCount++;
      }
      if (!inside(x - 1, y)) {
        addEdge(x, y, 1); // left side, walking south
        edgeCount++;
      }
      if (!inside(x, y + 1)) {
        addEdge(x, y + 1, 0); // bottom side, walking east
        edgeCount++;
      }
      if (!inside(x + 1, y)) {
        addEdge(x + 1, y + 1, 3); // right side, walking north
        edgeCount++;
      }
    }
  }
  const loops: { ring: number[]; probe: [number, number] }[] = [];
  const take = (v: number, incoming: number): number => {
    // At a saddle prefer the left turn; otherwise the only edge left.
    const wanted = leftOf(incoming) + 1;
    if (out1[v] !== 0 && out2[v] !== 0) {
      const pickSecond = out2[v] === wanted;
      const d = (pickSecond ? out2[v]! : out1[v]!) - 1;
      if (pickSecond) out2[v] = 0;
      else {
        out1[v] = out2[v]!;
        out2[v] = 0;
      }
      return d;
    }
    const d = out1[v]! - 1;
    out1[v] = 0;
    return d;
  };
  for (let start = 0; start < out1.length && edgeCount > 0; start++) {
    while (out1[start] !== 0) {
      const sx = start % stride;
      const sy = (start - sx) / stride;
      const first = out1[start]! - 1;
      const ring: number[] = [];
      let x = sx;
      let y = sy;
      let d = take(start, (first + 1) % 4); // as if arriving turning left into `first`
      const probe: [number, number] = [sx + (DX[d]! + DX[leftOf(d)]!) * 0.5, sy + (DY[d]! + DY[leftOf(d)]!) * 0.5];
      let previous = -1;
      do {
        if (d !== previous) ring.push(x, y); // keep corners only
        previous = d;
        x += DX[d]!;
        y += DY[d]!;
        edgeCount--;
        if (x === sx && y === sy) break;
        d = take(y * stride + x, d);
        // eslint-disable-next-line no-constant-condition -- the loop ends when the walk is back at its start (break above)
      } while (true);
      loops.push({ ring, probe });
    }
  }
  return loops;
}

function signedArea(ring: readonly number[]): number {
  const n = ring.length >> 1;
  let twice = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    twice += ring[2 * i]! * ring[2 * j + 1]! - ring[2 * j]! * ring[2 * i + 1]!;
  }
  return twice / 2;
}
