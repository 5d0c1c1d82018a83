// PyTorch's bilinear sampling (align_corners = false, clamped like
// F.interpolate) as tables: per output index the two source indices and the
// weight of the second. Precomputed per axis so per-pixel loops allocate nothing.
export interface SampleTable {
  i0: Int32Array;
  i1: Int32Array;
  f: Float32Array;
}

/** Tables for arbitrary output coordinates (pixel centres at integers), `scale` = source px per output px. */
export function sampleTable(outputs: Float64Array, scale: number, size: number): SampleTable {
  const n = outputs.length;
  const table = { i0: new Int32Array(n), i1: new Int32Array(n), f: new Float32Array(n) };
  for (let k = 0; k < n; k++) {
    let src = (outputs[k]! + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), size - 1);
    table.i0[k] = i0;
    table.i1[k] = Math.min(i0 + 1, size - 1);
    table.f[k] = src - i0;
  }
  return table;
}

/** `count` evenly spaced coordinates: from + (k + offset) * step. */
export const range = (from: number, count: number, step = 1, offset = 0): Float64Array =>
  Float64Array.from({ length: count }, (_, k) => from + (k + offset) * step);

/** The table for resizing a whole axis of `inSize` pixels to `outSize`. */
export const resizeTable = (outSize: number, inSize: number): SampleTable => sampleTable(range(0, outSize), inSize / outSize, inSize);
