// SAM 2 decoder outputs -> candidates. samexporter's 256 x 256 logits cover
// the whole stretched image, and SAM2ImagePredictor upsamples them straight
// to H x W (bilinear, half-pixel) before `> 0`: that is CandidateLogits over
// a frame whose input square is the low-res grid itself (its first stage is
// then the identity), evaluated only where the object is. ibaiGorordo-style
// decoders return H x W logits already: thresholded once, kept as a crop.
// The preselected candidate is the one with the highest predicted IoU: SAM 2's
// rule for its three multimask outputs (see SAM2_SELECTION_RULE).
import { fromFullMask } from '../../binaryCrop.js';
import { CandidateLogits, lowResBinary, type LowResLogits,stabilityScore } from '../../candidateMasks.js';
import { FixedMask } from '../../fixedMask.js';
import type { ProviderCandidate } from '../../maskProvider.js';
import type { ModelFrame } from '../../modelFrame.js';
import type { Sam2Decoded } from './sam2Model.js';

/**
 * SAM2ImagePredictor.predict(multimask_output=True) returns the three
 * candidates unsorted with their predicted IoU and leaves the choice to the
 * caller (its examples take the highest); with multimask_output=False the
 * decoder keeps its single-mask token only when that mask is stable
 * (stability >= 0.98 at logits ±0.05) and otherwise falls back to the
 * multimask candidate with the highest predicted IoU. The exported decoders
 * carry only the three multimask outputs, so the highest predicted IoU it is.
 */
export const SAM2_SELECTION_RULE = "highest predicted IoU of SAM 2's three candidates (SAM2ImagePredictor's rule)";

/** The frame in which 256² logits are upsampled straight to the image (CandidateLogits' first stage is then the identity). */
export function lowResFrame(width: number, height: number, lowResSize: number): ModelFrame {
  return { origWidth: width, origHeight: height, resizedWidth: lowResSize, resizedHeight: lowResSize, inputSize: lowResSize };
}

/** Index of the highest score; the first one on ties. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}

/** A candidate and, for segment-everything, its binary mask on a grid of at most lowResSize². */
export interface Sam2Candidate {
  candidate: ProviderCandidate;
  /** Binary mask on a coarse grid (the low-res logits, or the full-res mask sampled down), for duplicate removal. */
  bits: () => { data: Uint8Array; width: number; height: number };
}

/** `lowRes`: the decoder gives lowResSize² logits over the stretched image (samexporter); else H x W logits. */
export function sam2Candidates(decoded: Sam2Decoded, width: number, height: number, lowResSize: number, threshold: number, lowRes: boolean): Sam2Candidate[] {
  const out: Sam2Candidate[] = [];
  const plane = decoded.maskWidth * decoded.maskHeight;
  for (let i = 0; i < decoded.count; i++) {
    const logits = decoded.masks.slice(i * plane, (i + 1) * plane);
    const score = decoded.scores[i]!;
    if (lowRes) {
      // CandidateLogits thresholds at 0, SAM 2's mask_threshold.
      const low: LowResLogits = { data: logits, size: lowResSize };
      const frame = lowResFrame(width, height, lowResSize);
      out.push({
        candidate: { mask: new CandidateLogits(low, frame), score, stability: stabilityScore(low, frame), classEmbedding: null, memory: logits },
        bits: () => ({ data: lowResBinary(low, frame), width: lowResSize, height: lowResSize }),
      });
      continue;
    }
    // Full-resolution logits (ibaiGorordo-style): no low-res memory to feed back.
    const pixels = new Uint8Array(plane);
    let inner = 0;
    let outer = 0;
    for (let p = 0; p < plane; p++) {
      const v = logits[p]!;
      if (v > threshold) pixels[p] = 1;
      if (v > 1) inner++;
      if (v > -1) outer++;
    }
    const crop = fromFullMask(pixels, decoded.maskWidth, decoded.maskHeight);
    out.push({
      candidate: { mask: new FixedMask(crop), score, stability: outer === 0 ? 0 : inner / outer, classEmbedding: null },
      bits: () => sampledBits(pixels, decoded.maskWidth, decoded.maskHeight, lowResSize),
    });
  }
  return out;
}

/** A full-resolution mask sampled (nearest) onto a grid of at most side², for comparing proposals cheaply. */
function sampledBits(pixels: Uint8Array, width: number, height: number, side: number): { data: Uint8Array; width: number; height: number } {
  const w = Math.min(width, side);
  const h = Math.min(height, side);
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / h));
    for (let x = 0; x < w; x++) data[y * w + x] = pixels[sy * width + Math.min(width - 1, Math.floor(((x + 0.5) * width) / w))]!;
  }
  return { data, width: w, height: h };
}
