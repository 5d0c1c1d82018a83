// A binary mask as a plain row-major array, the one shape both sides use
// (the renderer's tools, the engine, the tests and evaluation scripts), and
// mask IoU over it. COCO RLE is in rle.ts.
export interface BinaryMask {
  width: number;
  height: number;
  /** 1 inside, 0 outside, row-major. */
  data: Uint8Array;
}

export function maskIoU(a: BinaryMask, b: BinaryMask): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('mask sizes differ');
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] ?? 0;
    const y = b.data[i] ?? 0;
    inter += x & y;
    union += x | y;
  }
  return union === 0 ? 1 : inter / union;
}
