// Geometry conversions the formats share: a whole-image mask of any geometry,
// outer rings (a mask's come from common/geometry's exact tracer), masks cut
// to and pasted from a bounding-box patch (labelme, CVAT), circles as rings.
import type { Geometry, Rle } from '../../common/contract/index.js';
import { maskToPolygons } from '../../common/geometry/mask.js';
import { rasterisePolygons } from '../../common/geometry/polygon.js';
import { maskToRle, rleToMask } from '../../common/geometry/rle.js';

/** Row-major h×w mask (1 = inside) of any geometry; boxes and polygons sample pixel centres as rasterisePolygons does. */
export function maskOf(geometry: Geometry, height: number, width: number): Uint8Array {
  switch (geometry.kind) {
    case 'mask':
      return rleToMask(geometry.rle);
    case 'polygon':
      return rasterisePolygons(geometry.polygons, height, width);
    case 'box': {
      const { x, y, w, h } = geometry.box;
      return rasterisePolygons([{ outer: [x, y, x + w, y, x + w, y + h, x, y + h], holes: [] }], height, width);
    }
  }
}

/** The outer rings of a polygon or mask geometry, and how many holes they leave out. */
export function outerRings(geometry: Geometry, height: number, width: number): { rings: number[][]; holes: number } {
  switch (geometry.kind) {
    case 'box': {
      const { x, y, w, h } = geometry.box;
      return { rings: [[x, y, x + w, y, x + w, y + h, x, y + h]], holes: 0 };
    }
    case 'polygon':
      return { rings: geometry.polygons.map((p) => p.outer), holes: geometry.polygons.reduce((n, p) => n + p.holes.length, 0) };
    case 'mask': {
      const polygons = maskToPolygons(maskOf(geometry, height, width), height, width);
      return { rings: polygons.map((p) => p.outer), holes: polygons.reduce((n, p) => n + p.holes.length, 0) };
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

/** A patch pasted into an empty image-sized mask (parts outside the image cut off), as compressed RLE. */
export function patchToRle(patch: MaskPatch, height: number, width: number): Rle {
  const mask = new Uint8Array(height * width);
  for (let y = 0; y < patch.height; y++) {
    const iy = patch.top + y;
    if (iy < 0 || iy >= height) continue;
    for (let x = 0; x < patch.width; x++) {
      const ix = patch.left + x;
      if (ix < 0 || ix >= width) continue;
      if (patch.pixels[y * patch.width + x]) mask[iy * width + ix] = 1;
    }
  }
  return maskToRle(mask, height, width);
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

/** Shortest decimal for a coordinate: at most `digits` decimals, no trailing zeros. */
export const fixed = (value: number, digits: number): string => {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
};
