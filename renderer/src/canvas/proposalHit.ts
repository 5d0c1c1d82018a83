// Which proposal shown on the canvas is under a point (image coordinates),
// in the order ProposalLayer draws them: the selected one first (it is drawn
// on top), then the one drawn last. Hit-tested as the annotation each would
// become.
import type { ProposalRecord } from '../../../common/contract/index.js';
import { decodeMaskCached } from '../masks/maskCodec.js';
import type { AppState } from '../store/appStore.js';
import { proposalLabelId, shownProposals } from '../store/proposalsSlice.js';
import { annotationAt } from '../tools/hitTesting.js';
import { proposalAsAnnotation } from './ProposalLayer.js';

export function proposalAt(s: AppState, x: number, y: number, tolerance: number): ProposalRecord | null {
  if (s.proposalsImageId === null || s.proposalsImageId !== s.currentImage?.id) return null;
  const shown = shownProposals(s);
  const ordered = [...shown.filter((p) => p.id !== s.selectedProposalId), ...shown.filter((p) => p.id === s.selectedProposalId)];
  const hit = annotationAt(
    ordered.map((p) => proposalAsAnnotation(p, proposalLabelId(s, p))),
    x,
    y,
    tolerance,
    decodeMaskCached,
  );
  return hit ? (shown.find((p) => p.id === hit.id) ?? null) : null;
}
