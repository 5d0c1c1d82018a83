// What the model said about the open image before it is accepted: a
// generated caption's words as numbered points joined in reading order (the
// word pointed at in the panel drawn large), and a grounded phrase's box
// (with the caption head's point for it, when the head found it).
// Never listens.
import { Circle, Layer, Line, Rect, Text } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import { useAppStore } from '../store/appStore.js';

export const PROPOSAL_POINT_COLOUR = '#00e5ff';
export const GROUNDED_BOX_COLOUR = '#ff9100';
const noEvents = { listening: false, perfectDrawEnabled: false } as const;

export function CaptionProposalLayer() {
  const { proposal, grounded, pointed, scale } = useAppStore(
    useShallow((s) => {
      const id = s.currentImage?.id;
      return {
        proposal: s.captionProposal?.imageId === id ? s.captionProposal : null,
        grounded: s.groundedPhrase?.imageId === id ? s.groundedPhrase : null,
        pointed: s.proposalWord,
        scale: s.view.scale,
      };
    }),
  );
  if (!proposal && !grounded) return null;
  const words = proposal?.words ?? [];
  const word = pointed === null ? undefined : words[pointed];
  return (
    <Layer listening={false}>
      {words.length > 1 && (
        <Line
          points={words.flatMap((w) => [w.x, w.y])}
          stroke={PROPOSAL_POINT_COLOUR}
          strokeWidth={1}
          strokeScaleEnabled={false}
          opacity={0.5}
          dash={[4, 4]}
          {...noEvents}
        />
      )}
      {words.map((w, i) => (
        <Circle key={i} x={w.x} y={w.y} radius={3 / scale} fill={PROPOSAL_POINT_COLOUR} opacity={0.8} {...noEvents} />
      ))}
      {word && (
        <>
          <Circle
            x={word.x}
            y={word.y}
            radius={7 / scale}
            fill={PROPOSAL_POINT_COLOUR}
            stroke="#000000"
            strokeWidth={1.5}
            strokeScaleEnabled={false}
            {...noEvents}
          />
          <Text
            x={word.x + 9 / scale}
            y={word.y - 8 / scale}
            text={word.word}
            fontSize={14 / scale}
            fill="#ffffff"
            stroke="#000000"
            strokeWidth={0.5 / scale}
            {...noEvents}
          />
        </>
      )}
      {grounded && (
        <>
          <Rect
            x={grounded.box.x}
            y={grounded.box.y}
            width={grounded.box.w}
            height={grounded.box.h}
            stroke={GROUNDED_BOX_COLOUR}
            strokeWidth={2}
            strokeScaleEnabled={false}
            dash={[8, 4]}
            {...noEvents}
          />
          {grounded.point && (
            <Circle
              x={grounded.point.x}
              y={grounded.point.y}
              radius={5 / scale}
              fill={GROUNDED_BOX_COLOUR}
              stroke="#000000"
              strokeWidth={1.5}
              strokeScaleEnabled={false}
              {...noEvents}
            />
          )}
          <Text
            x={grounded.box.x}
            y={grounded.box.y - 18 / scale}
            text={grounded.phrase}
            fontSize={14 / scale}
            fill={GROUNDED_BOX_COLOUR}
            stroke="#000000"
            strokeWidth={0.5 / scale}
            {...noEvents}
          />
        </>
      )}
    </Layer>
  );
}
