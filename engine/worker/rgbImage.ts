// Plain 8-bit RGB images for the providers that work on pixels (classical
// tools, the foreground model): decoded once with sharp, cropped and resized
// here in TypeScript so OpenCV and the model only ever see the pixels they
// work on.
import sharp from 'sharp';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major, no padding. */
  data: Uint8Array;
}

/** A decoded image, with the size of the file it came from (larger when `maxSide` shrank it). */
export interface DecodedRgb extends RgbImage {
  sourceWidth: number;
  sourceHeight: number;
}

/** x, y in image pixels (a point at x, y lies in the pixel floor(x), floor(y)). */
export type ImagePoint = readonly [number, number];

/** Integer pixel rectangle, top-left origin. */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** x0, y0, x1, y1 in image pixels, as prompts carry boxes. */
export type Corners = readonly [number, number, number, number];

/**
 * Corners as whole pixels inside the image (every pixel the box touches).
 * Throws RangeError for bad numbers, a box outside the image, or one
 * covering less than 2 × 2 pixels of it.
 */
export function cornersInImage(corners: Corners, image: RgbImage, what: string): PixelRect {
  const [x0, y0, x1, y1] = corners;
  if (![x0, y0, x1, y1].every(Number.isFinite) || x1 <= x0 || y1 <= y0) {
    throw new RangeError(`a ${what} needs finite x0 < x1 and y0 < y1, got [${corners.join(', ')}]`);
  }
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const right = Math.min(image.width, Math.ceil(x1));
  const bottom = Math.min(image.height, Math.ceil(y1));
  if (right <= left || bottom <= top)
    throw new RangeError(`the ${what} [${corners.join(', ')}] lies outside the ${image.width}×${image.height} image`);
  if (right - left < 2 || bottom - top < 2)
    throw new RangeError(`the ${what} [${corners.join(', ')}] covers less than 2×2 pixels of the image`);
  return { x: left, y: top, w: right - left, h: bottom - top };
}

export function assertRgbImage(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`an RGB image needs a positive integer size, got ${width}×${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(`an RGB image of ${width}×${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
}

/**
 * Decodes a file (or an encoded buffer) to 8-bit sRGB without alpha. With
 * `maxSide`, images larger than that are shrunk (never enlarged) so their
 * longest side is `maxSide`. EXIF orientation is ignored, as everywhere in
 * the app: annotation coordinates refer to the stored pixels.
 */
export async function decodeRgb(input: string | Buffer, maxSide?: number): Promise<DecodedRgb> {
  if (maxSide !== undefined && (!Number.isInteger(maxSide) || maxSide < 1)) {
    throw new RangeError(`maxSide must be a positive integer, got ${maxSide}`);
  }
  const meta = await sharp(input).metadata();
  if (!meta.width || !meta.height) throw new Error('the image has no size');
  let pipeline = sharp(input).removeAlpha().toColourspace('srgb');
  if (maxSide !== undefined && Math.max(meta.width, meta.height) > maxSide) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    sourceWidth: meta.width,
    sourceHeight: meta.height,
  };
}

/** A copy of `rect` (integer pixels, inside the image). */
export function cropRgb(image: RgbImage, rect: PixelRect): RgbImage {
  assertRgbImage(image);
  const { x, y, w, h } = rect;
  if (![x, y, w, h].every(Number.isInteger) || w < 1 || h < 1 || x < 0 || y < 0 || x + w > image.width || y + h > image.height) {
    throw new RangeError(`crop ${x},${y} ${w}×${h} is not an integer rectangle inside the ${image.width}×${image.height} image`);
  }
  const data = new Uint8Array(w * h * 3);
  const rowBytes = w * 3;
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + rowBytes), row * rowBytes);
  }
  return { width: w, height: h, data };
}

/** The image resampled to width × height: area averaging when shrinking, bilinear when enlarging. */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(image);
  if (width === image.width && height === image.height) return { width, height, data: image.data.slice() };
  const resampled = resampleChannels(image.data, image.width, image.height, 3, width, height);
  const data = new Uint8Array(resampled.length);
  for (let i = 0; i < resampled.length; i++) data[i] = Math.round(resampled[i]!); // Uint8Array clamps
  return { width, height, data };
}

/** Per output index along one axis: which source indices contribute and how much. */
interface AxisTaps {
  taps: number;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Shrinking averages the source cells each output cell covers (exact area
 * weights, so thin structures fade rather than vanish or alias); enlarging
 * interpolates linearly between pixel centres (align_corners = false).
 */
function axisTaps(source: number, target: number): AxisTaps {
  const scale = source / target;
  if (scale >= 1) {
    const taps = Math.ceil(scale) + 1;
    const index = new Int32Array(target * taps);
    const weight = new Float32Array(target * taps);
    for (let o = 0; o < target; o++) {
      const from = o * scale;
      const to = Math.min(source, (o + 1) * scale);
      let k = 0;
      for (let i = Math.floor(from); i < to && k < taps; i++, k++) {
        index[o * taps + k] = i;
        weight[o * taps + k] = (Math.min(i + 1, to) - Math.max(i, from)) / scale;
      }
    }
    return { taps, index, weight };
  }
  const index = new Int32Array(target * 2);
  const weight = new Float32Array(target * 2);
  for (let o = 0; o < target; o++) {
    const centre = Math.min(source - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const i0 = Math.floor(centre);
    const f = centre - i0;
    index[o * 2] = i0;
    index[o * 2 + 1] = Math.min(i0 + 1, source - 1);
    weight[o * 2] = 1 - f;
    weight[o * 2 + 1] = f;
  }
  return { taps: 2, index, weight };
}

/**
 * Separable resampling of interleaved channels (rows first, then columns),
 * in floats: RGB images and 0/1 masks (thresholded afterwards) share it.
 */
export function resampleChannels(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  targetWidth: number,
  targetHeight: number,
): Float32Array {
  if (!Number.isInteger(targetWidth) || !Number.isInteger(targetHeight) || targetWidth < 1 || targetHeight < 1) {
    throw new RangeError(`cannot resample to ${targetWidth}×${targetHeight}`);
  }
  if (data.length !== width * height * channels) throw new RangeError('resample: data does not match its size');
  const cols = axisTaps(width, targetWidth);
  const rows = axisTaps(height, targetHeight);
  const horizontal = new Float32Array(height * targetWidth * channels);
  for (let y = 0; y < height; y++) {
    const srcRow = y * width * channels;
    const dstRow = y * targetWidth * channels;
    for (let x = 0; x < targetWidth; x++) {
      for (let k = 0; k < cols.taps; k++) {
        const w = cols.weight[x * cols.taps + k]!;
        if (w === 0) continue;
        const src = srcRow + cols.index[x * cols.taps + k]! * channels;
        for (let c = 0; c < channels; c++) horizontal[dstRow + x * channels + c]! += data[src + c]! * w;
      }
    }
  }
  const out = new Float32Array(targetHeight * targetWidth * channels);
  const rowLength = targetWidth * channels;
  for (let y = 0; y < targetHeight; y++) {
    const dst = y * rowLength;
    for (let k = 0; k < rows.taps; k++) {
      const w = rows.weight[y * rows.taps + k]!;
      if (w === 0) continue;
      const src = rows.index[y * rows.taps + k]! * rowLength;
      for (let i = 0; i < rowLength; i++) out[dst + i]! += horizontal[src + i]! * w;
    }
  }
  return out;
}

/** Separable box blur (edges clamped): flattens fine texture so region tools see surfaces, not stripes. */
export function boxBlurRgb(image: RgbImage, radius: number): RgbImage {
  assertRgbImage(image);
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`blur radius must be a whole number >= 0, got ${radius}`);
  if (radius === 0) return image;
  const { width, height } = image;
  const pass = (source: Uint8Array, horizontal: boolean): Uint8Array => {
    const out = new Uint8Array(source.length);
    const lines = horizontal ? height : width;
    const length = horizontal ? width : height;
    const at = (line: number, i: number) => (horizontal ? line * width + i : i * width + line) * 3;
    const window = 2 * radius + 1;
    for (let line = 0; line < lines; line++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let i = -radius; i <= radius; i++) sum += source[at(line, Math.min(length - 1, Math.max(0, i))) + c]!;
        for (let i = 0; i < length; i++) {
          out[at(line, i) + c] = Math.round(sum / window);
          sum += source[at(line, Math.min(length - 1, i + radius + 1)) + c]! - source[at(line, Math.max(0, i - radius)) + c]!;
        }
      }
    }
    return out;
  };
  return { width, height, data: pass(pass(image.data, true), false) };
}
