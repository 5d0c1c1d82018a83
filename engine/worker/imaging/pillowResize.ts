// Pillow's bilinear resize, reproduced byte for byte: Segment Anything's
// ResizeLongestSide resizes with torchvision's `resize` on a PIL image, i.e.
// `Image.resize(size, BILINEAR)`, and a SAM encoder only sees the image its
// authors saw if the pixels match. sharp's 'linear' kernel differs in two
// ways: it samples at i·W/w − 0.5 instead of (i + 0.5)·W/w − 0.5 (half a
// pixel off when enlarging) and it does not widen the filter when shrinking.
// Written from the algorithm of Pillow's src/libImaging/Resample.c
// (precompute_coeffs, normalize_coeffs_8bpc, the 8bpc passes); no code copied.
import { assertRgbImage, type RgbImage } from '../rgbImage.js';

/** Pillow's PRECISION_BITS for 8-bit images: 32 − 8 − 2. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** One axis: per output index the first source index, how many taps, and their fixed-point weights. */
interface AxisCoefficients {
  /** Taps per output index in `weights` (the widest filter; unused taps are 0). */
  taps: number;
  first: Int32Array;
  count: Int32Array;
  weights: Int32Array;
}

/** The triangle filter of support 1 (Pillow's bilinear_filter). */
function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/**
 * Pillow's coefficients for resizing `inSize` pixels to `outSize`: output
 * pixel i is centred on source coordinate (i + 0.5)·scale, and the triangle
 * is stretched by max(1, scale) so that shrinking averages every source
 * pixel it covers (antialiasing). Weights are normalised in doubles, then
 * rounded to 22-bit fixed point half away from zero.
 */
function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  // Pillow keeps the crop box in C floats; whole-image sizes are exact in them.
  const scale = Math.fround(inSize) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    // C's (int) truncates toward zero.
    const xmin = Math.max(0, Math.trunc(centre - support + 0.5));
    const n = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < n; x++) {
      const w = triangle((x + xmin - centre + 0.5) * inverse);
      k[x] = w;
      total += w;
    }
    for (let x = 0; x < n; x++) {
      const w = total !== 0 ? k[x]! / total : k[x]!;
      weights[i * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    first[i] = xmin;
    count[i] = n;
  }
  return { taps, first, count, weights };
}

/** Pillow's clip8 after the fixed-point sum: the top bits, clamped to 0..255. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * `image` resized to width × height exactly as Pillow's
 * `Image.resize((width, height), Image.BILINEAR)` (Pillow ≥ 4, whose
 * resampling is the one described above; reducing_gap unset): a horizontal
 * pass over the source rows the vertical pass needs, rounded to uint8, then
 * a vertical pass. Returns a copy when the size does not change, as Pillow.
 */
export function pillowBilinearResize(image: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`cannot resize to ${width}×${height}`);
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };

  const vertical = axisCoefficients(image.height, height);
  // Only the source rows some output row reads go through the horizontal pass.
  const rowFirst = vertical.first[0]!;
  const rowEnd = vertical.first[height - 1]! + vertical.count[height - 1]!;

  let rows: Uint8Array;
  let rowsWidth: number;
  let rowOffset: number;
  if (width !== image.width) {
    rows = horizontalPass(image, width, rowFirst, rowEnd);
    rowsWidth = width;
    rowOffset = rowFirst;
  } else {
    rows = image.data;
    rowsWidth = image.width;
    rowOffset = 0;
  }
  if (height === image.height && rowFirst === 0 && rowEnd === image.height) return { width, height, data: rows };
  return { width, height, data: verticalPass(rows, rowsWidth, rowOffset, vertical, height) };
}

function horizontalPass(image: RgbImage, width: number, rowFirst: number, rowEnd: number): Uint8Array {
  const { taps, first, count, weights } = axisCoefficients(image.width, width);
  const src = image.data;
  const out = new Uint8Array((rowEnd - rowFirst) * width * 3);
  const rowBytes = image.width * 3;
  let o = 0;
  for (let y = rowFirst; y < rowEnd; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      let k = x * taps;
      const end = k + count[x]!;
      let s = row + first[x]! * 3;
      // Products and sums stay below 2^31 (weights sum to ~2^22, values to 255): int32 arithmetic throughout.
      for (; k < end; k++, s += 3) {
        const w = weights[k]!;
        r = (r + Math.imul(src[s]!, w)) | 0;
        g = (g + Math.imul(src[s + 1]!, w)) | 0;
        b = (b + Math.imul(src[s + 2]!, w)) | 0;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return out;
}

function verticalPass(rows: Uint8Array, width: number, rowOffset: number, coefficients: AxisCoefficients, height: number): Uint8Array {
  const { taps, first, count, weights } = coefficients;
  const stride = width * 3;
  const out = new Uint8Array(height * stride);
  const acc = new Int32Array(stride);
  for (let y = 0; y < height; y++) {
    acc.fill(HALF);
    const n = count[y]!;
    const row0 = first[y]! - rowOffset;
    for (let t = 0; t < n; t++) {
      const w = weights[y * taps + t]!;
      if (w === 0) continue;
      const s = (row0 + t) * stride;
      for (let i = 0; i < stride; i++) acc[i]! += rows[s + i]! * w;
    }
    const o = y * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i]!);
  }
  return out;
}
