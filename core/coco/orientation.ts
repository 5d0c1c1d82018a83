// EXIF orientation between the two sizes of a photo: the stored pixel grid
// ("raw", what loaders that ignore EXIF see: cv2.imread, older PIL code) and
// the displayed one (EXIF applied, as browsers, this app and pycocotools-era
// COCO files measure it). The project keeps annotations in display
// coordinates; these map a COCO segmentation between the two.
import sharp from 'sharp';

import type { Geometry } from '../../common/contract/index.js';
import { maskToRle, rleToMask } from '../../common/geometry/rle.js';

/** EXIF orientation 1..8; 5..8 swap width and height. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const swapsAxes = (orientation: ExifOrientation) => orientation >= 5;

export async function readOrientation(path: string): Promise<ExifOrientation> {
  const { orientation } = await sharp(path).metadata();
  return orientation !== undefined && orientation >= 1 && orientation <= 8 ? (orientation as ExifOrientation) : 1;
}

/**
 * A point of the raw grid (width `w`, height `h` as stored) → the displayed
 * image, as the EXIF orientation tag defines it; `inverse` maps back.
 */
export function pointMapper(
  orientation: ExifOrientation,
  w: number,
  h: number,
  inverse = false,
): (x: number, y: number) => [number, number] {
  if (!inverse) {
    switch (orientation) {
      case 1:
        return (x, y) => [x, y];
      case 2:
        return (x, y) => [w - x, y];
      case 3:
        return (x, y) => [w - x, h - y];
      case 4:
        return (x, y) => [x, h - y];
      case 5:
        return (x, y) => [y, x];
      case 6:
        return (x, y) => [h - y, x];
      case 7:
        return (x, y) => [h - y, w - x];
      case 8:
        return (x, y) => [y, w - x];
    }
  }
  // Display → raw: the inverse of each of the above.
  switch (orientation) {
    case 1:
      return (x, y) => [x, y];
    case 2:
      return (x, y) => [w - x, y];
    case 3:
      return (x, y) => [w - x, h - y];
    case 4:
      return (x, y) => [x, h - y];
    case 5:
      return (x, y) => [y, x];
    case 6:
      return (x, y) => [y, h - x];
    case 7:
      return (x, y) => [w - y, h - x];
    case 8:
      return (x, y) => [w - y, x];
  }
}

/**
 * The geometry moved between grids. `rawW`×`rawH` is the stored size;
 * `toDisplay` false maps display → raw. Masks are remapped pixel by pixel
 * (through pixel centres, so the mapping is exact).
 */
export function orientGeometry(geometry: Geometry, orientation: ExifOrientation, rawW: number, rawH: number, toDisplay: boolean): Geometry {
  if (orientation === 1) return geometry;
  const map = pointMapper(orientation, rawW, rawH, !toDisplay);
  const ring = (flat: readonly number[]) => {
    const out = new Array<number>(flat.length);
    for (let i = 0; i < flat.length; i += 2) [out[i], out[i + 1]] = map(flat[i]!, flat[i + 1]!);
    return out;
  };
  switch (geometry.kind) {
    case 'box': {
      const { x, y, w, h } = geometry.box;
      const [ax, ay] = map(x, y);
      const [bx, by] = map(x + w, y + h);
      return { kind: 'box', box: { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) } };
    }
    case 'polygon':
      return { kind: 'polygon', polygons: geometry.polygons.map((p) => ({ outer: ring(p.outer), holes: p.holes.map(ring) })) };
    case 'mask': {
      const [fromH, fromW] = geometry.rle.size;
      const swapped = swapsAxes(orientation);
      const [toH, toW] = swapped ? [fromW, fromH] : [fromH, fromW];
      const from = rleToMask(geometry.rle);
      const to = new Uint8Array(toH * toW);
      for (let r = 0; r < fromH; r++) {
        for (let c = 0; c < fromW; c++) {
          if (from[r * fromW + c] === 0) continue;
          const [x, y] = map(c + 0.5, r + 0.5);
          to[Math.floor(y) * toW + Math.floor(x)] = 1;
        }
      }
      return { kind: 'mask', rle: maskToRle(to, toH, toW) };
    }
  }
}
