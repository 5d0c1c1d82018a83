// A candidate whose mask is already decided (classical tools, the foreground
// model): kept at full resolution, shrunk only for display.
import { resizeMask } from './binaryCrop.js';
import type { MaskCrop } from './candidateMasks.js';
import type { CandidateMask } from './maskProvider.js';

export class FixedMask implements CandidateMask {
  constructor(private readonly full: MaskCrop) {
    if (full.scale !== 1) throw new Error('FixedMask keeps a full-resolution crop');
  }

  get bytes(): number {
    return this.full.pixels.byteLength;
  }

  crop(maxSide = Infinity): MaskCrop {
    const f = this.full;
    const longest = Math.max(f.cropWidth, f.cropHeight);
    if (f.area === 0 || longest <= maxSide) return f;
    const scale = maxSide / longest;
    const cropWidth = Math.max(1, Math.round(f.cropWidth * scale));
    const cropHeight = Math.max(1, Math.round(f.cropHeight * scale));
    const pixels = resizeMask(f.pixels, f.cropWidth, f.cropHeight, cropWidth, cropHeight, 'nearest');
    return { box: f.box, pixels, cropWidth, cropHeight, scale: cropWidth / f.cropWidth, area: f.area };
  }
}
