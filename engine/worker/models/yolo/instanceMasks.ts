// An instance segmenter's mask for one detection, as Ultralytics computes
// it: logits = coefficients . prototypes (no sigmoid: > 0 is the threshold),
// the image's window of the prototype grid resized bilinearly (half-pixel,
// edge clamped, no antialias) to the image, kept only inside the final box
// (x0 <= column < x1, y0 <= row < y1), then > 0. Only the box is evaluated,
// so a detection on a 4000 px photo costs its box, not the photo.
import { range, sampleTable } from '../../bilinearTable.js';
import { emptyBinaryCrop, fromFullMask } from '../../binaryCrop.js';
import type { MaskCrop } from '../../candidateMasks.js';
import type { XYXY } from './geometry.js';
import { protoWindowOf } from './geometry.js';

/** output1 without its batch dimension: [maskDims, height, width]. */
export interface Prototypes {
  data: Float32Array;
  maskDims: number;
  width: number;
  height: number;
}

/** The mask of one detection (box in image pixels) over an image of width x height; empty when nothing is > 0. */
export function instanceMask(coefficients: Float32Array, protos: Prototypes, box: XYXY, width: number, height: number): MaskCrop {
  const { maskDims: k, width: mw, height: mh, data } = protos;
  if (coefficients.length !== k) throw new RangeError(`${coefficients.length} mask coefficients for ${k} prototypes`);
  const win = protoWindowOf(mw, mh, width, height);
  const ww = win.right - win.left;
  const wh = win.bottom - win.top;
  // Pixels kept by the box: columns c with x0 <= c < x1 (integers), likewise rows.
  const c0 = Math.max(0, Math.ceil(box[0]));
  const c1 = Math.min(width, Math.ceil(box[2]));
  const r0 = Math.max(0, Math.ceil(box[1]));
  const r1 = Math.min(height, Math.ceil(box[3]));
  const bw = c1 - c0;
  const bh = r1 - r0;
  if (bw <= 0 || bh <= 0 || ww <= 0 || wh <= 0) return emptyBinaryCrop();
  const cols = sampleTable(range(c0, bw), ww / width, ww);
  const rows = sampleTable(range(r0, bh), wh / height, wh);
  // Logits on the window cells these pixels read (a rectangle of the prototype grid).
  const gx0 = cols.i0[0]!;
  const gx1 = cols.i1[bw - 1]!;
  const gy0 = rows.i0[0]!;
  const gy1 = rows.i1[bh - 1]!;
  const gw = gx1 - gx0 + 1;
  const gh = gy1 - gy0 + 1;
  const logits = new Float32Array(gw * gh);
  const plane = mw * mh;
  for (let y = 0; y < gh; y++) {
    const rowStart = (win.top + gy0 + y) * mw + win.left + gx0;
    for (let x = 0; x < gw; x++) {
      let sum = 0;
      for (let m = 0; m < k; m++) sum += coefficients[m]! * data[m * plane + rowStart + x]!;
      logits[y * gw + x] = sum;
    }
  }
  const pixels = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const top = (rows.i0[y]! - gy0) * gw;
    const bottom = (rows.i1[y]! - gy0) * gw;
    const fy = rows.f[y]!;
    for (let x = 0; x < bw; x++) {
      const a = cols.i0[x]! - gx0;
      const b = cols.i1[x]! - gx0;
      const fx = cols.f[x]!;
      const t = logits[top + a]! * (1 - fx) + logits[top + b]! * fx;
      const u = logits[bottom + a]! * (1 - fx) + logits[bottom + b]! * fx;
      if (t * (1 - fy) + u * fy > 0) pixels[y * bw + x] = 1;
    }
  }
  return fromFullMask(pixels, bw, bh, { x: c0, y: r0 });
}
