// The narrative's mouse trace over the image: a polyline that fades from
// its start (faint) to its end (strong), so the order of the words reads on
// the image; the stretch of trace of the word pointed at (in the caption
// panel, or on the trace itself) drawn bold with its point. While a
// narrative is recorded, its live trace. Never listens.
import { Circle, Layer, Line } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';

import type { TracePoint } from '../../../common/contract/index.js';
import { hasPoint, wordSegment } from '../../../common/narrative/alignment.js';
import { useAppStore } from '../store/appStore.js';
import { liveTrace, shownCaption, wordUnderPointer } from '../store/captionsSlice.js';

/** The trace's colour, and the colour of the stretch a word owns. */
export const TRACE_COLOUR = '#ffd400';
export const WORD_SEGMENT_COLOUR = '#ff2bd6';
/** Points per drawn piece of the fading line. */
const PIECE = 8;
const noEvents = { listening: false, perfectDrawEnabled: false } as const;

function FadingTrace({ trace }: { trace: readonly (readonly TracePoint[])[] }) {
  const points = trace.flat();
  if (points.length === 0) return null;
  const first = points[0]!.t;
  const span = Math.max(points.at(-1)!.t - first, 1e-6);
  const pieces: { key: string; points: number[]; opacity: number }[] = [];
  trace.forEach((segment, s) => {
    for (let i = 0; i < segment.length; i += PIECE) {
      // Each piece overlaps the next by a point, so the line has no gaps.
      const piece = segment.slice(i, i + PIECE + 1);
      const flat = piece.length === 1 ? [piece[0]!.x, piece[0]!.y, piece[0]!.x, piece[0]!.y] : piece.flatMap((p) => [p.x, p.y]);
      pieces.push({ key: `${s}-${i}`, points: flat, opacity: 0.25 + (0.75 * (piece[0]!.t - first)) / span });
    }
  });
  return (
    <>
      {pieces.map((piece) => (
        <Line
          key={piece.key}
          points={piece.points}
          stroke={TRACE_COLOUR}
          strokeWidth={2}
          strokeScaleEnabled={false}
          opacity={piece.opacity}
          lineCap="round"
          lineJoin="round"
          {...noEvents}
        />
      ))}
    </>
  );
}

export function TraceLayer() {
  // Primitives only: the selector runs on every store change and must give equal answers for an unchanged store.
  const { caption, recording, pointedIndex, scale } = useAppStore(
    useShallow((s) => {
      const caption = shownCaption(s);
      const pointed = s.hoveredWord ?? wordUnderPointer(s);
      return {
        caption,
        recording: s.recording,
        pointedIndex: pointed && pointed.captionId === caption?.id ? pointed.index : -1,
        scale: s.view.scale,
      };
    }),
  );
  if (recording) {
    return (
      <Layer listening={false}>
        <FadingTrace trace={liveTrace()} />
      </Layer>
    );
  }
  if (!caption) return null;
  const word = pointedIndex >= 0 ? caption.words[pointedIndex] : undefined;
  const segment = caption.trace && word ? wordSegment(caption.trace, word) : [];
  return (
    <Layer listening={false}>
      {caption.trace && <FadingTrace trace={caption.trace} />}
      {segment.map((part, i) => (
        <Line
          key={i}
          points={part.length === 1 ? [part[0]!.x, part[0]!.y, part[0]!.x, part[0]!.y] : part.flatMap((p) => [p.x, p.y])}
          stroke={WORD_SEGMENT_COLOUR}
          strokeWidth={6}
          strokeScaleEnabled={false}
          lineCap="round"
          lineJoin="round"
          {...noEvents}
        />
      ))}
      {word && hasPoint(word) && (
        <Circle
          x={word.x}
          y={word.y}
          radius={6 / scale}
          fill={WORD_SEGMENT_COLOUR}
          stroke="#ffffff"
          strokeWidth={1.5}
          strokeScaleEnabled={false}
          {...noEvents}
        />
      )}
    </Layer>
  );
}
