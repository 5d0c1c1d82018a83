// Image -> encoder input, SAM-style: resize the longest side to the model's
// input size, normalise with the manifest's mean/std (0-255 range), zero-pad
// bottom-right. The frame this defines (and the transform from image pixels
// into it) is in ../../modelFrame.ts.
import sharp from 'sharp';
import { makeFrame, type ModelFrame } from '../../modelFrame.js';

export interface PreprocessedImage {
  frame: ModelFrame;
  /** Float32 CHW, 3 x inputSize x inputSize. */
  tensor: Float32Array;
}

export interface NormaliseSpec {
  inputSize: number;
  pixelMean: readonly [number, number, number];
  pixelStd: readonly [number, number, number];
}

export async function preprocessImage(input: Buffer | string, spec: NormaliseSpec): Promise<PreprocessedImage> {
  const meta = await sharp(input).metadata();
  if (!meta.width || !meta.height) throw new Error('image has no size');
  // EXIF orientation is ignored on purpose: annotation coordinates refer to stored pixels.
  const frame = makeFrame(meta.width, meta.height, spec.inputSize);
  const { data } = await sharp(input)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(frame.resizedWidth, frame.resizedHeight, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { frame, tensor: normaliseHWC(data, frame, spec) };
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
