// OpenCV's `cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)` on 8-bit
// images, byte for byte: Ultralytics YOLO letterboxes with it, and a
// detector sees what it was trained on only if the pixels match. INTER_LINEAR
// is a plain 2-tap bilinear at half-pixel centres (no antialiasing when
// shrinking) in fixed point: 11-bit weights (INTER_RESIZE_COEF_BITS), a
// horizontal pass into 32-bit integers, and a vertical pass rounded the way
// OpenCV's SIMD path does it (each row scaled down by 16 and multiplied
// keeping the high 16 bits, then (sum + 2) >> 2). That last rounding is not
// (a·b0 + c·b1 + 2²¹) >> 22 and differs from it by one level on ~10 % of
// pixels; the vector rounding is what OpenCV 4.6 (Debian, x86-64) and
// opencv.js 4.12 (this project's @techstark/opencv-js) both produce on every
// pixel, verified in test/unit/engine/preprocessReference.test.ts. Written
// from the algorithm of imgproc/src/resize.cpp; no code copied.
import { assertRgbImage, type RgbImage } from '../rgbImage.js';

/** INTER_RESIZE_COEF_SCALE: 1 << INTER_RESIZE_COEF_BITS (11). */
const COEF_SCALE = 2048;

/** cvRound on a float: to nearest, halves to even (the default rounding mode). */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

interface LinearAxis {
  /** First of the two source indices (the second is index + 1, clamped). */
  index: Int32Array;
  w0: Int32Array;
  w1: Int32Array;
}

/**
 * One axis of OpenCV's linear resize: source coordinate (i + 0.5)·scale − 0.5
 * in C floats, with scale = 1 / (out / in) as OpenCV computes it; weights
 * (1 − f, f) × 2048 rounded half to even. Along x a coordinate left of the
 * first pixel or right of the last is clamped to it with weights (2048, 0);
 * along y only the rows read are clamped, the weights are kept (OpenCV).
 */
function linearAxis(inSize: number, outSize: number, clampWeights: boolean): LinearAxis {
  const scale = 1 / (outSize / inSize);
  const index = new Int32Array(outSize);
  const w0 = new Int32Array(outSize);
  const w1 = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampWeights && s < 0) {
      s = 0;
      f = 0;
    }
    if (clampWeights && s >= inSize - 1) {
      s = inSize - 1;
      f = 0;
    }
    index[d] = s;
    w0[d] = roundHalfEven(Math.fround(Math.fround(1 - f) * COEF_SCALE));
    w1[d] = roundHalfEven(Math.fround(f * COEF_SCALE));
  }
  return { index, w0, w1 };
}

/**
 * `image` resized to width × height as `cv2.resize(..., INTER_LINEAR)` on a
 * CV_8UC3 image. (OpenCV switches an exact 2× shrink in both directions to
 * INTER_AREA; for 8-bit images that gives the same bytes as this, which the
 * tests check.) Returns a copy when the size does not change, as OpenCV.
 */
export function opencvLinearResize(image: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`cannot resize to ${width}×${height}`);
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  const { width: w, height: h, data: src } = image;
  const xs = linearAxis(w, width, true);
  const ys = linearAxis(h, height, false);
  const stride = width * 3;

  // Horizontal pass of one source row into integers (value × 2048 scale), cached for the next output row.
  const horizontal = (y: number, out: Int32Array): void => {
    const row = y * w * 3;
    for (let x = 0; x < width; x++) {
      const a = xs.w0[x]!;
      const b = xs.w1[x]!;
      const s = row + xs.index[x]! * 3;
      const o = x * 3;
      if (b === 0) {
        out[o] = src[s]! * a;
        out[o + 1] = src[s + 1]! * a;
        out[o + 2] = src[s + 2]! * a;
      } else {
        out[o] = src[s]! * a + src[s + 3]! * b;
        out[o + 1] = src[s + 1]! * a + src[s + 4]! * b;
        out[o + 2] = src[s + 2]! * a + src[s + 5]! * b;
      }
    }
  };
  let rowA = new Int32Array(stride);
  let rowB = new Int32Array(stride);
  let haveA = -1;
  let haveB = -1;
  const out = new Uint8Array(height * stride);
  for (let d = 0; d < height; d++) {
    const sy = ys.index[d]!;
    const y0 = Math.min(Math.max(sy, 0), h - 1);
    const y1 = Math.min(Math.max(sy + 1, 0), h - 1);
    if (haveA !== y0) {
      if (haveB === y0) {
        [rowA, rowB] = [rowB, rowA];
        [haveA, haveB] = [haveB, haveA];
      } else {
        horizontal(y0, rowA);
        haveA = y0;
      }
    }
    if (haveB !== y1) {
      horizontal(y1, rowB);
      haveB = y1;
    }
    const b0 = ys.w0[d]!;
    const b1 = ys.w1[d]!;
    const o = d * stride;
    for (let i = 0; i < stride; i++) {
      // v_mul_hi on 16-bit lanes: ((row >> 4) · beta) >> 16, then a rounding shift by 2 and saturation.
      const v = ((((rowA[i]! >> 4) * b0) >> 16) + (((rowB[i]! >> 4) * b1) >> 16) + 2) >> 2;
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data: out };
}
