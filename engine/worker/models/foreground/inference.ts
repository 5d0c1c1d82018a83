// Running a foreground model (ISNet) on a crop of an image, and turning its
// probability map into a mask in image pixels. Plain functions over plain
// arrays: the caller owns the session, the decoded image, caching and the
// choice of execution provider.
import * as ort from 'onnxruntime-node';

import { resizeTable } from '../../bilinearTable.js';
import { labelComponents } from '../../binaryCrop.js';
import { assertRgbImage, type ImagePoint, type PixelRect, type RgbImage } from '../../rgbImage.js';
import type { ForegroundManifest } from './manifest.js';

export type { RgbImage };

/** Integer pixel rectangle in the image. */
export type CropRect = PixelRect;

export interface ImageSize {
  width: number;
  height: number;
}

export interface ForegroundModelSpec {
  inputName: string;
  outputName: string;
  /** Side of the square the crop is stretched to. */
  inputSize: number;
  pixelMean: readonly [number, number, number];
  pixelStd: readonly [number, number, number];
}

/** IMG.LY's ISNet: stretch to 1024, (rgb - 128) / 256, output "output" in 0..1. */
export const ISNET_SPEC: ForegroundModelSpec = {
  inputName: 'input',
  outputName: 'output',
  inputSize: 1024,
  pixelMean: [128, 128, 128],
  pixelStd: [256, 256, 256],
};

export function foregroundSpecOf(manifest: ForegroundManifest): ForegroundModelSpec {
  return {
    inputName: manifest.model.inputs[0]!.name,
    outputName: manifest.postprocessing.output,
    inputSize: manifest.preprocessing.inputSize,
    pixelMean: manifest.preprocessing.pixelMean,
    pixelStd: manifest.preprocessing.pixelStd,
  };
}

export function assertCrop(crop: CropRect, size: ImageSize): void {
  const { x, y, w, h } = crop;
  if (![x, y, w, h].every(Number.isInteger) || w <= 0 || h <= 0) throw new RangeError(`crop ${x},${y} ${w}x${h} must be integers with a positive size`);
  if (x < 0 || y < 0 || x + w > size.width || y + h > size.height) throw new RangeError(`crop ${x},${y} ${w}x${h} is not inside the ${size.width}x${size.height} image`);
}

/**
 * The crop for a box prompt: the box grown by `margin` of its size on each
 * side (the model sees some background around the object), clipped to the
 * image, in whole pixels.
 */
export function foregroundCrop(box: readonly [number, number, number, number], size: ImageSize, margin = 0.1): CropRect {
  const [x0, y0, x1, y1] = box;
  if (![x0, y0, x1, y1].every(Number.isFinite) || x1 <= x0 || y1 <= y0) throw new RangeError(`box ${box.join(',')} needs x1 > x0 and y1 > y0`);
  if (!(margin >= 0)) throw new RangeError(`margin ${margin} must be >= 0`);
  const mx = (x1 - x0) * margin;
  const my = (y1 - y0) * margin;
  const left = Math.max(0, Math.floor(x0 - mx));
  const top = Math.max(0, Math.floor(y0 - my));
  const right = Math.min(size.width, Math.ceil(x1 + mx));
  const bottom = Math.min(size.height, Math.ceil(y1 + my));
  if (right <= left || bottom <= top) throw new RangeError(`box ${box.join(',')} is outside the ${size.width}x${size.height} image`);
  return { x: left, y: top, w: right - left, h: bottom - top };
}


/** The crop stretched to the model's square, normalised, as float32 CHW [3, S, S]. */
export function foregroundInput(rgb: RgbImage, crop: CropRect, spec: ForegroundModelSpec = ISNET_SPEC): Float32Array {
  assertRgbImage(rgb);
  assertCrop(crop, rgb);
  const s = spec.inputSize;
  const plane = s * s;
  const out = new Float32Array(3 * plane);
  const xs = resizeTable(s, crop.w);
  const ys = resizeTable(s, crop.h);
  const stride = rgb.width * 3;
  const data = rgb.data;
  const [m0, m1, m2] = spec.pixelMean;
  const [d0, d1, d2] = spec.pixelStd;
  for (let oy = 0; oy < s; oy++) {
    const fy = ys.f[oy]!;
    const row0 = (crop.y + ys.i0[oy]!) * stride;
    const row1 = (crop.y + ys.i1[oy]!) * stride;
    for (let ox = 0; ox < s; ox++) {
      const fx = xs.f[ox]!;
      const c0 = (crop.x + xs.i0[ox]!) * 3;
      const c1 = (crop.x + xs.i1[ox]!) * 3;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a = row0 + c0;
      const b = row0 + c1;
      const c = row1 + c0;
      const d = row1 + c1;
      const o = oy * s + ox;
      out[o] = (w00 * data[a]! + w01 * data[b]! + w10 * data[c]! + w11 * data[d]! - m0) / d0;
      out[plane + o] = (w00 * data[a + 1]! + w01 * data[b + 1]! + w10 * data[c + 1]! + w11 * data[d + 1]! - m1) / d1;
      out[2 * plane + o] = (w00 * data[a + 2]! + w01 * data[b + 2]! + w10 * data[c + 2]! + w11 * data[d + 2]! - m2) / d2;
    }
  }
  return out;
}

/**
 * Foreground probability of the crop, at the model's resolution (S x S,
 * row-major, 0..1): the crop is stretched to S x S, so the map is too.
 */
export async function foregroundProbability(session: ort.InferenceSession, rgb: RgbImage, crop: CropRect, spec: ForegroundModelSpec = ISNET_SPEC): Promise<Float32Array> {
  const s = spec.inputSize;
  const input = new ort.Tensor('float32', foregroundInput(rgb, crop, spec), [1, 3, s, s]);
  const outputs = await session.run({ [spec.inputName]: input }, [spec.outputName]);
  const output = outputs[spec.outputName];
  if (!output) throw new Error(`the foreground model gave no output "${spec.outputName}"`);
  try {
    if (output.type !== 'float32' || output.data.length !== s * s) throw new Error(`the foreground model's "${spec.outputName}" is ${output.type} with ${output.data.length} values; expected float32 ${s}x${s}`);
    // A copy: the tensor's buffer belongs to onnxruntime and is released below.
    return Float32Array.from(output.data as Float32Array);
  } finally {
    output.dispose();
  }
}

export interface ForegroundMaskOptions {
  /** Probability at and above which a pixel is foreground. */
  threshold?: number;
  /** Image points whose connected components are kept (box centre, positive clicks); none = keep every component. */
  keepAt?: readonly ImagePoint[];
  /** Image points whose components are removed (negative clicks); removal wins over keeping. */
  dropAt?: readonly ImagePoint[];
}

export interface ForegroundMask {
  /** The crop region in the image; `pixels` is w x h, row-major, 0/1. */
  crop: CropRect;
  pixels: Uint8Array;
  /** Foreground pixels kept. */
  area: number;
  /** Tight bounds of the kept pixels in image coordinates; w = h = 0 when empty. */
  bounds: CropRect;
  /** Connected components above the threshold (8-connected), and how many were kept and dropped. */
  components: { total: number; kept: number; dropped: number };
  /**
   * 'largest-component' when keep points were given but none fell on the
   * foreground (e.g. a box centre in a hole): the largest component is kept instead.
   */
  fallback: 'largest-component' | null;
}


/**
 * The crop's mask in image pixels: the S x S probability map resized back
 * to the crop (bilinear), thresholded, then only the components under a
 * keep point, minus those under a drop point.
 */
export function foregroundMask(prob: Float32Array, crop: CropRect, imageSize: ImageSize, options: ForegroundMaskOptions = {}): ForegroundMask {
  const s = Math.round(Math.sqrt(prob.length));
  if (s * s !== prob.length || s === 0) throw new RangeError(`the probability map has ${prob.length} values; expected a square map`);
  assertCrop(crop, imageSize);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold ${threshold} must be between 0 and 1`);
  const { w, h } = crop;
  const xs = resizeTable(w, s);
  const ys = resizeTable(h, s);
  const above = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = ys.f[y]!;
    const r0 = ys.i0[y]! * s;
    const r1 = ys.i1[y]! * s;
    for (let x = 0; x < w; x++) {
      const fx = xs.f[x]!;
      const c0 = xs.i0[x]!;
      const c1 = xs.i1[x]!;
      const top = prob[r0 + c0]! + fx * (prob[r0 + c1]! - prob[r0 + c0]!);
      const bottom = prob[r1 + c0]! + fx * (prob[r1 + c1]! - prob[r1 + c0]!);
      if (top + fy * (bottom - top) >= threshold) above[y * w + x] = 1;
    }
  }

  const { labels, sizes } = labelComponents(above, w, h, 8);
  const total = sizes.length - 1;
  /** The component under an image point; 0 for background or a point outside the crop. */
  const componentAt = ([px, py]: ImagePoint): number => {
    const x = Math.floor(px - crop.x);
    const y = Math.floor(py - crop.y);
    return x >= 0 && y >= 0 && x < w && y < h ? labels[y * w + x]! : 0;
  };
  const keep = new Uint8Array(sizes.length);
  let fallback: ForegroundMask['fallback'] = null;
  const keepAt = options.keepAt ?? [];
  if (keepAt.length === 0) keep.fill(1);
  else {
    for (const point of keepAt) keep[componentAt(point)] = 1;
    keep[0] = 0;
    if (!keep.some(Boolean) && total > 0) {
      let largest = 1;
      for (let c = 2; c < sizes.length; c++) if (sizes[c]! > sizes[largest]!) largest = c;
      keep[largest] = 1;
      fallback = 'largest-component';
    }
  }
  keep[0] = 0;
  const dropped = new Set<number>();
  for (const point of options.dropAt ?? []) {
    const c = componentAt(point);
    if (c > 0) dropped.add(c);
  }
  for (const c of dropped) keep[c] = 0;

  const pixels = new Uint8Array(w * h);
  let area = 0;
  let minX = w;
  let minY = h;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!keep[labels[i]!]) continue;
      pixels[i] = 1;
      area++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const bounds = area > 0 ? { x: crop.x + minX, y: crop.y + minY, w: maxX - minX + 1, h: maxY - minY + 1 } : { x: crop.x, y: crop.y, w: 0, h: 0 };
  let kept = 0;
  for (let c = 1; c < keep.length; c++) kept += keep[c]!;
  return { crop: { ...crop }, pixels, area, bounds, components: { total, kept, dropped: dropped.size }, fallback };
}
