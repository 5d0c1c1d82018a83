// What the proposal sources of an auto-label job produce inside the worker,
// before masks become RLE for the wire.
import type { MaskCrop } from '../candidateMasks.js';

/** One proposed region: a full-resolution mask, the label it proposes, and how sure the source is (0..1). */
export interface ScoredMask {
  crop: MaskCrop;
  labelId: string | null;
  score: number;
}
