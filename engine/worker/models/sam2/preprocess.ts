// An image file -> a SAM 2 encoder input, as SAM2ImagePredictor builds it:
// the RGB values by the manifest's colour rule (as stored, like PIL: no
// colour-profile conversion; no EXIF rotation),
// 0-1 floats stretched to S x S with antialiased bilinear resampling, then
// the manifest's mean/std (given in 0-255, applied on 0-1). The resampling
// is the imaging module's (engine/worker/imaging/antialiasResize.ts).
import { sam2ImageTensor } from '../../imaging/antialiasResize.js';
import { decodePixels } from '../../imaging/decodePixels.js';
import type { Sam2Manifest } from './manifest.js';

type Rgb = readonly [number, number, number];
const per01 = (v: Rgb): [number, number, number] => [v[0] / 255, v[1] / 255, v[2] / 255];

export async function sam2InputTensor(path: string, pre: Sam2Manifest['preprocessing']): Promise<{ tensor: Float32Array; width: number; height: number }> {
  const rgb = await decodePixels(path, pre.colour);
  const tensor = sam2ImageTensor(rgb, pre.inputSize, per01(pre.pixelMean), per01(pre.pixelStd));
  return { tensor, width: rgb.width, height: rgb.height };
}
