// COCO run-length encoding, byte-compatible with pycocotools (maskApi.c).
// Masks in memory are row-major h×w Uint8Arrays (non-zero = inside); COCO runs
// are column-major and always start with a (possibly empty) run of zeros.

/** Uncompressed COCO RLE: run lengths, alternating 0s and 1s, starting with 0s. */
export interface RleCounts {
  h: number;
  w: number;
  counts: number[];
}

/** [x, y, width, height] in pixels, COCO order. */
export type BboxXywh = [number, number, number, number];

/** Row-major mask → column-major run lengths (the inverse of decodeCounts). */
export function encodeCounts(mask: Uint8Array, h: number, w: number): number[] {
  if (mask.length !== h * w) throw new Error(`mask has ${mask.length} pixels, expected ${h}×${w}`);
  const counts: number[] = [];
  let current = 0; // value of the run in progress
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0, i = x; y < h; y++, i += w) {
      const value = mask[i] !== 0 ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        run = 0;
        current = value;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** Column-major run lengths → row-major mask (1 = inside). Assumes validated counts. */
export function decodeCounts(counts: readonly number[], h: number, w: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  let position = 0; // column-major pixel index
  for (let j = 0; j < counts.length; j++) {
    const run = counts[j] ?? 0;
    if (j % 2 === 1) {
      for (let k = position; k < position + run; k++) {
        const x = Math.floor(k / h);
        mask[(k - x * h) * w + x] = 1;
      }
    }
    position += run;
  }
  return mask;
}

/** pycocotools rleToString: 5 bits per char + 48, counts[i] stored as a delta to counts[i-2] for i > 2. */
export function countsToString(counts: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i] ?? 0;
    if (i > 2) x -= counts[i - 2] ?? 0;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x = Math.floor(x / 32); // arithmetic shift without 32-bit overflow
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  // Chunked so huge masks do not overflow the argument limit of fromCharCode.
  let out = '';
  for (let i = 0; i < chars.length; i += 8192) out += String.fromCharCode(...chars.slice(i, i + 8192));
  return out;
}

/** Thrown for a malformed compressed string; callers turn it into their own error type. */
export class RleFormatError extends Error {}

/** pycocotools rleFrString, with validation (bad characters, truncated values, negative runs). */
export function stringToCounts(s: string): number[] {
  const counts: number[] = [];
  forEachRun(s, (run) => counts.push(run));
  return counts;
}

/**
 * Decodes the compressed string run by run without building an array (imports
 * and stores decode every mask, so this is the hot path). Throws RleFormatError.
 */
export function forEachRun(s: string, visit: (run: number, index: number) => void): void {
  let previous2 = 0; // counts[m-2]
  let previous1 = 0; // counts[m-1]
  let m = 0;
  let p = 0;
  const length = s.length;
  while (p < length) {
    let x = 0;
    let k = 0;
    let c: number;
    do {
      if (p >= length) throw new RleFormatError(`compressed counts end in the middle of a value (at character ${p})`);
      c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new RleFormatError(`invalid character ${JSON.stringify(s[p])} at position ${p}`);
      // Up to 6 chars (30 bits) fit integer bit operations; longer values use floats.
      x = k < 6 ? x | ((c & 0x1f) << (5 * k)) : x + (c & 0x1f) * 2 ** (5 * k);
      p++;
      k++;
      if (k > 10) throw new RleFormatError(`value too long at position ${p}`);
    } while (c & 0x20);
    if (c & 0x10) x = k < 6 ? x | (-1 << (5 * k)) : x - 2 ** (5 * k); // sign-extend
    if (m > 2) x += previous2;
    if (x < 0) throw new RleFormatError(`negative run length at run ${m}`);
    visit(x, m);
    previous2 = previous1;
    previous1 = x;
    m++;
  }
}

export interface CompressedSummary {
  /** Sum of all runs: must equal h*w for a valid mask. */
  total: number;
  area: number;
  bbox: BboxXywh;
}

/** Total, area and bbox of a compressed RLE in one pass (pycocotools rleArea/rleToBbox). Throws RleFormatError. */
export function summariseCompressed(s: string, h: number): CompressedSummary {
  const box = new BboxAccumulator(h);
  let position = 0;
  let area = 0;
  forEachRun(s, (run, index) => {
    if (index % 2 === 1 && run > 0) {
      area += run;
      box.addRun(position, run);
    }
    position += run;
  });
  return { total: position, area, bbox: box.result() };
}

/** Checks that runs are non-negative integers covering exactly h*w pixels; returns an error message or null. */
export function countsProblem(counts: readonly number[], h: number, w: number): string | null {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i] ?? -1;
    if (!Number.isInteger(run) || run < 0) return `run ${i} is not a non-negative integer`;
    sum += run;
  }
  if (sum !== h * w) return `run lengths add up to ${sum} but the mask has ${h}×${w} = ${h * w} pixels`;
  return null;
}

/** Number of foreground pixels. */
export function areaOfCounts(counts: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i] ?? 0;
  return area;
}

/** Tight bbox of the foreground, as pycocotools rleToBbox; [0,0,0,0] when empty. */
export function bboxOfCounts(counts: readonly number[], h: number): BboxXywh {
  const box = new BboxAccumulator(h);
  let position = 0;
  for (let j = 0; j < counts.length; j++) {
    const run = counts[j] ?? 0;
    if (j % 2 === 1 && run > 0) box.addRun(position, run);
    position += run;
  }
  return box.result();
}

/** Grows a bbox by foreground runs given as column-major (start, length). */
class BboxAccumulator {
  private xs = Infinity;
  private ys = Infinity;
  private xe = -Infinity;
  private ye = -Infinity;

  constructor(private readonly h: number) {}

  addRun(start: number, run: number): void {
    const end = start + run - 1;
    const x0 = Math.floor(start / this.h);
    const x1 = Math.floor(end / this.h);
    if (x0 < this.xs) this.xs = x0;
    if (x1 > this.xe) this.xe = x1;
    if (x0 !== x1) {
      this.ys = 0; // the run wraps a column, so it touches the top and the bottom row
      this.ye = this.h - 1;
    } else {
      this.ys = Math.min(this.ys, start - x0 * this.h);
      this.ye = Math.max(this.ye, end - x1 * this.h);
    }
  }

  result(): BboxXywh {
    if (this.xs === Infinity) return [0, 0, 0, 0];
    return [this.xs, this.ys, this.xe - this.xs + 1, this.ye - this.ys + 1];
  }
}

/** Union (or intersection) of masks of the same size, as pycocotools rleMerge. */
export function mergeCounts(all: readonly (readonly number[])[], h: number, w: number, intersect = false): number[] {
  if (all.length === 0) return [h * w];
  const merged = decodeCounts(all[0] ?? [], h, w);
  for (const counts of all.slice(1)) {
    const mask = decodeCounts(counts, h, w);
    for (let i = 0; i < merged.length; i++) merged[i] = intersect ? merged[i]! & mask[i]! : merged[i]! | mask[i]!;
  }
  return encodeCounts(merged, h, w);
}

/** Convenience: row-major mask → compressed COCO RLE. */
export function maskToRle(mask: Uint8Array, h: number, w: number): { size: [number, number]; counts: string } {
  return { size: [h, w], counts: countsToString(encodeCounts(mask, h, w)) };
}

/** Convenience: compressed COCO RLE → row-major mask (throws RleFormatError on bad data). */
export function rleToMask(rle: { size: readonly [number, number]; counts: string }): Uint8Array {
  const [h, w] = rle.size;
  const counts = stringToCounts(rle.counts);
  const problem = countsProblem(counts, h, w);
  if (problem) throw new RleFormatError(problem);
  return decodeCounts(counts, h, w);
}
