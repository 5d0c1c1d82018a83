// What the AI prompt tool shows on the overlay layer: the candidate mask (all
// proposals, faint, after "segment everything"; every region's mask in its
// region colour after watershed), a tag with its label and predicted IoU, and
// the prompt markers (green / red points, the box, the strokes in their region
// colours). Nothing here listens to events.
import type Konva from 'konva';
import { useLayoutEffect, useRef } from 'react';
import { Circle, Group, Image as KonvaImage, Label, Line, Rect, Tag, Text } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import type { CandidateSet, MaskCandidate, ScribblePromptInput } from '../../../common/contract/index.js';
import { candidateInfo, preselectedLabel, type PromptDraft } from '../ai/aiPrompts.js';
import { POSITIVE_COLOUR, regionColour } from '../lib/regionColour.js';
import { candidateBitmap, candidateCrop, candidateFrame } from '../masks/candidateBitmap.js';
import { useAppStore } from '../store/appStore.js';

export const NEGATIVE_COLOUR = '#ef4444';
/** Candidates without a label: bright enough to read on any image. */
export const NEUTRAL_CANDIDATE_COLOUR = '#39d0ff';
const PROMPT_BOX_COLOUR = '#ffd23f';
const SELECTED_FILL = 0.45;
const PROPOSAL_FILL = 0.15;
const noEvents = { listening: false, perfectDrawEnabled: false } as const;

function CandidateMask({ set, candidate, colour, fill }: { set: CandidateSet; candidate: MaskCandidate; colour: string; fill: number }) {
  const crop = candidateCrop(set.id, candidate);
  const bitmap = candidateBitmap(set.id, candidate, colour, fill);
  if (!crop || !bitmap) return null;
  const frame = candidateFrame(candidate, crop);
  return <KonvaImage image={bitmap} x={frame.x} y={frame.y} width={frame.width} height={frame.height} {...noEvents} />;
}

function PromptMarkers({ prompts, stroke, scale }: { prompts: PromptDraft; stroke: ScribblePromptInput | null; scale: number }) {
  const strokes = stroke ? [...prompts.scribbles, stroke] : prompts.scribbles;
  return (
    <>
      {prompts.box && (
        <Rect
          x={prompts.box[0]}
          y={prompts.box[1]}
          width={prompts.box[2] - prompts.box[0]}
          height={prompts.box[3] - prompts.box[1]}
          stroke={PROMPT_BOX_COLOUR}
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          dash={[6, 4]}
          {...noEvents}
        />
      )}
      {strokes.map((s, i) => (
        <Line
          key={i}
          points={s.points.length === 1 ? [...s.points[0]!, ...s.points[0]!] : s.points.flat()}
          stroke={s.positive ? regionColour(s.region) : NEGATIVE_COLOUR}
          strokeWidth={3}
          strokeScaleEnabled={false}
          lineCap="round"
          lineJoin="round"
          opacity={0.85}
          {...noEvents}
        />
      ))}
      {prompts.clicks.map((c, i) => (
        <Circle
          key={i}
          x={c.x}
          y={c.y}
          radius={5 / scale}
          fill={c.positive ? POSITIVE_COLOUR : NEGATIVE_COLOUR}
          stroke="#ffffff"
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          {...noEvents}
        />
      ))}
    </>
  );
}

export function CandidateOverlay() {
  const s = useAppStore(
    useShallow((state) => ({
      active: state.activeTool === 'ai',
      candidates: state.ai.candidates,
      mode: state.ai.mode,
      regions: state.ai.regions,
      selected: state.ai.selected,
      requestSeq: state.ai.requestSeq,
      prompts: state.ai.prompts,
      stroke: state.ai.liveStroke,
      labels: state.labels,
      labelId: state.ai.labelId,
      activeLabelId: state.activeLabelId,
      scale: state.view.scale,
    })),
  );
  const groupRef = useRef<Konva.Group>(null);
  const shownSetId = s.active ? (s.candidates?.id ?? null) : null;

  // The benchmark's "mask visible" moment: the first layer draw after a new candidate set is on the layer.
  useLayoutEffect(() => {
    const layer = groupRef.current?.getLayer();
    if (!layer || shownSetId === null) return;
    const requestSeq = s.requestSeq;
    layer.on('draw.aiCandidate', () => {
      layer.off('draw.aiCandidate');
      performance.mark('ai:candidate-drawn', { detail: { candidateSetId: shownSetId, requestSeq } });
    });
    layer.batchDraw();
    return () => void layer.off('draw.aiCandidate');
    // A new set id is what matters; the seq belongs to it.
  }, [shownSetId]);

  if (!s.active) return <Group ref={groupRef} {...noEvents} />;
  const colourOf = (labelId: string | null) => s.labels.find((l) => l.id === labelId)?.colour ?? NEUTRAL_CANDIDATE_COLOUR;
  const candidates = s.candidates;
  const selected = candidates?.candidates[s.selected];
  const selectedLabel = s.labels.find((l) => l.id === s.labelId);
  return (
    <Group ref={groupRef} {...noEvents}>
      {candidates &&
        s.mode === 'everything' &&
        candidates.candidates.map((c, position) =>
          position === s.selected ? null : (
            <CandidateMask
              key={c.index}
              set={candidates}
              candidate={c}
              colour={colourOf(preselectedLabel(c, s.labels, s.activeLabelId))}
              fill={PROPOSAL_FILL}
            />
          ),
        )}
      {candidates &&
        s.mode === 'regions' &&
        candidates.candidates.map((c, position) =>
          position === s.selected ? null : (
            <CandidateMask
              key={c.index}
              set={candidates}
              candidate={c}
              colour={s.regions[position] === undefined ? NEUTRAL_CANDIDATE_COLOUR : regionColour(s.regions[position])}
              fill={PROPOSAL_FILL}
            />
          ),
        )}
      {candidates && selected && <CandidateMask set={candidates} candidate={selected} colour={colourOf(s.labelId)} fill={SELECTED_FILL} />}
      <PromptMarkers prompts={s.prompts} stroke={s.stroke} scale={s.scale} />
      {candidates && selected && selected.box.w > 0 && (
        <Label x={selected.box.x} y={selected.box.y} scaleX={1 / s.scale} scaleY={1 / s.scale} offsetY={22} {...noEvents}>
          <Tag fill="rgba(15, 17, 20, 0.8)" cornerRadius={3} {...noEvents} />
          <Text
            text={`${selectedLabel?.name ?? 'unlabeled'} · ${candidateInfo(candidates, s.selected)}`}
            fill="#ffffff"
            fontSize={12}
            padding={4}
            {...noEvents}
          />
        </Label>
      )}
    </Group>
  );
}
