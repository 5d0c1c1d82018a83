// CVAT's own mask RLE (CVAT for images 1.1, <mask rle="…" left top width
// height>): run lengths over the mask's bounding box, row-major, alternating
// background and foreground and starting with background, written as numbers
// joined by ", " (CVAT's dumper: f"{list(...)}"[1:-1]; its importer walks
// offset → (y, x) = divmod(offset, width)).
import type { MaskPatch } from './shapes.js';

/** Runs → patch pixels; a problem is returned as text (run total ≠ width × height, a bad number). */
export function decodeCvatRle(rle: string, left: number, top: number, width: number, height: number): MaskPatch | string {
  const pixels = new Uint8Array(width * height);
  let offset = 0;
  let value = 0;
  const parts = rle.split(',');
  for (const part of parts) {
    const run = Number(part.trim());
    if (!Number.isInteger(run) || run < 0 || part.trim() === '') return `"${part.trim()}" is not a run length`;
    if (offset + run > pixels.length) return `the runs cover more than the ${width}×${height} = ${pixels.length} pixels of the mask`;
    if (value === 1) pixels.fill(1, offset, offset + run);
    offset += run;
    value ^= 1;
  }
  if (offset !== pixels.length) return `the runs cover ${offset} pixels, not the ${width}×${height} = ${pixels.length} of the mask`;
  return { left, top, width, height, pixels };
}

export function encodeCvatRle(pixels: Uint8Array): string {
  const runs: number[] = [];
  let value = 0;
  let run = 0;
  for (const pixel of pixels) {
    const v = pixel ? 1 : 0;
    if (v !== value) {
      runs.push(run);
      run = 0;
      value = v;
    }
    run++;
  }
  runs.push(run);
  return runs.join(', ');
}
