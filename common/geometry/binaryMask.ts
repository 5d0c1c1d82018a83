// Binary masks as plain arrays (no RLE here): helpers the segmenter and the
// tests share.
export interface BinaryMask {
  width: number;
  height: number;
  /** 1 inside, 0 outside, row-major. */
  data: Uint8Array;
}

export function thresholdLogits(logits: Float32Array, offset: number, width: number, height: number, threshold: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (logits[offset + i] ?? -Infinity) > threshold ? 1 : 0;
  return { width, height, data };
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

export function maskArea(m: BinaryMask): number {
  let n = 0;
  for (const v of m.data) n += v;
  return n;
}
