// "Segment everything": a grid of single positive clicks (SAM's automatic
// mask generator), each decoder candidate kept if confident, sharp and big
// enough, then duplicates removed greedily by mask IoU on the low-res masks.
// The segmenter's own (it runs the decoder through ModelRuntime); a kind
// without a decoder answers "everything" in its own provider.
import { AppError } from '../../../../common/contract/index.js';
import { type BinaryMask,maskIoU } from '../../../../common/geometry/binaryMask.js';
import type { EverythingParams } from '../../../protocol.js';
import { lowResBinary, stabilityScore, validLowResExtent } from '../../candidateMasks.js';
import type { CachedFeatures } from '../../featureCache.js';
import type { ModelRuntime } from './modelRuntime.js';
import type { DecodedMask } from './segmenter.js';

/** Below this stability a proposal is a blur between objects, not an object. */
const MIN_STABILITY = 0.8;
/** Enough for any scene; more would only flood the candidate list. */
const MAX_PROPOSALS = 200;

/** A decoder mask kept as a proposal, with its stability score. */
export interface Proposal extends DecodedMask {
  stability: number;
}

export async function proposeEverything(
  runtime: ModelRuntime,
  features: CachedFeatures,
  params: EverythingParams,
  progress: (done: number, total: number) => void,
  checkpoint?: () => Promise<void>,
): Promise<Proposal[]> {
  const { frame } = features;
  const n = params.pointsPerSide;
  const found: { proposal: Proposal; bits: BinaryMask; area: number }[] = [];
  const valid = validLowResExtent(runtime.segmenter.manifest.preprocessing.lowResMaskSize, frame);
  const validCells = valid.width * valid.height;
  if (validCells === 0) throw new AppError('invalid_file', 'The image has no pixels in the model frame.');
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const x = ((col + 0.5) / n) * frame.origWidth;
      const y = ((row + 0.5) / n) * frame.origHeight;
      await checkpoint?.();
      const { candidates: decoded } = await runtime.decode(features, { clicks: [{ x, y, positive: true }] });
      for (const candidate of decoded) {
        if (candidate.score < params.minScore) continue;
        const stability = stabilityScore(candidate.low, frame);
        if (stability < MIN_STABILITY) continue;
        const bits: BinaryMask = { width: candidate.low.size, height: candidate.low.size, data: lowResBinary(candidate.low, frame) };
        let area = 0;
        for (const b of bits.data) area += b;
        if (area === 0 || area < params.minAreaFraction * validCells) continue;
        found.push({ proposal: { ...candidate, stability }, bits, area });
      }
    }
    progress(row + 1, n);
  }
  if (found.length === 0) return [];
  found.sort((a, b) => b.proposal.score * b.proposal.stability - a.proposal.score * a.proposal.stability);
  const kept: typeof found = [];
  for (const item of found) {
    if (kept.length >= MAX_PROPOSALS) break;
    if (kept.every((k) => maskIoU(k.bits, item.bits) <= params.nmsIoU)) kept.push(item);
  }
  return kept.map((k) => k.proposal);
}
