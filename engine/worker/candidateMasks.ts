// Low-res decoder logits -> masks in image pixels, computed only where the
// object is. The chain is Segment Anything's postprocessing (bilinear
// low-res -> input square, crop the resized image, bilinear -> original
// size, threshold 0) evaluated per output pixel inside the object's region,
// so a click on a 4000 px photo costs about as much as one on a thumbnail.
import type { Box, Polygon, Rle } from '../../common/contract/index.js';
import { maskToPolygons } from '../../common/geometry/mask.js';
import { countsToString, encodeCounts } from '../../common/geometry/rle.js';
import { range, sampleTable } from './bilinearTable.js';
import type { ModelFrame } from './modelFrame.js';

/** Longest side of a display crop; larger objects travel downscaled (exact masks come from materialize). */
export const DISPLAY_CROP_MAX = 512;

/** A low-res logit map covering the model's whole input square. */
export interface LowResLogits {
  data: Float32Array;
  /** Side of the low-res map (SAM: 256 for a 1024 input). */
  size: number;
}

export interface MaskCrop {
  /** Integer pixel bounds in the image (tight); w = h = 0 when empty. */
  box: Box;
  /** Row-major 0/1 pixels of the box at `scale`. */
  pixels: Uint8Array;
  cropWidth: number;
  cropHeight: number;
  scale: number;
  /** Full-resolution pixel count (estimated when scale < 1). */
  area: number;
}

/**
 * Logits of one candidate in image pixels: stage 1 (low-res -> input
 * square) over the part of the resized image the output needs, then stage 2
 * (resized image -> original) per output pixel.
 */
export class CandidateLogits {
  constructor(
    readonly low: LowResLogits,
    readonly frame: ModelFrame,
  ) {}

  get bytes(): number {
    return this.low.data.byteLength;
  }

  /**
   * Image-pixel region outside which every logit is <= 0: a positive output
   * needs a positive low-res neighbour, so the region is the positive low-res
   * cells grown by one cell. Null when no cell is positive.
   */
  positiveRegion(): { x0: number; y0: number; x1: number; y1: number } | null {
    const n = this.low.size;
    const f = this.frame;
    const cellsPerInput = n / f.inputSize;
    const { width: validW, height: validH } = validLowResExtent(n, f);
    let c0 = Infinity;
    let c1 = -Infinity;
    let r0 = Infinity;
    let r1 = -Infinity;
    for (let r = 0; r < validH; r++) {
      for (let c = 0; c < validW; c++) {
        if (this.low.data[r * n + c]! > 0) {
          if (c < c0) c0 = c;
          if (c > c1) c1 = c;
          if (r < r0) r0 = r;
          if (r > r1) r1 = r;
        }
      }
    }
    if (c1 < 0) return null;
    const toImageX = (cell: number) => (cell / cellsPerInput) * (f.origWidth / f.resizedWidth);
    const toImageY = (cell: number) => (cell / cellsPerInput) * (f.origHeight / f.resizedHeight);
    return {
      x0: Math.max(0, Math.floor(toImageX(c0 - 1)) - 1),
      y0: Math.max(0, Math.floor(toImageY(r0 - 1)) - 1),
      x1: Math.min(f.origWidth, Math.ceil(toImageX(c1 + 2)) + 1),
      y1: Math.min(f.origHeight, Math.ceil(toImageY(r1 + 2)) + 1),
    };
  }

  /** The thresholded mask inside its tight box, at full resolution or downscaled to `maxSide`. */
  crop(maxSide = Infinity): MaskCrop {
    const region = this.positiveRegion();
    if (!region) return emptyCrop();
    const f = this.frame;
    const rw = region.x1 - region.x0;
    const rh = region.y1 - region.y0;
    const scale = Math.min(1, maxSide / Math.max(rw, rh));
    const cw = Math.max(1, Math.ceil(rw * scale));
    const ch = Math.max(1, Math.ceil(rh * scale));
    // Stage 2: crop pixel centres -> image coordinates -> resized-image samples.
    const cols = sampleTable(range(region.x0 - 0.5, cw, 1 / scale, 0.5), f.resizedWidth / f.origWidth, f.resizedWidth);
    const rows = sampleTable(range(region.y0 - 0.5, ch, 1 / scale, 0.5), f.resizedHeight / f.origHeight, f.resizedHeight);
    // Stage 1, dense over the resized-image rectangle those samples touch.
    const sx0 = cols.i0[0]!;
    const sy0 = rows.i0[0]!;
    const sw = cols.i1[cw - 1]! - sx0 + 1;
    const sh = rows.i1[ch - 1]! - sy0 + 1;
    const stage1 = this.stage1(sx0, sy0, sw, sh);
    for (let k = 0; k < cw; k++) {
      cols.i0[k] = cols.i0[k]! - sx0;
      cols.i1[k] = cols.i1[k]! - sx0;
    }
    const pixels = new Uint8Array(cw * ch);
    let minX = cw;
    let minY = ch;
    let maxX = -1;
    let maxY = -1;
    let count = 0;
    for (let cy = 0; cy < ch; cy++) {
      const top = (rows.i0[cy]! - sy0) * sw;
      const bottom = (rows.i1[cy]! - sy0) * sw;
      const fy = rows.f[cy]!;
      let rowHits = 0;
      for (let cx = 0; cx < cw; cx++) {
        const x0 = cols.i0[cx]!;
        const x1 = cols.i1[cx]!;
        const fx = cols.f[cx]!;
        const t = stage1[top + x0]! * (1 - fx) + stage1[top + x1]! * fx;
        const b = stage1[bottom + x0]! * (1 - fx) + stage1[bottom + x1]! * fx;
        if (t * (1 - fy) + b * fy > 0) {
          pixels[cy * cw + cx] = 1;
          rowHits++;
          if (cx < minX) minX = cx;
          if (cx > maxX) maxX = cx;
        }
      }
      if (rowHits > 0) {
        count += rowHits;
        if (cy < minY) minY = cy;
        maxY = cy;
      }
    }
    if (count === 0) return emptyCrop();
    const tightW = maxX - minX + 1;
    const tightH = maxY - minY + 1;
    const tight = new Uint8Array(tightW * tightH);
    for (let y = 0; y < tightH; y++) tight.set(pixels.subarray((minY + y) * cw + minX, (minY + y) * cw + minX + tightW), y * tightW);
    const x0 = region.x0 + Math.floor(minX / scale);
    const y0 = region.y0 + Math.floor(minY / scale);
    const x1 = Math.min(f.origWidth, region.x0 + Math.ceil((maxX + 1) / scale));
    const y1 = Math.min(f.origHeight, region.y0 + Math.ceil((maxY + 1) / scale));
    return {
      box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 },
      pixels: tight,
      cropWidth: tightW,
      cropHeight: tightH,
      scale,
      area: Math.round(count / (scale * scale)),
    };
  }

  /** Low-res logits upsampled to the input square, for a rectangle of the resized image. */
  private stage1(x0: number, y0: number, w: number, h: number): Float32Array {
    const n = this.low.size;
    const scale = n / this.frame.inputSize;
    const cols = sampleTable(range(x0, w), scale, n);
    const rows = sampleTable(range(y0, h), scale, n);
    const d = this.low.data;
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const top = rows.i0[y]! * n;
      const bottom = rows.i1[y]! * n;
      const fy = rows.f[y]!;
      for (let x = 0; x < w; x++) {
        const a = cols.i0[x]!;
        const b = cols.i1[x]!;
        const fx = cols.f[x]!;
        const t = d[top + a]! * (1 - fx) + d[top + b]! * fx;
        const u = d[bottom + a]! * (1 - fx) + d[bottom + b]! * fx;
        out[y * w + x] = t * (1 - fy) + u * fy;
      }
    }
    return out;
  }
}

function emptyCrop(): MaskCrop {
  return { box: { x: 0, y: 0, w: 0, h: 0 }, pixels: new Uint8Array(1), cropWidth: 1, cropHeight: 1, scale: 1, area: 0 };
}

export function cropRle(crop: MaskCrop): Rle {
  return { size: [crop.cropHeight, crop.cropWidth], counts: countsToString(encodeCounts(crop.pixels, crop.cropHeight, crop.cropWidth)) };
}

/** A full-resolution crop pasted into an image-sized COCO RLE, without allocating the whole image. */
export function fullImageRle(crop: MaskCrop, width: number, height: number): Rle {
  if (crop.scale !== 1) throw new Error('fullImageRle needs a full-resolution crop');
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  const push = (value: number, length: number): void => {
    if (length <= 0) return;
    if (value !== current) {
      counts.push(run);
      run = 0;
      current = value;
    }
    run += length;
  };
  const { x: bx, y: by } = crop.box;
  for (let x = 0; x < width; x++) {
    const cx = x - bx;
    if (crop.area === 0 || cx < 0 || cx >= crop.cropWidth) {
      push(0, height);
      continue;
    }
    push(0, by);
    for (let cy = 0; cy < crop.cropHeight; cy++) push(crop.pixels[cy * crop.cropWidth + cx] ? 1 : 0, 1);
    push(0, height - by - crop.cropHeight);
  }
  counts.push(run);
  return { size: [height, width], counts: countsToString(counts) };
}

/** Simplified outline in image pixels (Douglas–Peucker, holes kept, specks dropped). */
export function cropPolygons(crop: MaskCrop, tolerance = 1): Polygon[] {
  if (crop.area === 0) return [];
  const local = maskToPolygons(crop.pixels, crop.cropHeight, crop.cropWidth, { tolerance, minArea: 4 });
  const shift = (ring: number[]): number[] => ring.map((v, i) => v + (i % 2 === 0 ? crop.box.x : crop.box.y));
  return local.map((p) => ({ outer: shift(p.outer), holes: p.holes.map(shift) }));
}

/** The low-res cells that cover the resized image (the rest of the square is padding). */
export function validLowResExtent(size: number, frame: ModelFrame): { width: number; height: number } {
  return {
    width: Math.min(size, Math.ceil((frame.resizedWidth * size) / frame.inputSize)),
    height: Math.min(size, Math.ceil((frame.resizedHeight * size) / frame.inputSize)),
  };
}

/**
 * SAM's stability score on the low-res logits inside the resized image:
 * pixels above +1 over pixels above -1. A sharp mask barely changes.
 */
export function stabilityScore(low: LowResLogits, frame: ModelFrame, offset = 1): number {
  const n = low.size;
  const { width: validW, height: validH } = validLowResExtent(n, frame);
  let inner = 0;
  let outer = 0;
  for (let r = 0; r < validH; r++) {
    for (let c = 0; c < validW; c++) {
      const v = low.data[r * n + c]!;
      if (v > offset) inner++;
      if (v > -offset) outer++;
    }
  }
  return outer === 0 ? 0 : inner / outer;
}

/** Binary low-res mask inside the resized image: cheap enough to compare hundreds of proposals. */
export function lowResBinary(low: LowResLogits, frame: ModelFrame): Uint8Array {
  const n = low.size;
  const { width: validW, height: validH } = validLowResExtent(n, frame);
  const out = new Uint8Array(n * n);
  for (let r = 0; r < validH; r++) for (let c = 0; c < validW; c++) out[r * n + c] = low.data[r * n + c]! > 0 ? 1 : 0;
  return out;
}
