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
    // Several regions (examples of one label from several images) pool to their mean, each pooled as one region is.
    const pooled: Float32Array[] = [];
    for (const region of prompt.reference.regions) {
      const { features } = await runtime.features(region.image);
      const grid = features.embeddings;
      pooled.push(
        region.box ? refEmbeddingFromBox(grid, features.frame, region.box) : refEmbeddingFromPoints(grid, features.frame, region.points ?? []),
      );
    }
    out.refEmbedding = meanVector(pooled);
  }
  return out;
}

function meanVector(vectors: readonly Float32Array[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new Error('a reference prompt needs at least one region');
  const out = new Float32Array(first.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i]! += (v[i] ?? 0) / vectors.length;
  return out;
}
