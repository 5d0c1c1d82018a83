// The open image's auto-label proposals above the threshold, drawn like the
// annotations they would become (mask pixels or box, in their label's
// colour) inside a dashed frame, each tagged with its label and score; the
// selected one has a heavier frame and a highlighted tag. Nothing here
// listens: a click on a proposal is hit-tested by the canvas input.
import { memo, useMemo } from 'react';
import { Label as KonvaLabel, Layer, Rect, Tag, Text } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import type { Label, ProposalRecord } from '../../../common/contract/index.js';
import { acceptedAnnotation } from '../../../common/review/proposalOps.js';
import { useAppStore } from '../store/appStore.js';
import { proposalLabelId, shownProposals } from '../store/proposalsSlice.js';
import { labelColour } from '../store/selectors.js';
import { AnnotationShape } from './AnnotationShape.js';

const noEvents = { listening: false, perfectDrawEnabled: false } as const;
const SELECTED_TAG = '#ffd23f';

/** The annotation a proposal would become: drawn the same way, keyed by the proposal's id. */
export const proposalAsAnnotation = (proposal: ProposalRecord, labelId: string | null) =>
  acceptedAnnotation(proposal, proposal.id, proposal.createdAt, labelId);

const ProposalShape = memo(function ProposalShape({
  proposal,
  labelId,
  labels,
  selected,
  scale,
  maskOpacity,
}: {
  proposal: ProposalRecord;
  labelId: string | null;
  labels: readonly Label[];
  selected: boolean;
  scale: number;
  maskOpacity: number;
}) {
  const colour = labelColour(labels, labelId);
  const annotation = useMemo(() => proposalAsAnnotation(proposal, labelId), [proposal, labelId]);
  const name = labels.find((l) => l.id === labelId)?.name ?? 'unlabeled';
  const { x, y, w, h } = proposal.box;
  return (
    <>
      <AnnotationShape annotation={annotation} colour={colour} selected={false} preview={undefined} maskOpacity={maskOpacity * 0.8} />
      <Rect
        x={x}
        y={y}
        width={w}
        height={h}
        stroke={selected ? SELECTED_TAG : colour}
        strokeWidth={selected ? 2.5 : 1}
        strokeScaleEnabled={false}
        dash={[5, 4]}
        {...noEvents}
      />
      <KonvaLabel x={x} y={y} scaleX={1 / scale} scaleY={1 / scale} offsetY={selected ? 20 : 16} {...noEvents}>
        <Tag fill={selected ? SELECTED_TAG : 'rgba(15, 17, 20, 0.75)'} cornerRadius={3} {...noEvents} />
        <Text
          text={`${name} ${proposal.score.toFixed(2)}`}
          fill={selected ? '#111111' : '#ffffff'}
          fontSize={selected ? 12 : 10}
          padding={selected ? 4 : 3}
          {...noEvents}
        />
      </KonvaLabel>
    </>
  );
});

export function ProposalLayer() {
  const s = useAppStore(
    useShallow((state) => ({
      proposals: state.proposals,
      threshold: state.proposalThreshold,
      imageId: state.proposalsImageId,
      openId: state.currentImage?.id ?? null,
      selectedId: state.selectedProposalId,
      proposalLabels: state.proposalLabels,
      labels: state.labels,
      scale: state.view.scale,
      maskOpacity: state.maskOpacity,
    })),
  );
  const shown =
    s.imageId !== null && s.imageId === s.openId ? shownProposals({ proposals: s.proposals, proposalThreshold: s.threshold }) : [];
  // The selected one last, so it is drawn on top.
  const ordered = [...shown.filter((p) => p.id !== s.selectedId), ...shown.filter((p) => p.id === s.selectedId)];
  return (
    <Layer listening={false}>
      {ordered.map((p) => (
        <ProposalShape
          key={p.id}
          proposal={p}
          labelId={proposalLabelId(s, p)}
          labels={s.labels}
          selected={p.id === s.selectedId}
          scale={s.scale}
          maskOpacity={s.maskOpacity}
        />
      ))}
    </Layer>
  );
}
