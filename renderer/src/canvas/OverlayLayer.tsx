// What the active tool is drawing (not yet an annotation), AI candidates and
// prompts, and the brush outline. Never listens: it sits on top and must not catch events.
import { Circle, Layer, Line, Rect } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';
import { labelColour } from '../store/selectors.js';
import type { Draft } from '../tools/toolTypes.js';
import { CandidateOverlay } from './CandidateOverlay.js';

const ERASE_COLOUR = '#ffffff';
const noEvents = { listening: false, perfectDrawEnabled: false } as const;

function DraftShape({ draft, colour, scale }: { draft: Draft; colour: string; scale: number }) {
  if (draft.kind === 'box') {
    const { x, y, w, h } = draft.box;
    return (
      <Rect x={x} y={y} width={w} height={h} stroke={colour} strokeWidth={1.5} strokeScaleEnabled={false} dash={[6, 4]} {...noEvents} />
    );
  }
  if (draft.kind === 'polygon') {
    const [firstX = 0, firstY = 0] = draft.points;
    const tail = draft.cursorPath ?? (draft.cursor ? [draft.cursor.x, draft.cursor.y] : []);
    const withCursor = [...draft.points, ...tail];
    return (
      <>
        <Line
          points={withCursor}
          stroke={colour}
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          fill={colour + '22'}
          closed={draft.points.length >= 6}
          {...noEvents}
        />
        {Array.from({ length: draft.points.length / 2 }, (_, i) => (
          <Circle key={i} x={draft.points[2 * i]} y={draft.points[2 * i + 1]} radius={3 / scale} fill={colour} {...noEvents} />
        ))}
        <Circle
          x={firstX}
          y={firstY}
          radius={(draft.canClose ? 8 : 5) / scale}
          stroke="#ffffff"
          strokeWidth={draft.canClose ? 2.5 : 1.5}
          strokeScaleEnabled={false}
          {...noEvents}
        />
      </>
    );
  }
  return (
    <Line
      points={draft.points.length === 2 ? [...draft.points, ...draft.points] : draft.points}
      stroke={draft.erase ? ERASE_COLOUR : colour}
      strokeWidth={draft.radius * 2}
      lineCap="round"
      lineJoin="round"
      opacity={0.5}
      {...noEvents}
    />
  );
}

function BrushOutline({ colour }: { colour: string }) {
  const { cursor, radius } = useAppStore(useShallow((s) => ({ cursor: s.cursor, radius: s.brushRadius })));
  if (!cursor) return null;
  return (
    <Circle
      x={cursor.x}
      y={cursor.y}
      radius={radius}
      stroke={colour}
      strokeWidth={1}
      strokeScaleEnabled={false}
      dash={[4, 3]}
      {...noEvents}
    />
  );
}

export function OverlayLayer() {
  const { draft, activeTool, colour, scale } = useAppStore(
    useShallow((s) => ({ draft: s.draft, activeTool: s.activeTool, colour: labelColour(s.labels, s.activeLabelId), scale: s.view.scale })),
  );
  const brushing = activeTool === 'brush' || activeTool === 'eraser';
  return (
    <Layer listening={false}>
      <CandidateOverlay />
      {draft && <DraftShape draft={draft} colour={colour} scale={scale} />}
      {brushing && <BrushOutline colour={activeTool === 'eraser' ? ERASE_COLOUR : colour} />}
    </Layer>
  );
}
