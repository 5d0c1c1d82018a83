// Image -> encoder input, SAM-style: resize the longest side to the model's
// input size, normalise with the manifest's mean/std (0-255 range), zero-pad
// bottom-right. Also the transform from image pixels to the model frame
// that point/box prompts must use.
import sharp from 'sharp';

export interface ModelFrame {
  origWidth: number;
  origHeight: number;
  /** Size of the resized, unpadded image inside the input square. */
  resizedWidth: number;
  resizedHeight: number;
  inputSize: number;
}

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

/** SAM's ResizeLongestSide.get_preprocess_shape. */
export function resizedSize(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

export function makeFrame(width: number, height: number, inputSize: number): ModelFrame {
  const r = resizedSize(width, height, inputSize);
  return { origWidth: width, origHeight: height, resizedWidth: r.width, resizedHeight: r.height, inputSize };
}

/** Image pixel coordinates -> model-frame coordinates (what point_coords expects). */
export function toModelFrame(frame: ModelFrame, x: number, y: number): [number, number] {
  return [(x * frame.resizedWidth) / frame.origWidth, (y * frame.resizedHeight) / frame.origHeight];
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
