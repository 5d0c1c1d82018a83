// Scored full-resolution masks -> what the worker answers: image-sized RLE,
// a simplified outline for display and editing, box and area.
import type { AutolabelProposal } from '../../protocol.js';
import { cropPolygons, fullImageRle } from '../candidateMasks.js';
import type { ScoredMask } from './types.js';

export async function toProposals(
  masks: readonly ScoredMask[],
  width: number,
  height: number,
  /** Awaited between masks: a background job yields to clicks there. */
  checkpoint: () => Promise<void> = () => Promise.resolve(),
): Promise<AutolabelProposal[]> {
  const out: AutolabelProposal[] = [];
  for (const m of [...masks].filter((m) => m.crop.area > 0).sort((a, b) => b.score - a.score)) {
    await checkpoint();
    out.push({
      labelId: m.labelId,
      score: Math.max(0, Math.min(1, m.score)),
      rle: fullImageRle(m.crop, width, height),
      outline: cropPolygons(m.crop),
      box: m.crop.box,
      area: m.crop.area,
    });
  }
  return out;
}
