// Binary masks of the providers that work on pixels (classical tools, the
// foreground model), kept as the engine's MaskCrop at full resolution
// (scale 1): a tight box and the 0/1 pixels inside it, so a small object on
// a large photo stays small on the wire and in memory.
import type { MaskCrop } from './candidateMasks.js';
import { type PixelRect, resampleChannels } from './rgbImage.js';

/** A MaskCrop at full resolution: `scale` is 1, `cropWidth`/`cropHeight` equal `box.w`/`box.h` (1×1 when empty). */
export type BinaryCrop = MaskCrop;

export type Connectivity = 4 | 8;

/** The empty mask, as the engine writes it: a zero box and one 0 pixel. */
export function emptyBinaryCrop(): BinaryCrop {
  return { box: { x: 0, y: 0, w: 0, h: 0 }, pixels: new Uint8Array(1), cropWidth: 1, cropHeight: 1, scale: 1, area: 0 };
}

/**
 * The tight crop of a width × height mask (non-zero = inside). `origin` is
 * where the mask's top-left pixel lies in the image, for masks of a region.
 */
export function fromFullMask(
  mask: Uint8Array,
  width: number,
  height: number,
  origin: { x: number; y: number } = { x: 0, y: 0 },
): BinaryCrop {
  if (mask.length !== width * height) throw new RangeError(`a ${width}×${height} mask needs ${width * height} pixels, got ${mask.length}`);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let area = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]) {
        if (first < 0) first = x;
        last = x;
        area++;
      }
    }
    if (first >= 0) {
      if (first < minX) minX = first;
      if (last > maxX) maxX = last;
      if (minY === height) minY = y;
      maxY = y;
    }
  }
  if (area === 0) return emptyBinaryCrop();
  const w = maxX - minX + 1;
  const h = maxY - minY + 1;
  const pixels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const from = (minY + y) * width + minX;
    for (let x = 0; x < w; x++) pixels[y * w + x] = mask[from + x] ? 1 : 0;
  }
  return { box: { x: origin.x + minX, y: origin.y + minY, w, h }, pixels, cropWidth: w, cropHeight: h, scale: 1, area };
}

/** The crop pasted into a width × height 0/1 mask (parts outside the image are dropped). */
export function toFullMask(crop: BinaryCrop, width: number, height: number): Uint8Array {
  assertFullResolution(crop);
  const out = new Uint8Array(width * height);
  if (crop.area === 0) return out;
  const { x: bx, y: by, w, h } = crop.box;
  for (let y = Math.max(0, -by); y < h && by + y < height; y++) {
    for (let x = Math.max(0, -bx); x < w && bx + x < width; x++) {
      if (crop.pixels[y * w + x]) out[(by + y) * width + bx + x] = 1;
    }
  }
  return out;
}

/**
 * Connected-component labels of a 0/1 mask: 0 outside, 1..count inside,
 * numbered in the order their first pixel comes in a row-major scan. Runs
 * of each row are joined to the touching runs of the row above (union-find),
 * then labelled: a few times faster than flooding pixel by pixel on
 * megapixel masks.
 */
export function labelComponents(
  pixels: Uint8Array,
  width: number,
  height: number,
  connectivity: Connectivity = 8,
): { labels: Int32Array; count: number; sizes: number[] } {
  // Runs as [row, start, end) triples, in scan order.
  const runRow: number[] = [];
  const runStart: number[] = [];
  const runEnd: number[] = [];
  const parent: number[] = [];
  const find = (r: number): number => {
    while (parent[r] !== r) {
      parent[r] = parent[parent[r]!]!;
      r = parent[r]!;
    }
    return r;
  };
  // A diagonal neighbour touches under 8-connectivity: runs may overlap by one column more.
  const reach = connectivity === 8 ? 1 : 0;
  let previousFirst = 0;
  let previousEnd = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = runStart.length;
    let above = previousFirst;
    for (let x = 0; x < width;) {
      if (!pixels[row + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && pixels[row + x]) x++;
      const r = runStart.length;
      runRow.push(y);
      runStart.push(start);
      runEnd.push(x);
      parent.push(r);
      // Runs above that end before this one can reach are done with.
      while (above < previousEnd && runEnd[above]! + reach <= start) above++;
      for (let q = above; q < previousEnd && runStart[q]! < x + reach; q++) {
        const a = find(q);
        const b = find(r);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    previousFirst = first;
    previousEnd = runStart.length;
  }
  const labels = new Int32Array(width * height);
  const labelOf = new Int32Array(runStart.length);
  const sizes = [0];
  let count = 0;
  for (let r = 0; r < runStart.length; r++) {
    const root = find(r);
    // Roots are the smallest run of their component, so a root is met before the rest of its runs.
    if (root === r) {
      labelOf[r] = ++count;
      sizes.push(0);
    }
    const label = labelOf[root]!;
    labelOf[r] = label;
    const offset = runRow[r]! * width;
    labels.fill(label, offset + runStart[r]!, offset + runEnd[r]!);
    sizes[label]! += runEnd[r]! - runStart[r]!;
  }
  return { labels, count, sizes };
}

export interface ComponentFilter {
  /** 8 (default) joins diagonal neighbours; 4 does not. */
  connectivity?: Connectivity;
  /**
   * Also keep every component with at least this share (0..1) of the
   * largest component's area, wherever the points are. Default: none.
   */
  minShareOfLargest?: number;
}

/**
 * Only the components that contain at least one of `points` (image pixels;
 * a point at x, y is the pixel whose area covers it), plus, with
 * `minShareOfLargest`, the large ones. Points outside the mask select
 * nothing, so without `minShareOfLargest` the result is empty when none
 * lands on it.
 */
export function keepComponentsAt(
  crop: BinaryCrop,
  points: readonly (readonly [number, number])[],
  filter: ComponentFilter = {},
): BinaryCrop {
  assertFullResolution(crop);
  if (crop.area === 0) return crop;
  const { x: bx, y: by, w, h } = crop.box;
  const { labels, count } = labelComponents(crop.pixels, w, h, filter.connectivity ?? 8);
  const keep = new Set<number>();
  for (const [px, py] of points) {
    const x = Math.floor(px) - bx;
    const y = Math.floor(py) - by;
    if (x >= 0 && y >= 0 && x < w && y < h && labels[y * w + x]) keep.add(labels[y * w + x]!);
  }
  if (filter.minShareOfLargest !== undefined) {
    const sizes = componentSizes(labels, count);
    const largest = Math.max(...sizes);
    for (let label = 1; label <= count; label++) if (sizes[label]! >= filter.minShareOfLargest * largest) keep.add(label);
  }
  return selectLabels(labels, keep, crop.box);
}

function componentSizes(labels: Int32Array, count: number): Int32Array {
  const sizes = new Int32Array(count + 1);
  for (const label of labels) sizes[label]!++;
  sizes[0] = 0;
  return sizes;
}

/** The largest component (the first found among equals); empty stays empty. */
export function largestComponent(crop: BinaryCrop, connectivity: Connectivity = 8): BinaryCrop {
  assertFullResolution(crop);
  if (crop.area === 0) return crop;
  const { labels, count } = labelComponents(crop.pixels, crop.box.w, crop.box.h, connectivity);
  const sizes = componentSizes(labels, count);
  let best = 1;
  for (let label = 2; label <= count; label++) if (sizes[label]! > sizes[best]!) best = label;
  return selectLabels(labels, new Set([best]), crop.box);
}

function selectLabels(labels: Int32Array, keep: ReadonlySet<number>, box: PixelRect): BinaryCrop {
  if (keep.size === 0) return emptyBinaryCrop();
  const kept = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (keep.has(labels[i]!)) kept[i] = 1;
  return fromFullMask(kept, box.w, box.h, box);
}

export type MaskResize = 'nearest' | 'threshold';

/**
 * A 0/1 mask resampled to targetWidth × targetHeight: `nearest` copies the
 * covering pixel (blocky, keeps partitions exact); `threshold` keeps pixels
 * where the bilinear (or, shrinking, area) average is at least one half,
 * which gives smooth outlines when enlarging.
 */
export function resizeMask(
  pixels: Uint8Array,
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
  mode: MaskResize,
): Uint8Array {
  if (pixels.length !== width * height)
    throw new RangeError(`a ${width}×${height} mask needs ${width * height} pixels, got ${pixels.length}`);
  if (!Number.isInteger(targetWidth) || !Number.isInteger(targetHeight) || targetWidth < 1 || targetHeight < 1) {
    throw new RangeError(`cannot resize a mask to ${targetWidth}×${targetHeight}`);
  }
  const out = new Uint8Array(targetWidth * targetHeight);
  if (mode === 'nearest') {
    const columns = new Int32Array(targetWidth);
    for (let x = 0; x < targetWidth; x++) columns[x] = Math.min(width - 1, Math.floor(((x + 0.5) * width) / targetWidth));
    for (let y = 0; y < targetHeight; y++) {
      const row = Math.min(height - 1, Math.floor(((y + 0.5) * height) / targetHeight)) * width;
      for (let x = 0; x < targetWidth; x++) out[y * targetWidth + x] = pixels[row + columns[x]!] ? 1 : 0;
    }
    return out;
  }
  const averaged = resampleChannels(pixels, width, height, 1, targetWidth, targetHeight);
  for (let i = 0; i < out.length; i++) out[i] = averaged[i]! >= 0.5 - 1e-6 ? 1 : 0;
  return out;
}

/**
 * A crop of a working copy (workWidth × workHeight, e.g. a shrunk image)
 * enlarged to the full width × height it stands for, placed at `origin`.
 * Only the crop's box (plus one pixel of margin, so the outline is not cut
 * at the edge) is resampled, with `threshold` (bilinear, at least one half).
 */
export function enlargeCrop(
  crop: BinaryCrop,
  workWidth: number,
  workHeight: number,
  width: number,
  height: number,
  origin: { x: number; y: number } = { x: 0, y: 0 },
): BinaryCrop {
  assertFullResolution(crop);
  if (crop.area === 0) return crop;
  if (workWidth === width && workHeight === height) {
    return { ...crop, box: { ...crop.box, x: crop.box.x + origin.x, y: crop.box.y + origin.y } };
  }
  const x0 = Math.max(0, crop.box.x - 1);
  const y0 = Math.max(0, crop.box.y - 1);
  const x1 = Math.min(workWidth, crop.box.x + crop.box.w + 1);
  const y1 = Math.min(workHeight, crop.box.y + crop.box.h + 1);
  const w = x1 - x0;
  const h = y1 - y0;
  const padded = new Uint8Array(w * h);
  for (let y = 0; y < crop.box.h; y++) {
    padded.set(crop.pixels.subarray(y * crop.box.w, (y + 1) * crop.box.w), (crop.box.y - y0 + y) * w + crop.box.x - x0);
  }
  const left = Math.round((x0 * width) / workWidth);
  const top = Math.round((y0 * height) / workHeight);
  const right = Math.min(width, Math.round((x1 * width) / workWidth));
  const bottom = Math.min(height, Math.round((y1 * height) / workHeight));
  const enlarged = resizeMask(padded, w, h, right - left, bottom - top, 'threshold');
  return fromFullMask(enlarged, right - left, bottom - top, { x: origin.x + left, y: origin.y + top });
}

/** Intersection over union of two crops (1 when both are empty). */
export function cropIoU(a: BinaryCrop, b: BinaryCrop): number {
  assertFullResolution(a);
  assertFullResolution(b);
  if (a.area === 0 && b.area === 0) return 1;
  const x0 = Math.max(a.box.x, b.box.x);
  const y0 = Math.max(a.box.y, b.box.y);
  const x1 = Math.min(a.box.x + a.box.w, b.box.x + b.box.w);
  const y1 = Math.min(a.box.y + a.box.h, b.box.y + b.box.h);
  let intersection = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (a.pixels[(y - a.box.y) * a.box.w + x - a.box.x] && b.pixels[(y - b.box.y) * b.box.w + x - b.box.x]) intersection++;
    }
  }
  return intersection / (a.area + b.area - intersection);
}

function assertFullResolution(crop: BinaryCrop): void {
  if (crop.scale !== 1) throw new RangeError(`expected a full-resolution crop (scale 1), got scale ${crop.scale}`);
  if (crop.area > 0 && crop.pixels.length !== crop.box.w * crop.box.h) {
    throw new RangeError(`a ${crop.box.w}×${crop.box.h} crop needs ${crop.box.w * crop.box.h} pixels, got ${crop.pixels.length}`);
  }
}
