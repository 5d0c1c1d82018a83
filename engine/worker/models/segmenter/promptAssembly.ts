// WorkerPrompt (the contract's prompts, image pixels) -> the decoder's
// SegmentPrompt (still image pixels; buildDecoderFeeds converts them): positive
// scribble points go through SEEM's sampler (at most the model's maxPoints,
// done in buildDecoderFeeds), negative strokes become a bounded number of
// negative points, text and reference regions become embeddings.
import type { WorkerPrompt } from '../../../protocol.js';
import type { ModelRuntime } from './modelRuntime.js';
import type { SegmentPrompt } from './prompts.js';
import { samplePoints } from './prompts.js';
import { refEmbeddingFromBox, refEmbeddingFromPoints } from './refPooling.js';

/** Negative strokes only need to mark where the object is not. */
const MAX_NEGATIVE_STROKE_POINTS = 64;

export async function assemblePrompt(runtime: ModelRuntime, prompt: WorkerPrompt, maskInput: Float32Array | undefined): Promise<SegmentPrompt> {
  const positiveStrokes = prompt.scribbles.filter((s) => s.positive).flatMap((s) => s.points);
  const negativeStrokes = prompt.scribbles.filter((s) => !s.positive).flatMap((s) => s.points);
  const clicks = [
    ...prompt.clicks,
    ...samplePoints(negativeStrokes, MAX_NEGATIVE_STROKE_POINTS).map(([x, y]) => ({ x, y, positive: false })),
  ];
  const out: SegmentPrompt = { clicks, box: prompt.box, scribble: positiveStrokes.length ? positiveStrokes : undefined, maskInput };
  if (prompt.text !== undefined) out.textEmbedding = await runtime.embedText(prompt.text);
  if (prompt.reference) {
    const { features } = await runtime.features(prompt.reference.image);
    const grid = features.embeddings;
    out.refEmbedding = prompt.reference.box
      ? refEmbeddingFromBox(grid, features.frame, prompt.reference.box)
      : refEmbeddingFromPoints(grid, features.frame, prompt.reference.points ?? []);
  }
  return out;
}
