// Ultralytics YOLO's input: LetterBox(new_shape=(S, S), auto=False,
// scaleup=True, center=True) as its predictor applies it to an ONNX model,
// then the /255 float tensor. The image keeps its aspect, scaled by
// r = min(S/H, S/W) to round(W·r) × round(H·r) (Python's round: halves to
// even) with OpenCV's INTER_LINEAR, and sits centred on a grey (114) square;
// an odd padding pixel goes right/bottom (round(d − 0.1), round(d + 0.1)).
// The rule was learnt from ultralytics/data/augment.py (AGPL-3.0); no code
// copied. The geometry's field names match engine/worker/models/yolo's
// Letterbox, so either can describe the same placement.
import { assertRgbImage, type RgbImage } from '../rgbImage.js';
import { opencvLinearResize } from './opencvResize.js';

/** Ultralytics' padding value. */
export const LETTERBOX_FILL = 114;

/** Where the image sits in the S × S input. */
export interface LetterboxPlacement {
  /** S, the side of the square input. */
  size: number;
  /** r = min(S/H, S/W). */
  gain: number;
  /** The resized image's size, round(W·r) × round(H·r). */
  newWidth: number;
  newHeight: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Python's round() on a double: to nearest, halves to even. */
function pythonRound(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** LetterBox's arithmetic for a width × height image and an S × S input. */
export function letterboxPlacement(width: number, height: number, size: number): LetterboxPlacement {
  if (![width, height, size].every((v) => Number.isInteger(v) && v > 0))
    throw new RangeError(`cannot letterbox ${width}×${height} into ${size}×${size}`);
  const gain = Math.min(size / height, size / width);
  const newWidth = pythonRound(width * gain);
  const newHeight = pythonRound(height * gain);
  const dw = (size - newWidth) / 2;
  const dh = (size - newHeight) / 2;
  return {
    size,
    gain,
    newWidth,
    newHeight,
    top: pythonRound(dh - 0.1),
    bottom: pythonRound(dh + 0.1),
    left: pythonRound(dw - 0.1),
    right: pythonRound(dw + 0.1),
  };
}

/** The letterboxed S × S RGB image (uint8) and where the picture sits in it. */
export function letterboxImage(image: RgbImage, size: number, fill = LETTERBOX_FILL): { image: RgbImage; placement: LetterboxPlacement } {
  assertRgbImage(image);
  const placement = letterboxPlacement(image.width, image.height, size);
  const { newWidth, newHeight, top, left } = placement;
  const resized = newWidth === image.width && newHeight === image.height ? image : opencvLinearResize(image, newWidth, newHeight);
  const data = new Uint8Array(size * size * 3).fill(fill);
  const rowBytes = newWidth * 3;
  for (let y = 0; y < newHeight; y++) {
    const from = y * rowBytes;
    data.set(resized.data.subarray(from, from + rowBytes), ((top + y) * size + left) * 3);
  }
  return { image: { width: size, height: size, data }, placement };
}

/**
 * The detector's input, as Ultralytics' predictor builds it for an ONNX
 * model: the letterboxed image as float32 CHW RGB in 0–1 (value / 255),
 * 3 × S × S, no mean or std.
 */
export function letterboxTensor(image: RgbImage, size: number): { tensor: Float32Array; placement: LetterboxPlacement } {
  const boxed = letterboxImage(image, size);
  const plane = size * size;
  const tensor = new Float32Array(3 * plane);
  const src = boxed.image.data;
  for (let p = 0; p < plane; p++) {
    tensor[p] = src[p * 3]! / 255;
    tensor[plane + p] = src[p * 3 + 1]! / 255;
    tensor[2 * plane + p] = src[p * 3 + 2]! / 255;
  }
  return { tensor, placement: boxed.placement };
}
