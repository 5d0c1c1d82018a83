// Geometry conversions the formats share: a whole-image mask of any geometry,
// outer rings (a mask's come from common/geometry's exact tracer), masks cut
// to and pasted from a bounding-box patch (labelme, CVAT), circles as rings.
import type { Geometry, Rle } from '../../common/contract/index.js';
import { maskToPolygons } from '../../common/geometry/mask.js';
import { bboxOfRings, rasterisePolygons } from '../../common/geometry/polygon.js';
import { countsToString, forEachRun, summariseCompressed } from '../../common/geometry/rle.js';

/** The outer rings of a polygon or mask geometry, and how many holes they leave out. */
export function outerRings(geometry: Geometry, height: number): { rings: number[][]; holes: number } {
  switch (geometry.kind) {
    case 'box': {
      const { x, y, w, h } = geometry.box;
      return { rings: [[x, y, x + w, y, x + w, y + h, x, y + h]], holes: 0 };
    }
    case 'polygon':
      return { rings: geometry.polygons.map((p) => p.outer), holes: geometry.polygons.reduce((n, p) => n + p.holes.length, 0) };
    case 'mask': {
      const patch = maskPatch(geometry, height);
      if (!patch) return { rings: [], holes: 0 };
      const polygons = maskToPolygons(patch.pixels, patch.height, patch.width);
      const shift = (ring: number[]) => ring.map((v, i) => v + (i % 2 ? patch.top : patch.left));
      return { rings: polygons.map((p) => shift(p.outer)), holes: polygons.reduce((n, p) => n + p.holes.length, 0) };
    }
  }
}

export const hasHoles = (geometry: Geometry): boolean => geometry.kind === 'polygon' && geometry.polygons.some((p) => p.holes.length > 0);

export interface MaskPatch {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Row-major width×height, 1 = inside. */
  pixels: Uint8Array;
}

/** The smallest patch holding every set pixel; null for an empty mask. */
export function cropMask(mask: Uint8Array, height: number, width: number): MaskPatch | null {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue;
      if (y < top) top = y;
      bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  if (bottom < 0) return null;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const pixels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) pixels.set(mask.subarray((top + y) * width + left, (top + y) * width + left + w), y * w);
  for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i] !== 0 ? 1 : 0;
  return { left, top, width: w, height: h, pixels };
}

/** The smallest patch holding a geometry's pixels (a mask straight from its runs); null when empty. */
export function patchOf(geometry: Geometry, height: number, width: number): MaskPatch | null {
  if (geometry.kind === 'mask') return maskPatch(geometry, height);
  // Rasterised in the outline's own box (integer shift: the same pixel centres), not over the whole image.
  const polygons =
    geometry.kind === 'box'
      ? [
          {
            outer: [
              geometry.box.x,
              geometry.box.y,
              geometry.box.x + geometry.box.w,
              geometry.box.y,
              geometry.box.x + geometry.box.w,
              geometry.box.y + geometry.box.h,
              geometry.box.x,
              geometry.box.y + geometry.box.h,
            ],
            holes: [],
          },
        ]
      : geometry.polygons;
  const [bx, by, bw, bh] = bboxOfRings(polygons.flatMap((p) => [p.outer, ...p.holes])); // even-odd: a stray hole paints too
  const left = Math.max(0, Math.floor(bx));
  const top = Math.max(0, Math.floor(by));
  const w = Math.min(width, Math.ceil(bx + bw) + 1) - left;
  const h = Math.min(height, Math.ceil(by + bh) + 1) - top;
  if (w <= 0 || h <= 0) return null;
  const shift = (ring: readonly number[]) => ring.map((v, i) => v - (i % 2 ? top : left));
  const local = polygons.map((p) => ({ outer: shift(p.outer), holes: p.holes.map(shift) }));
  const patch = cropMask(rasterisePolygons(local, h, w), h, w);
  return patch && { ...patch, left: patch.left + left, top: patch.top + top };
}

/** A patch placed in an image-sized mask (parts outside the image cut off), as compressed COCO RLE, without building the whole mask. */
export function patchToRle(patch: MaskPatch, height: number, width: number): Rle {
  const x0 = Math.max(0, patch.left);
  const x1 = Math.min(width, patch.left + patch.width);
  const y0 = Math.max(0, patch.top);
  const y1 = Math.min(height, patch.top + patch.height);
  if (x0 >= x1 || y0 >= y1) return { size: [height, width], counts: countsToString([height * width]) };
  // Column-major runs, starting with background: the columns left of the patch, then each patch column
  // (background above and below its part), then the columns right of it.
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  const background = (length: number) => {
    if (length === 0) return;
    if (value === 1) {
      counts.push(run);
      run = 0;
      value = 0;
    }
    run += length;
  };
  background(x0 * height + y0);
  const { pixels, width: pw, left, top } = patch;
  for (let x = x0; x < x1; x++) {
    if (x > x0) background(height - y1 + y0); // below the previous column's part and above this one's
    for (let y = y0, at = (y0 - top) * pw + (x - left); y < y1; y++, at += pw) {
      const v = pixels[at] ? 1 : 0;
      if (v !== value) {
        counts.push(run);
        run = 0;
        value = v;
      }
      run++;
    }
  }
  background(height - y1 + (width - x1) * height);
  counts.push(run);
  return { size: [height, width], counts: countsToString(counts) };
}

/** The pixels of a mask geometry's bounding box, decoded straight from its runs (no image-sized buffer); null when empty. */
export function maskPatch(geometry: Extract<Geometry, { kind: 'mask' }>, height: number): MaskPatch | null {
  const { counts } = geometry.rle;
  const [left, top, w, h] = summariseCompressed(counts, height).bbox;
  if (w === 0 || h === 0) return null;
  const pixels = new Uint8Array(w * h);
  let position = 0;
  forEachRun(counts, (run, index) => {
    if (index % 2 === 1) {
      // Column by column: one division per column the run touches, not per pixel.
      let k = position;
      const end = position + run;
      while (k < end) {
        const x = Math.floor(k / height);
        const y = k - x * height;
        const stop = Math.min(end - k, height - y);
        let at = (y - top) * w + (x - left);
        for (let j = 0; j < stop; j++, at += w) pixels[at] = 1;
        k += stop;
      }
    }
    position += run;
  });
  return { left, top, width: w, height: h, pixels };
}

/** A circle as a ring of vertices, fine enough that the polygon stays within a quarter pixel of it. */
export function circleRing(cx: number, cy: number, radius: number): number[] {
  const n = Math.max(16, Math.ceil(Math.PI / Math.acos(Math.max(-1, 1 - 0.25 / Math.max(radius, 0.25)))));
  const ring: number[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    ring.push(round3(cx + radius * Math.cos(angle)), round3(cy + radius * Math.sin(angle)));
  }
  return ring;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

const POWERS_OF_TEN = Array.from({ length: 7 }, (_, k) => 10 ** k);

/**
 * Shortest decimal for a coordinate: at most `digits` decimals, no trailing
 * zeros; the text of String(Math.round(value × 10^digits) / 10^digits), -0 as 0.
 * The hot loop of a YOLO export (millions of numbers), so it is built from
 * the integers n = round(value × 10^digits) and its parts: a decimal of at
 * most 15 significant digits is the shortest text of its nearest double,
 * which is what String would print, at a third of the cost.
 */
export const fixed = (value: number, digits: number): string => {
  const scale = POWERS_OF_TEN[digits] ?? 10 ** digits;
  const n = Math.round(value * scale);
  if (n === 0) return '0';
  const magnitude = n < 0 ? -n : n;
  // String writes exponents below 1e-6 (more than 6 decimals) and from 1e21; NaN and ±Infinity go there too.
  if (!(magnitude < 1e15) || digits > 6) return String(n / scale);
  const whole = Math.floor(magnitude / scale);
  let fraction = magnitude - whole * scale;
  const head = n < 0 ? `-${whole}` : `${whole}`;
  if (fraction === 0) return head;
  let places = digits;
  while (fraction % 10 === 0) {
    fraction /= 10;
    places--;
  }
  const tail = `${fraction}`;
  return `${head}.${tail.length < places ? '0'.repeat(places - tail.length) + tail : tail}`;
};
