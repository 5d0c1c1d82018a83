// SAM 2's image resize: the official SAM2ImagePredictor turns the RGB image
// into floats in 0–1 (ToTensor), then torchvision's Resize((S, S)) on that
// tensor, which since torchvision 0.17 is torch's
// `interpolate(mode='bilinear', align_corners=False, antialias=True)`: the
// image is stretched to S × S (aspect not kept) with a triangle filter
// widened by the scale when shrinking, one axis at a time (width first), in
// float32. This reproduces that arithmetic in float32 (weights exactly as
// torch computes them; each tap accumulated with one rounding, as a fused
// multiply-add), written from the algorithm of torch's CPU kernel (aten
// UpSampleKernel.cpp, the antialiased separable path); no code copied. How a
// torch binary accumulates depends on its compiler: Debian's torch 1.13 gives
// the same float32 bytes whenever a filter spans at most 4 source pixels
// (every enlargement, shrinks up to ~1.5×; all of test/fixtures/preprocess),
// and values 1–2 ulp apart (≤ 1.8e-7 on 0–1) for wider filters, where it
// rounds products in groups of four. The test states its tolerance.
import { assertRgbImage, type RgbImage } from '../rgbImage.js';

const f32 = Math.fround;

/** One axis: per output index the first source index, the tap count, and float32 weights. */
interface AxisWeights {
  taps: number;
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
}

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? f32(1 - a) : 0;
}

/** torch's antialiased bilinear weights for `inSize` -> `outSize` (align_corners=False, no scale factor given). */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = f32(inSize / outSize);
  const support = scale >= 1 ? f32(1 * scale) : 1;
  const taps = Math.ceil(support) * 2 + 1;
  const inverse = scale >= 1 ? f32(1 / scale) : 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const centre = f32(scale * (i + 0.5));
    const xmin = Math.max(0, Math.trunc(f32(centre - support) + 0.5));
    const n = Math.min(inSize, Math.trunc(f32(centre + support) + 0.5)) - xmin;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const w = triangle(f32(f32(f32(j + xmin - centre) + 0.5) * inverse));
      weights[i * taps + j] = w;
      total = f32(total + w);
    }
    if (total !== 0) for (let j = 0; j < n; j++) weights[i * taps + j] = f32(weights[i * taps + j]! / total);
    first[i] = xmin;
    count[i] = n;
  }
  return { taps, first, count, weights };
}

/**
 * The image as float32 CHW in 0–1 (value / 255, as ToTensor), resized to
 * width × height like torch's antialiased bilinear interpolate: a pass along
 * x (skipped when the width does not change), then along y. Returns
 * 3 × height × width values, channel planes one after the other.
 */
export function antialiasBilinearResize(image: RgbImage, width: number, height: number): Float32Array {
  assertRgbImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`cannot resize to ${width}×${height}`);
  const { width: w0, height: h0 } = image;
  // ToTensor: uint8 -> float32 / 255, laid out CHW (read through a table).
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / 255;
  const src = image.data;
  let planes: Float32Array;
  let cw: number;
  if (width !== w0) {
    // The x pass reads the interleaved bytes directly: no full-size float copy.
    const { taps, first, count, weights } = axisWeights(w0, width);
    planes = new Float32Array(3 * h0 * width);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < h0; y++) {
        const row = y * w0 * 3 + c;
        const dst = (c * h0 + y) * width;
        for (let x = 0; x < width; x++) {
          const n = count[x]!;
          const k = x * taps;
          let s = row + first[x]! * 3;
          let acc = f32(lut[src[s]!]! * weights[k]!);
          for (let t = 1; t < n; t++) {
            s += 3;
            acc = f32(acc + lut[src[s]!]! * weights[k + t]!);
          }
          planes[dst + x] = acc;
        }
      }
    }
    cw = width;
  } else {
    planes = new Float32Array(3 * w0 * h0);
    for (let p = 0, n = w0 * h0; p < n; p++) {
      planes[p] = lut[src[p * 3]!]!;
      planes[n + p] = lut[src[p * 3 + 1]!]!;
      planes[2 * n + p] = lut[src[p * 3 + 2]!]!;
    }
    cw = w0;
  }
  if (height !== h0) {
    const { taps, first, count, weights } = axisWeights(h0, height);
    const out = new Float32Array(3 * height * cw);
    for (let c = 0; c < 3; c++) {
      const plane = c * h0 * cw;
      for (let y = 0; y < height; y++) {
        const n = count[y]!;
        const k = y * taps;
        const s = plane + first[y]! * cw;
        const dst = (c * height + y) * cw;
        const w0y = weights[k]!;
        for (let x = 0; x < cw; x++) out[dst + x] = planes[s + x]! * w0y;
        for (let t = 1; t < n; t++) {
          const wt = weights[k + t]!;
          const st = s + t * cw;
          for (let x = 0; x < cw; x++) out[dst + x] = out[dst + x]! + planes[st + x]! * wt;
        }
      }
    }
    planes = out;
  }
  return planes;
}

/**
 * In place, per channel: (value − mean[c]) / std[c] in float32, as
 * torchvision's Normalize on a float tensor. `planes` is CHW with
 * `planeSize` values per channel; mean and std in the tensor's own units
 * (0–1 for SAM 2: ImageNet's (0.485, 0.456, 0.406) and (0.229, 0.224, 0.225)).
 */
export function normalisePlanes(
  planes: Float32Array,
  planeSize: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Float32Array {
  if (planes.length !== 3 * planeSize) throw new RangeError(`expected 3 × ${planeSize} values, got ${planes.length}`);
  for (let c = 0; c < 3; c++) {
    const m = f32(mean[c]!);
    const s = f32(std[c]!);
    for (let i = c * planeSize, end = i + planeSize; i < end; i++) planes[i] = f32(planes[i]! - m) / s;
  }
  return planes;
}

/** ImageNet statistics on 0–1 values, SAM 2's normalisation. */
export const IMAGENET_MEAN_01 = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD_01 = [0.229, 0.224, 0.225] as const;

/**
 * SAM 2's encoder input, as SAM2ImagePredictor.set_image builds it: the
 * stored RGB values as 0–1 floats, stretched to size × size with
 * antialiased bilinear resampling, normalised with ImageNet's mean and std.
 * Float32 CHW, 3 × size × size. Points then map as x·size/W, y·size/H.
 */
export function sam2ImageTensor(
  image: RgbImage,
  size = 1024,
  mean: readonly [number, number, number] = IMAGENET_MEAN_01,
  std: readonly [number, number, number] = IMAGENET_STD_01,
): Float32Array {
  return normalisePlanes(antialiasBilinearResize(image, size, size), size * size, mean, std);
}
