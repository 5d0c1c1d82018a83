// Image -> encoder input, SAM-style: resize the longest side to the model's
// input size, normalise with the manifest's mean/std (0-255 range), zero-pad
// bottom-right; or, for a raw-image encoder (manifest
// `preprocessing.encoderInput: 'raw-hwc'`), the resized image alone as
// float32 HWC 0-255, the graph doing the rest. How the pixels are read and resampled is the manifest's
// `preprocessing.colour` and `preprocessing.resize` (../../imaging/rules.ts):
// by default exactly as Segment Anything's reference code (PIL reading the
// stored values, ResizeLongestSide with Pillow's bilinear); the built-in
// model names sharp's linear kernel and sRGB, the rule it was measured with.
// The frame this defines (and the transform from image pixels into it) is in
// ../../modelFrame.ts.
import sharp from 'sharp';

import { decodePixels } from '../../imaging/decodePixels.js';
import { pillowBilinearResize } from '../../imaging/pillowResize.js';
import type { ColourRule } from '../../imaging/rules.js';
import { makeFrame, type ModelFrame } from '../../modelFrame.js';
import type { RgbImage } from '../../rgbImage.js';
import type { SegmenterEncoderInput, SegmenterResizeRule } from './manifest.js';

export interface PreprocessedImage {
  frame: ModelFrame;
  /**
   * The encoder input: normalised-nchw, float32 CHW 3 x inputSize x inputSize
   * (normalised, zero-padded); raw-hwc, float32 HWC resizedHeight x
   * resizedWidth x 3 with the resized image's 0-255 values.
   */
  tensor: Float32Array;
  /** The tensor's dimensions as the encoder takes them: [1, 3, S, S] or [h, w, 3]. */
  dims: number[];
}

export interface NormaliseSpec {
  inputSize: number;
  pixelMean: readonly [number, number, number];
  pixelStd: readonly [number, number, number];
}

/** A manifest's preprocessing, as far as the image goes. */
export interface PreprocessSpec extends NormaliseSpec {
  resize: SegmenterResizeRule;
  colour: ColourRule;
  /** Absent: normalised-nchw (the manifest's default). */
  encoderInput?: SegmenterEncoderInput;
}

export async function preprocessImage(input: Buffer | string, spec: PreprocessSpec): Promise<PreprocessedImage> {
  const { frame, image } = await resizedImage(input, spec);
  if (spec.encoderInput === 'raw-hwc') return { frame, tensor: rawHWC(image), dims: [image.height, image.width, 3] };
  const s = spec.inputSize;
  return { frame, tensor: normaliseHWC(image.data, frame, spec), dims: [1, 3, s, s] };
}

/** RGB uint8 HWC (resized) -> the same values as float32 HWC, for an encoder that normalises and pads inside its graph. */
export function rawHWC(image: RgbImage): Float32Array {
  if (image.data.length !== image.width * image.height * 3) throw new Error(`expected ${image.width} x ${image.height} x 3 RGB bytes, got ${image.data.length}`);
  return Float32Array.from(image.data);
}

/**
 * The image resized into the model frame (uint8 RGB, resizedWidth x
 * resizedHeight, before normalisation and padding). EXIF orientation is
 * ignored on purpose: annotation coordinates refer to stored pixels.
 */
export async function resizedImage(input: Buffer | string, spec: PreprocessSpec): Promise<{ frame: ModelFrame; image: RgbImage }> {
  if (spec.resize === 'pillow-bilinear') {
    const rgb = await decodePixels(input, spec.colour);
    const frame = makeFrame(rgb.width, rgb.height, spec.inputSize);
    return { frame, image: pillowBilinearResize(rgb, frame.resizedWidth, frame.resizedHeight) };
  }
  // 'sharp-linear': libvips resizes while decoding (its linear kernel samples at i·W/w − 0.5).
  const meta = await sharp(input).metadata();
  if (!meta.width || !meta.height) throw new Error('image has no size');
  const frame = makeFrame(meta.width, meta.height, spec.inputSize);
  const decoder = spec.colour === 'srgb' ? sharp(input).removeAlpha().toColourspace('srgb') : sharp(input).keepIccProfile().removeAlpha();
  const { data, info } = await decoder
    .resize(frame.resizedWidth, frame.resizedHeight, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { frame, image: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } };
}

/** RGB uint8 HWC (resized) -> normalised, zero-padded float32 CHW. */
export function normaliseHWC(rgb: Uint8Array, frame: ModelFrame, spec: NormaliseSpec): Float32Array {
  const s = spec.inputSize;
  const out = new Float32Array(3 * s * s); // zeros = padding after normalisation
  const w = frame.resizedWidth;
  for (let y = 0; y < frame.resizedHeight; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        out[c * s * s + y * s + x] = ((rgb[src + c] ?? 0) - spec.pixelMean[c]!) / spec.pixelStd[c]!;
      }
    }
  }
  return out;
}
