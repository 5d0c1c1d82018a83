// An image file -> a YOLO input, as Ultralytics' predictor builds it for an
// ONNX model: the RGB values by the manifest's colour rule (as stored, like
// cv2, which ignores colour profiles; no EXIF
// rotation), letterboxed into S x S (OpenCV INTER_LINEAR, grey padding, the
// imaging module's letterbox.ts), divided by the manifest's divisor (255),
// CHW. No mean or std.
import { decodePixels } from '../../imaging/decodePixels.js';
import { letterboxImage } from '../../imaging/letterbox.js';
import type { DetectorManifest } from './manifest.js';

export async function yoloInputTensor(path: string, pre: DetectorManifest['preprocessing']): Promise<{ tensor: Float32Array; width: number; height: number }> {
  const rgb = await decodePixels(path, pre.colour);
  const s = pre.inputSize;
  const boxed = letterboxImage(rgb, s, pre.padValue).image.data;
  const plane = s * s;
  const tensor = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    tensor[p] = boxed[p * 3]! / pre.pixelDivisor;
    tensor[plane + p] = boxed[p * 3 + 1]! / pre.pixelDivisor;
    tensor[2 * plane + p] = boxed[p * 3 + 2]! / pre.pixelDivisor;
  }
  return { tensor, width: rgb.width, height: rgb.height };
}
